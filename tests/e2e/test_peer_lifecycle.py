"""The product end to end: playbooks/peer.yml and unpeer.yml on inventories/local (3 VPCs: 2 regions, 2 AWS accounts, one
existing VPC) against moto server and the Atlas simulator.

The tests of this module share one converged state and run in file order (converge, rerun, check, drifts, teardown); each
asserts on what it sees, so a failure early on makes the later ones fail loudly rather than pass vacuously.
"""

import pytest

from e2e_helpers import (ATLAS_CIDR, EXISTING_VPC_CIDR, HOSTS, aws_client, aws_snapshot, create_existing_vpc, playbook_env,
                         run_playbook, stack_outputs)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(moto_server, atlas_simulator):
    """Fresh servers, the demo project, the existing VPC; the environment every run of this module uses."""
    from support.servers import CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY, environment, seed_project  # pylint: disable=import-outside-toplevel

    moto_server.reset()
    atlas_simulator.reset()
    atlas = seed_project(atlas_simulator, "cloudwire-e2e")
    atlas.update(aws_access_key_id=CUSTOMER_ACCESS_KEY_ID, aws_secret_access_key=CUSTOMER_SECRET_ACCESS_KEY)
    atlas["env"] = environment(atlas, moto_server.url)
    vpc_id = create_existing_vpc(moto_server.url)
    return {"sim": atlas_simulator, "moto": moto_server, "atlas": atlas, "vpc_id": vpc_id,
            "env": playbook_env(atlas, vpc_id), "runs": {}}


def peerings(world):
    return [p for p in world["sim"].state()["peerings"] if p["groupId"] == world["atlas"]["project_id"]]


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


def test_fresh_converge(world):
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
    # The run's drift summary (set_stats, for AWX) lists what it did on each host.
    assert "peering: missing" in run.drift["local-app-east"] and "stack cloudwire-local-app-east: missing" in run.drift["local-app-east"]


def test_second_run_changes_nothing(world):
    run = converge(world)
    for host in HOSTS:
        assert run.changed(host) == 0, (host, run.explain())
    assert run.custom["vpc_peering_drift_total"] == 0, run.custom


def test_check_mode_without_drift_reports_nothing_and_writes_nothing(world):
    run = check(world)
    for host in HOSTS:
        assert run.changed(host) == 0, (host, run.explain())
    assert run.custom["vpc_peering_drifted_hosts"] == [] and run.custom["vpc_peering_check_mode"] is True, run.custom
