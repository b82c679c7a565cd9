"""The product end to end: playbooks/peer.yml and unpeer.yml on inventories/local (3 VPCs: 2 regions, 2 AWS accounts, one
existing VPC) against moto server and the Atlas simulator.

The tests of this module share one converged state and run in file order (converge, rerun, check, drifts, teardown); each
asserts on what it sees, so a failure early on makes the later ones fail loudly rather than pass vacuously.
"""

import os
import signal
import subprocess

import pytest

from support.atlas import atlas_api, wait_until
from support.aws import ATLAS_CIDR, EXISTING_VPC_CIDR, HOSTS, aws_client, aws_snapshot, stack_outputs
from support.paths import ANSIBLE_PLAYBOOK, LOCAL_INVENTORY, REPO_ROOT
from support.playbooks import run_playbook

# One shared, ordered scenario: keep it on one worker if the suite runs under pytest-xdist (--dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vpc_peering_e2e_lifecycle")]


def peerings(world):
    """The project's peerings as Atlas lists them (the simulator advances a peering's lifecycle when it is read)."""
    return atlas_api(world["atlas"], "GET", f"/groups/{world['atlas']['project_id']}/peers")["results"]


def access_list(world):
    entries = world["sim"].state()["access_lists"].get(world["atlas"]["project_id"], [])
    return sorted(e.get("cidrBlock") or e.get("awsSecurityGroup") for e in entries)


def converge(world, *args):
    run = run_playbook(world["env"], "peer.yml", *args)
    assert run.rc == 0, run.explain()
    return run


def check(world):
    """--check --diff with the proof that it wrote nothing: no Atlas write in the simulator's log, AWS state unchanged."""
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    run = run_playbook(world["env"], "peer.yml", "--check", "--diff")
    assert run.rc == 0, run.explain()
    assert world["sim"].writes() == [], "check mode wrote to Atlas"
    assert aws_snapshot(world["moto"].url) == before, "check mode changed AWS"
    return run


def test_check_on_an_empty_world_reports_everything_missing_and_writes_nothing(world):
    """No container, no stack, no peering yet: the check must not create a change set, a stack or a request."""
    run = check(world)
    assert_drift_exactly(run, {
        "local-app-east": ["access list 10.10.0.0/16: missing", "atlas container US_EAST_1: missing", "peering: missing",
                           "stack cloudwire-local-app-east: missing"],
        # Security-group mode: the group does not exist before the stack, so there is no entry to compare yet.
        "local-app-west": ["atlas container EU_WEST_1: missing", "peering: missing", "stack cloudwire-local-app-west: missing"],
        # The existing VPC is read: DNS hostnames are off on a new VPC, and its three route tables lack the route.
        "local-legacy-east": ["access list 10.30.0.0/16: missing", "atlas container US_EAST_1: missing", "peering: missing"]
        + ["route rtb-"] * 3 + ["vpc dns hostnames: off"],
    })


def test_preflight_fails_on_bad_input_or_wrong_account_before_any_write(world):
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    bad_cidr = run_playbook(world["env"], "peer.yml", "-e", "vpc_peering_atlas_cidr_block=10.0.0.0/16")
    assert bad_cidr.rc != 0 and all(bad_cidr.failed(host) for host in HOSTS), bad_cidr.explain()
    (hosts,) = bad_cidr.task_results("check the inputs")
    assert all("vpc_peering_atlas_cidr_block" in hosts[host]["msg"] for host in HOSTS), hosts
    wrong_account = run_playbook(world["env"], "peer.yml", "--limit", "local-app-east", "-e", "vpc_peering_aws_account_id=999999999999")
    assert wrong_account.rc != 0 and wrong_account.failed("local-app-east"), wrong_account.explain()
    (hosts,) = wrong_account.task_results("check the AWS account")
    assert "belong to account 123456789012" in hosts["local-app-east"]["msg"], hosts
    # A wrong Atlas key fails the one read of the hosts' group: each host of the group says so, with Atlas's answer.
    bad_key = run_playbook(dict(world["env"], MONGODB_ATLAS_PRIVATE_KEY="not-the-key"), "peer.yml")
    assert bad_key.rc != 0 and all(bad_key.failed(host) for host in HOSTS), bad_key.explain()
    (hosts,) = bad_key.task_results("check the AWS account")
    for host in HOSTS:
        assert "reading its VPC on both clouds failed" in hosts[host]["msg"] and "401" in hosts[host]["msg"], hosts[host]["msg"]
        assert "not-the-key" not in hosts[host]["msg"]
    assert world["sim"].writes() == [], "a failed preflight wrote to Atlas"
    assert aws_snapshot(world["moto"].url) == before, "a failed preflight changed AWS"


def test_fresh_converge(world):
    # Slow answers to the first three access-list reads: hosts running their access-list task at the same time would all
    # have read before any of them posts.
    world["sim"].add_fault(method="GET", path=r".*/accessList$", kind="latency", latency=1.5, count=3)
    run = converge(world)
    world["runs"]["first"] = run
    assert set(run.stats) == set(HOSTS), run.explain()
    for host in HOSTS:
        assert run.failed(host) == 0 and run.changed(host) > 0, run.explain()
    got = peerings(world)
    assert len(got) == 3 and {p["statusName"] for p in got} == {"AVAILABLE"}, got
    vpcs = {p["vpcId"] for p in got}
    assert world["vpc_id"] in vpcs
    # Each VPC: every route table in scope routes its region's Atlas CIDR through its own, active pcx.
    snap = aws_snapshot(world["moto"].url)
    for host, (region, account, stack) in HOSTS.items():
        peering = next(p for p in got if p["vpcId"] == (stack_outputs(world["moto"].url, host)["VpcId"] if stack else world["vpc_id"]))
        assert peering["awsAccountId"] == account
        tables = (stack_outputs(world["moto"].url, host)["RouteTableIds"].split(",") if stack else
                  [t["RouteTableId"] for t in aws_client(world["moto"].url, "ec2", region).describe_route_tables(
                      Filters=[{"Name": "vpc-id", "Values": [world["vpc_id"]]}])["RouteTables"]])
        for table in tables:
            assert (ATLAS_CIDR[region], peering["connectionId"], "active") in snap[f"{account}/{region}"]["routes"][table], (host, table)
        vpc = snap[f"{account}/{region}"]["vpcs"][peering["vpcId"]]
        assert vpc["enableDnsSupport"] and vpc["enableDnsHostnames"], (host, vpc)
    west_sg = stack_outputs(world["moto"].url, "local-app-west")["SecurityGroupId"]
    assert access_list(world) == sorted(["10.10.0.0/16", EXISTING_VPC_CIDR, west_sg])
    # Every wait printed the status it saw at each poll, as it polled, ending on the awaited one. The AWS step waits around its
    # writes (for the pcx- id, then for AVAILABLE) and prints each poll as a line of the run's output; it records them too.
    # The CIDR entries went with the peering requests: their hosts wait for the entry in the polls of the AVAILABLE wait.
    # local-app-west's security group is added after that wait, and waited for on its own (a loop: a label at each poll).
    cidr_hosts = ["local-app-east", "local-legacy-east"]
    steps = [result for hosts in run.task_results("wait for the pcx- id, accept the peering connections") for result in hosts.values()]
    polled = dict(item for result in steps for item in (result.get("vpcs") or {}).items())
    assert sorted(polled) == sorted(HOSTS), steps
    for host, mine in polled.items():
        for wait_for, waiting, last in (("connection", "waiting for Atlas to request the AWS peering connection", "PENDING_ACCEPTANCE pcx-"),
                                        ("available", "waiting until Atlas reports the peering AVAILABLE", "AVAILABLE")):
            polls = [p for p in mine["polls"] if p["wait_for"] == wait_for]
            assert polls and [p["poll"] for p in polls] == list(range(1, len(polls) + 1)), (host, mine["polls"])
            assert polls[-1]["summary"].startswith(last), (host, polls)
            for p in polls:
                assert f"{host}: {waiting}, poll {p['poll']}: {p['summary']}\n" in run.stdout, (host, p, run.stdout[:3000])
        last_available = [p for p in mine["polls"] if p["wait_for"] == "available"][-1]
        assert last_available["summary"].endswith("; access list: ACTIVE") == (host in cidr_hosts), (host, mine["polls"])
        # The polls came in order: the pcx- id, the acceptance, then AVAILABLE.
        connection_seen = max(p["at"] for p in mine["polls"] if p["wait_for"] == "connection")
        assert connection_seen <= mine["accepted_at"] <= min(p["at"] for p in mine["polls"] if p["wait_for"] == "available"), (host, mine)
    (hosts,) = run.task_results("wait until Atlas reports the entry ACTIVE")
    for host in HOSTS:
        # A host with nothing planned after AVAILABLE does not include those phases: no result, so no poll, there.
        labels = [item["_ansible_item_label"] for item in hosts.get(host, {}).get("results", [])]
        if host != "local-app-west":
            assert labels == [], (host, labels)
            continue
        assert labels and all(label.startswith(f"poll {i}: ") for i, label in enumerate(labels, 1)), (host, labels)
        assert labels[-1].split(": ", 1)[1].startswith("ACTIVE"), (host, labels)
    # Hosts ran in parallel, but the project's access list was written once per step, never concurrently (Atlas refuses
    # concurrent additions): both CIDR entries in one POST, made with the peering requests; the security group in a second
    # one, once a peering was AVAILABLE (Atlas takes a security group only then).
    log = sorted((r for r in world["sim"].requests() if not r["challenge"]), key=lambda r: r["time"])
    posts = [r for r in log if r["method"] == "POST" and r["path"].endswith("/accessList")]
    peer_posts = [r for r in log if r["method"] == "POST" and r["path"].endswith("/peers")]
    assert len(posts) == 2 and len(peer_posts) == 3, [(r["method"], r["path"]) for r in log if r["method"] == "POST"]
    assert posts[0]["time"] <= peer_posts[0]["time"] < peer_posts[-1]["time"] < posts[1]["time"], (posts, peer_posts)
    # A shared step goes to the first host of each group that needs it: the Atlas step of the one project to local-app-east
    # alone (no other host even skips it), the AWS step to the first host of each region (the others skip it).
    (atlas_step,) = run.task_results("create the container, open the access list and request the peerings")
    assert list(atlas_step) == ["local-app-east"] and not atlas_step["local-app-east"].get("skipped"), atlas_step
    (aws_step,) = run.task_results("wait for the pcx- id, accept the peering connections")
    assert sorted(h for h, r in aws_step.items() if not r.get("skipped")) == ["local-app-east", "local-app-west"], aws_step
    # The run's drift summary (set_stats, for AWX) lists what it did on each host.
    assert "peering: missing" in run.drift["local-app-east"] and "stack cloudwire-local-app-east: missing" in run.drift["local-app-east"]


def test_second_run_changes_nothing(world):
    run = converge(world)
    for host in HOSTS:
        assert run.changed(host) == 0, (host, run.explain())
    # Nothing is planned: the apply is skipped once for the play, not on each host.
    (apply,) = run.task_results("Apply the plan")
    assert len(apply) == 1 and all(r.get("skipped") for r in apply.values()), apply
    assert run.custom["vpc_peering_drift_total"] == 0, run.custom


def test_check_mode_without_drift_reports_nothing_and_writes_nothing(world):
    run = check(world)
    for host in HOSTS:
        assert run.changed(host) == 0, (host, run.explain())
    assert run.custom["vpc_peering_drifted_hosts"] == [] and run.custom["vpc_peering_check_mode"] is True, run.custom


def peering_of(world, vpc_id):
    return next((p for p in peerings(world) if p["vpcId"] == vpc_id), None)


def vpc_of(world, host):
    return world["vpc_id"] if HOSTS[host][2] is None else stack_outputs(world["moto"].url, host)["VpcId"]


def assert_drift_exactly(run, expected):
    """Each host reports exactly the expected findings (prefix match per line), and only drifted hosts show changes."""
    for host in HOSTS:
        found = run.drift.get(host)
        wanted = expected.get(host, [])
        assert found is not None, (host, run.custom)
        assert len(found) == len(wanted) and all(f.startswith(w) for f, w in zip(sorted(found), sorted(wanted))), (host, found, wanted)
        assert (run.changed(host) > 0) == bool(wanted), (host, run.stats[host])
    assert run.custom["vpc_peering_drift_total"] == sum(len(v) for v in expected.values())
    assert sorted(run.custom["vpc_peering_drifted_hosts"]) == sorted(h for h, v in expected.items() if v)


def test_drift_route_access_list_dns_reported_read_only_then_repaired(world):
    moto_url, project = world["moto"].url, world["atlas"]["project_id"]
    # local-app-east: a route deleted out of band.
    east_table = stack_outputs(moto_url, "local-app-east")["RouteTableIds"].split(",")[0]
    aws_client(moto_url, "ec2", "us-east-1").delete_route(RouteTableId=east_table, DestinationCidrBlock=ATLAS_CIDR["us-east-1"])
    # local-legacy-east: its access-list entry removed in Atlas.
    atlas_api(world["atlas"], "DELETE", f"/groups/{project}/accessList/10.30.0.0%2F16")
    # local-app-west (other account): DNS hostnames turned off.
    west_vpc = vpc_of(world, "local-app-west")
    aws_client(moto_url, "ec2", "eu-west-1", HOSTS["local-app-west"][1]).modify_vpc_attribute(
        VpcId=west_vpc, EnableDnsHostnames={"Value": False})

    run = check(world)
    assert_drift_exactly(run, {
        "local-app-east": [f"route {east_table}: missing"],
        "local-legacy-east": ["access list 10.30.0.0/16: missing"],
        "local-app-west": ["vpc dns hostnames: off"],
    })
    assert "--- found" in run.stdout or run.result is not None  # json output: the diff is in the task results

    repair = converge(world)
    for host in HOSTS:
        assert repair.changed(host) > 0, (host, repair.explain())
    snap = aws_snapshot(moto_url)
    east_pcx = peering_of(world, vpc_of(world, "local-app-east"))["connectionId"]
    assert (ATLAS_CIDR["us-east-1"], east_pcx, "active") in snap["123456789012/us-east-1"]["routes"][east_table]
    assert "10.30.0.0/16" in access_list(world)
    assert snap[f"{HOSTS['local-app-west'][1]}/eu-west-1"]["vpcs"][west_vpc]["enableDnsHostnames"] is True


def test_drift_peering_deleted_rejected_stack_parameter_reported_read_only_then_repaired(world):
    moto_url, project = world["moto"].url, world["atlas"]["project_id"]
    # local-app-west (other account, other region): its peering deleted in Atlas.
    west = peering_of(world, vpc_of(world, "local-app-west"))
    atlas_api(world["atlas"], "DELETE", f"/groups/{project}/peers/{west['id']}")
    wait_until("the deleted peering to be gone", lambda: peering_of(world, west["vpcId"]) is None)
    # local-legacy-east: its peering replaced by a request someone rejected in AWS.
    legacy = peering_of(world, world["vpc_id"])
    atlas_api(world["atlas"], "DELETE", f"/groups/{project}/peers/{legacy['id']}")
    wait_until("the legacy peering to be gone", lambda: peering_of(world, world["vpc_id"]) is None)
    atlas_api(world["atlas"], "POST", f"/groups/{project}/peers", {
        "containerId": legacy["containerId"], "providerName": "AWS", "accepterRegionName": "us-east-1",
        "awsAccountId": legacy["awsAccountId"], "routeTableCidrBlock": EXISTING_VPC_CIDR, "vpcId": world["vpc_id"]})
    pending = wait_until("a pcx for the new request", lambda: (peering_of(world, world["vpc_id"]) or {}).get("connectionId"))
    aws_client(moto_url, "ec2", "us-east-1").reject_vpc_peering_connection(VpcPeeringConnectionId=pending)
    wait_until("FAILED/REJECTED", lambda: peering_of(world, world["vpc_id"])["statusName"] == "FAILED")
    # local-app-east: its stack updated out of band with another template and another parameter value. Both touch only the
    # security group, because moto updates only security groups in place (an update touching the VPC, e.g. its Name tag,
    # loses the VPC from moto's stack: a moto gap, not AWS behaviour).
    east_stack = HOSTS["local-app-east"][2]
    cfn = aws_client(moto_url, "cloudformation", "us-east-1")
    params = [{"ParameterKey": k, "UsePreviousValue": True} for k in ("Name", "VpcCidr", "SubnetACidr", "SubnetBCidr")]
    with open(os.path.join(REPO_ROOT, "roles", "vpc_peering", "files", "network.cfn.yml"), encoding="utf-8") as template:
        edited = template.read().replace("GroupDescription: Application access to MongoDB Atlas over the VPC peering",
                                         "GroupDescription: edited by hand")
    assert "edited by hand" in edited
    cfn.update_stack(StackName=east_stack, TemplateBody=edited,
                     Parameters=params + [{"ParameterKey": "AtlasCidr", "ParameterValue": "192.168.100.0/24"}])

    run = check(world)
    west_tables = stack_outputs(moto_url, "local-app-west")["RouteTableIds"].split(",")
    assert_drift_exactly(run, {
        "local-app-east": [f"stack {east_stack} parameters changed: AtlasCidr 192.168.100.0/24 -> 192.168.248.0/21",
                           f"stack {east_stack}: template changed"],
        # Its routes still point at the first peering's pcx, deleted with it.
        "local-legacy-east": ["peering: FAILED/REJECTED"] + ["route rtb-"] * 3,
        # The old pcx went with the peering: its routes point at a connection that no longer serves.
        "local-app-west": ["peering: missing"] + [f"route {t}: target pcx-" for t in west_tables],
    })

    repair = converge(world)
    for host in HOSTS:
        assert repair.changed(host) > 0, (host, repair.explain())
    got = peerings(world)
    assert len(got) == 3 and {p["statusName"] for p in got} == {"AVAILABLE"}, got
    deployed = {p["ParameterKey"]: p["ParameterValue"] for p in cfn.describe_stacks(StackName=east_stack)["Stacks"][0]["Parameters"]}
    assert deployed["AtlasCidr"] == ATLAS_CIDR["us-east-1"]
    assert "edited by hand" not in cfn.get_template(StackName=east_stack)["TemplateBody"]
    again = check(world)
    for host in HOSTS:
        assert again.changed(host) == 0, (host, again.drift)


def test_teardown_leaves_nothing_behind_and_a_second_teardown_changes_nothing(world):
    moto_url, project = world["moto"].url, world["atlas"]["project_id"]
    run = run_playbook(world["env"], "unpeer.yml")
    assert run.rc == 0, run.explain()
    for host in HOSTS:
        assert run.changed(host) > 0, (host, run.explain())
    # Each host waited for its peering to be gone, printing the status at each poll.
    (hosts,) = run.task_results("wait until the peering is gone")
    for host in HOSTS:
        labels = [item["_ansible_item_label"] for item in hosts[host]["results"]]
        assert labels[-1].endswith(": gone") and "gone" not in labels[0], (host, labels)
    # Atlas: no peering, no access-list entry, no container left in the project.
    assert peerings(world) == []
    assert access_list(world) == []
    assert atlas_api(world["atlas"], "GET", f"/groups/{project}/containers/all")["results"] == []
    # AWS: no stack, no VPC the role built, no live peering connection; the existing VPC is back to its own routes only.
    snap = aws_snapshot(moto_url)
    for key, side in snap.items():
        assert side["stacks"] == {} and side["change_sets"] == {}, (key, side["stacks"])
        assert {v["cidr"] for v in side["vpcs"].values()} <= {"172.31.0.0/16", EXISTING_VPC_CIDR}, (key, side["vpcs"])
        assert set(side["peerings"].values()) <= {"deleted"}, (key, side["peerings"])
        for table, routes in side["routes"].items():
            assert not any(r[0] in ATLAS_CIDR.values() for r in routes), (key, table, routes)

    again = run_playbook(world["env"], "unpeer.yml")
    assert again.rc == 0, again.explain()
    for host in HOSTS:
        assert again.changed(host) == 0, (host, again.explain())
    assert aws_snapshot(moto_url) == snap


def test_run_killed_right_after_the_peering_request_then_rerun_makes_no_duplicate(world):
    """SIGKILL the whole ansible-playbook process group the moment Atlas has answered the peering POST, then run again."""
    host = "local-legacy-east"
    world["sim"].clear_requests()
    argv = [ANSIBLE_PLAYBOOK, "playbooks/peer.yml", "-i", LOCAL_INVENTORY, "--limit", host]
    with subprocess.Popen(argv, cwd=REPO_ROOT, env=world["env"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True) as proc:
        try:
            wait_until("the peering POST", lambda: any(
                r["method"] == "POST" and r["path"].endswith("/peers") and r["status"] == 200 for r in world["sim"].requests()),
                # The AWS step polls for the pcx- id one interval (1 s) after the request, then accepts it at once: kill well before.
                timeout=120, interval=0.05)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert len([p for p in peerings(world) if p["vpcId"] == world["vpc_id"]]) == 1

    # Let Atlas (the simulator) request its pcx first: that AWS write is Atlas's own, not the check's.
    wait_until("Atlas's pcx", lambda: (peering_of(world, world["vpc_id"]) or {}).get("connectionId"))
    # What the interrupted run left is drift, reported read-only (the pcx stays pending-acceptance: check mode accepts nothing).
    report = check(world)
    found = report.drift[host]
    assert any(f.startswith("peering: pending acceptance of pcx-") for f in found), (found, report.explain())
    assert sum(f.startswith("route rtb-") for f in found) == 3, found
    # The access list went first in the step that requested the peering: the entry is there (ACTIVE or still PENDING).
    assert "10.30.0.0/16" in access_list(world) and "access list 10.30.0.0/16: missing" not in found, found

    rerun = converge(world, "--limit", host)
    assert rerun.changed(host) > 0
    mine = [p for p in peerings(world) if p["vpcId"] == world["vpc_id"]]
    assert len(mine) == 1 and mine[0]["statusName"] == "AVAILABLE", mine
    # check() cleared the request log: the rerun adopted the interrupted run's request and posted none of its own.
    posts = [r for r in world["sim"].requests() if r["method"] == "POST" and r["path"].endswith("/peers")]
    assert posts == [], posts
    live = [code for code in aws_snapshot(world["moto"].url)["123456789012/us-east-1"]["peerings"].values() if code != "deleted"]
    assert live == ["active"], live

    cleanup = run_playbook(world["env"], "unpeer.yml", "--limit", host)
    assert cleanup.rc == 0, cleanup.explain()
    assert peerings(world) == []
