"""atlas_container and atlas_container_info through real ansible-playbook runs against the simulator."""

from support.playbooks import expect_failure, run_tasks, task

CIDR = "192.168.248.0/21"
OTHER_CIDR = "10.8.0.0/22"


def container(name, **args):
    return task(name, "atlas_container", args)


def test_container_lifecycle(play, atlas_env):
    sim = atlas_env["sim"]
    run = play([
        task("info before", "atlas_container_info", {"region": "us-east-1"}),
        dict(container("create in check mode", region="us-east-1", atlas_cidr_block=CIDR), check_mode=True, diff=True),
        container("create", region="us-east-1", atlas_cidr_block=CIDR),
        container("create again", region="US_EAST_1", atlas_cidr_block=CIDR),
        container("adopt without a CIDR", region="us-east-1"),
        dict(container("update in check mode", region="us-east-1", atlas_cidr_block=OTHER_CIDR), check_mode=True, diff=True),
        dict(container("update", region="us-east-1", atlas_cidr_block=OTHER_CIDR), diff=True),
        container("update again", region="us-east-1", atlas_cidr_block=OTHER_CIDR),
        task("info after", "atlas_container_info", {"region": "US_EAST_1"}),
        task("info of a region without one", "atlas_container_info", {"region": "eu-west-1"}),
        dict(container("delete in check mode", region="us-east-1", state="absent"), check_mode=True, diff=True),
        container("delete", region="us-east-1", state="absent"),
        container("delete again", region="us-east-1", state="absent"),
        task("info at the end", "atlas_container_info", {}),
    ])
    assert run.returncode == 0, run.stderr

    assert run["info before"]["containers"] == [] and run["info before"]["container"] is None

    check = run["create in check mode"]
    assert check["changed"] is True
    assert run.writes("create in check mode") == []
    assert check["diff"]["before"] == {}
    assert check["diff"]["after"]["atlas_cidr_block"] == CIDR and check["diff"]["after"]["id"] is None
    assert check["container"]["region_name"] == "US_EAST_1" and check["container"]["aws_region"] == "us-east-1"

    created = run["create"]
    assert created["changed"] is True
    assert [(w["method"], w["path"]) for w in run.writes("create")] == [("POST", "/api/atlas/v2/groups/%s/containers" % atlas_env["project_id"])]
    assert created["container"]["id"] and created["container"]["atlas_cidr_block"] == CIDR
    assert created["container"]["region_name"] == "US_EAST_1" and created["container"]["aws_region"] == "us-east-1"

    for name in ("create again", "adopt without a CIDR", "update again", "delete again"):
        assert run[name]["changed"] is False, name
        assert run.writes(name) == [], name
    assert run["adopt without a CIDR"]["container"] == created["container"]

    assert run["update in check mode"]["changed"] is True and run.writes("update in check mode") == []
    assert run["update in check mode"]["diff"]["before"]["atlas_cidr_block"] == CIDR
    assert run["update in check mode"]["diff"]["after"]["atlas_cidr_block"] == OTHER_CIDR
    updated = run["update"]
    assert updated["changed"] is True and updated["container"]["atlas_cidr_block"] == OTHER_CIDR
    assert updated["diff"] == {"before": dict(created["container"]), "after": updated["container"]}
    assert [w["method"] for w in run.writes("update")] == ["PATCH"]

    info = run["info after"]
    assert info["changed"] is False
    assert info["container"] == updated["container"]
    assert info["containers"] == [updated["container"]]
    assert run["info of a region without one"]["container"] is None

    assert run["delete in check mode"]["changed"] is True and run.writes("delete in check mode") == []
    assert run["delete in check mode"]["diff"] == {"before": updated["container"], "after": {}}
    assert run["delete"]["changed"] is True and run["delete"]["container"] is None
    assert [w["method"] for w in run.writes("delete")] == ["DELETE"]
    assert run["info at the end"]["containers"] == []
    assert sim.state() is not None


def test_container_by_project_name_and_play_level_check_mode(play, atlas_env):
    project = {"project_name": atlas_env["project_name"]}
    run = play([container("create", region="eu-west-1", atlas_cidr_block=CIDR, **project)], module_defaults=False, check=True, diff=True)
    assert run.returncode == 0, run.stderr
    assert run["create"]["changed"] is True
    assert run["create"]["container"]["region_name"] == "EU_WEST_1"
    assert [r["path"] for r in run.api_requests("create")][0] == "/api/atlas/v2/groups/byName/%s" % atlas_env["project_name"]
    assert run.writes("create") == []
    assert atlas_env["sim"].writes() == []


def test_locked_container_and_in_use_delete(play, atlas_env):
    """A peering locks the CIDR: a different CIDR fails with both CIDRs; deleting reports CONTAINERS_IN_USE."""
    run = play([
        container("create", region="us-east-1", atlas_cidr_block=CIDR),
        task("peer", "atlas_vpc_peering", {"region": "us-east-1", "aws_account_id": "123456789012", "vpc_id": "vpc-0123456789abcdef0",
                                           "route_table_cidr_block": "10.20.0.0/16", "wait_for": "none"}),
        expect_failure("change a locked CIDR", "atlas_container", {"region": "us-east-1", "atlas_cidr_block": OTHER_CIDR}),
        dict(expect_failure("change a locked CIDR in check mode", "atlas_container", {"region": "us-east-1", "atlas_cidr_block": OTHER_CIDR}),
             check_mode=True),
        expect_failure("delete while in use", "atlas_container", {"region": "us-east-1", "state": "absent"}),
        dict(container("delete while in use in check mode", region="us-east-1", state="absent"), check_mode=True),
    ])
    locked = run["change a locked CIDR"]
    assert locked["failed"] is True
    assert CIDR in locked["msg"] and OTHER_CIDR in locked["msg"] and "peering" in locked["msg"]
    assert locked["current_cidr"] == CIDR and locked["wanted_cidr"] == OTHER_CIDR
    assert run.writes("change a locked CIDR") == []
    assert run["change a locked CIDR in check mode"]["failed"] is True

    in_use = run["delete while in use"]
    assert in_use["failed"] is True and in_use["error_code"] == "CONTAINERS_IN_USE"
    assert "CONTAINERS_IN_USE" in in_use["msg"] and "delete the peerings" in in_use["msg"]
    check = run["delete while in use in check mode"]
    assert check["changed"] is True and run.writes("delete while in use in check mode") == []
    assert any("CONTAINERS_IN_USE" in w for w in check.get("warnings", []))


def test_container_validation_errors(play, atlas_env):
    """Each bad input fails before any API call, naming the option, the value and the rule."""
    pid = {"project_id": atlas_env["project_id"]}
    cases = [
        # (task name, module, args, words the message must contain)
        ("unknown region", "atlas_container", dict(pid, region="moon-east-1", atlas_cidr_block=CIDR), ["region", "moon-east-1", "AWS regions"]),
        ("GLOBAL is no AWS region", "atlas_container", dict(pid, region="GLOBAL", atlas_cidr_block=CIDR), ["region", "GLOBAL", "not an AWS region"]),
        ("public CIDR", "atlas_container", dict(pid, region="us-east-1", atlas_cidr_block="8.8.0.0/21"), ["atlas_cidr_block", "8.8.0.0/21", "RFC 1918"]),
        ("too large", "atlas_container", dict(pid, region="us-east-1", atlas_cidr_block="10.0.0.0/16"), ["atlas_cidr_block", "10.0.0.0/16", "/21 to /24"]),
        ("host bits", "atlas_container", dict(pid, region="us-east-1", atlas_cidr_block="10.8.1.0/21"), ["atlas_cidr_block", "10.8.1.0/21", "10.8.0.0/21"]),
        ("not a CIDR", "atlas_container", dict(pid, region="us-east-1", atlas_cidr_block="banana"), ["atlas_cidr_block", "banana", "CIDR notation"]),
        ("no CIDR to create", "atlas_container", dict(pid, region="us-east-1"), ["atlas_cidr_block", "required to create", "US_EAST_1"]),
        ("info with unknown region", "atlas_container_info", dict(pid, region="mars-1"), ["region", "mars-1"]),
        ("bad project id", "atlas_container_info", {"project_id": "nope"}, ["project_id", "nope", "24 lower-case hex"]),
        ("unknown project name", "atlas_container_info", {"project_name": "no-such-project"}, ["GROUP_NAME_NOT_FOUND"]),
        ("no project", "atlas_container_info", {}, ["project_id", "project_name"]),
    ]
    run = play([expect_failure(name, module, args) for name, module, args, _words in cases], module_defaults=False)
    for name, _module, _args, words in cases:
        result = run[name]
        assert result["failed"] is True, name
        for word in words:
            assert word in result["msg"], (name, word, result["msg"])
    # Input errors fail before any call; "no CIDR to create" needs one read to know there is no container.
    for name, _module, _args, _words in cases:
        if name not in ("no CIDR to create", "unknown project name"):
            assert run.api_requests(name) == [], name
    assert atlas_env["sim"].writes() == []


def test_clusters_lock_the_cidr_too(play, atlas_env):
    """A provisioned container (clusters run in it) keeps its CIDR even without a peering."""
    atlas_env["sim"].seed({"containers": [{"project": atlas_env["project_name"], "regionName": "AP_SOUTHEAST_2",
                                           "atlasCidrBlock": CIDR, "clusters": True}]})
    run = play([
        container("adopt the provisioned one", region="ap-southeast-2", atlas_cidr_block=CIDR),
        expect_failure("change its CIDR", "atlas_container", {"region": "ap-southeast-2", "atlas_cidr_block": OTHER_CIDR}),
    ])
    assert run["adopt the provisioned one"]["changed"] is False
    assert run["adopt the provisioned one"]["container"]["provisioned"] is True
    assert run["adopt the provisioned one"]["container"]["vpc_id"].startswith("vpc-")
    locked = run["change its CIDR"]
    assert locked["failed"] is True and "provisioned" in locked["msg"] and CIDR in locked["msg"] and OTHER_CIDR in locked["msg"]
    assert run.writes("change its CIDR") == []


def test_diff_as_a_person_sees_it(play, atlas_env):
    """ansible-playbook --check --diff with the default callback shows the container that would be created."""
    done = play([container("create", region="us-east-1", atlas_cidr_block=CIDR)], check=True, diff=True, terminal=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "changed: [localhost]" in done.stdout
    assert "--- before\n+++ after\n" in done.stdout and "-    {}\n" in done.stdout
    assert "+    atlas_cidr_block: %s\n" % CIDR in done.stdout
    assert "+    region_name: US_EAST_1\n" in done.stdout and "+    aws_region: us-east-1\n" in done.stdout
    assert atlas_env["sim"].writes() == []


def test_a_read_only_key_can_run_check_mode_but_not_write(atlas_env, tmp_path):
    """Drift detection needs only Project Read Only; a real change with that key fails naming Atlas's errorCode."""
    read_only = dict(atlas_env, env=dict(atlas_env["env"], MONGODB_ATLAS_PUBLIC_KEY=atlas_env["readonly_public_key"],
                                         MONGODB_ATLAS_PRIVATE_KEY=atlas_env["readonly_private_key"]))
    run = run_tasks(read_only, tmp_path, [
        dict(container("create in check mode", region="us-east-1", atlas_cidr_block=CIDR), check_mode=True),
        expect_failure("create", "atlas_container", {"region": "us-east-1", "atlas_cidr_block": CIDR}),
    ])
    assert run["create in check mode"]["changed"] is True
    refused = run["create"]
    assert refused["failed"] is True and refused["error_code"] == "USER_UNAUTHORIZED" and refused["status"] == 401
    assert "USER_UNAUTHORIZED" in refused["msg"] and "create the AWS container in US_EAST_1" in refused["msg"]


def test_service_account_credentials(atlas_env, tmp_path):
    made = atlas_env["sim"].seed({"service_accounts": [{"roles": {atlas_env["project_name"]: "owner"}}]})["service_accounts"][0]
    env = {key: value for key, value in atlas_env["env"].items() if key not in ("MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY")}
    env.update(MONGODB_ATLAS_CLIENT_ID=made["client_id"], MONGODB_ATLAS_CLIENT_SECRET=made["client_secret"])
    run = run_tasks(dict(atlas_env, env=env), tmp_path, [container("create", region="us-east-1", atlas_cidr_block=CIDR)])
    assert run["create"]["changed"] is True, run["create"]
    assert made["client_secret"] not in run.stdout


def test_lost_answers_are_resolved_by_reading_again(play, atlas_env):
    """The connection drops after Atlas committed the write: the module reads again instead of writing twice."""
    sim = atlas_env["sim"]
    sim.add_fault(method="POST", path="/containers$", kind="drop", count=1)
    run = play([container("create with the answer lost", region="us-east-1", atlas_cidr_block=CIDR)])
    created = run["create with the answer lost"]
    assert created["changed"] is True and created["container"]["id"] and created["container"]["atlas_cidr_block"] == CIDR
    assert [w["method"] for w in run.writes("create with the answer lost")] == ["POST"]

    sim.add_fault(method="PATCH", path="/containers/", kind="drop", count=1)
    sim.add_fault(method="DELETE", path="/containers/", kind="drop", count=1)
    run = play([
        container("update with the answer lost", region="us-east-1", atlas_cidr_block=OTHER_CIDR),
        container("delete with the answer lost", region="us-east-1", state="absent"),
        task("read back", "atlas_container_info", {}),
    ])
    assert run["update with the answer lost"]["changed"] is True
    assert run["update with the answer lost"]["container"]["atlas_cidr_block"] == OTHER_CIDR
    assert [w["method"] for w in run.writes("update with the answer lost")] == ["PATCH"]
    assert run["delete with the answer lost"]["changed"] is True
    assert [w["method"] for w in run.writes("delete with the answer lost")] == ["DELETE"]
    assert run["read back"]["containers"] == []


def test_atlas_refusals_name_the_error_code(play, atlas_env):
    run = play([
        container("create in us-east-1", region="us-east-1", atlas_cidr_block=CIDR),
        expect_failure("overlapping CIDR in eu-west-1", "atlas_container", {"region": "eu-west-1", "atlas_cidr_block": "192.168.248.0/22"}),
    ])
    refused = run["overlapping CIDR in eu-west-1"]
    assert refused["failed"] is True and refused["error_code"] == "OVERLAPPING_ATLAS_CIDR_BLOCK" and refused["status"] == 409
    assert refused["msg"].startswith("Failed to create the AWS container in EU_WEST_1 with CIDR 192.168.248.0/22: ")
    assert "OVERLAPPING_ATLAS_CIDR_BLOCK" in refused["msg"]
