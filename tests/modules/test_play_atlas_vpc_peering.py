"""atlas_vpc_peering through real ansible-playbook runs: the simulator requests real VPC peerings in moto, which the
tests accept or reject on the customer side with boto3."""

import threading
import time

import boto3
import pytest

from support.playbooks import assert_refused_before_any_call, expect_failure, task

ATLAS_CIDR = "192.168.248.0/21"
VPC_CIDR = "10.20.0.0/16"
ACCOUNT = "123456789012"  # moto's default account plays the customer


@pytest.fixture
def customer_ec2(atlas_env):
    return boto3.client("ec2", endpoint_url=atlas_env["aws_endpoint"], region_name="us-east-1",
                        aws_access_key_id=atlas_env["aws_access_key_id"], aws_secret_access_key=atlas_env["aws_secret_access_key"])


@pytest.fixture
def customer_vpc(customer_ec2):
    return customer_ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]


def finish_finalizing_after_a_read(sim, peer_path, timeout=120):
    """Let a FINALIZING peering turn AVAILABLE once a client has read it by id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r["method"] == "GET" and r["path"] == peer_path and not r.get("challenge") for r in sim.requests()):
            break
        time.sleep(0.1)
    sim.config(finalizing_delay=0)


def peering(name, vpc_id, **args):
    return task(name, "atlas_vpc_peering", dict({"region": "us-east-1", "aws_account_id": ACCOUNT, "vpc_id": vpc_id,
                                                 "route_table_cidr_block": VPC_CIDR}, **args))


def container_task():
    return task("container", "atlas_container", {"region": "us-east-1", "atlas_cidr_block": ATLAS_CIDR})


def pcx_status(ec2, pcx_id):
    return ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"][0]["Status"]["Code"]


def test_peering_lifecycle(play, atlas_env, customer_ec2, customer_vpc):
    peers_path = "/api/atlas/v2/groups/%s/peers" % atlas_env["project_id"]
    run = play([
        container_task(),
        dict(peering("request in check mode", customer_vpc), check_mode=True, diff=True),
        dict(peering("request", customer_vpc), diff=True),
        peering("request again", customer_vpc, accepter_region="US_EAST_1"),
        dict(peering("change the route CIDR in check mode", customer_vpc, route_table_cidr_block="10.20.0.0/17"), check_mode=True, diff=True),
        dict(peering("change the route CIDR", customer_vpc, route_table_cidr_block="10.20.0.0/17"), diff=True),
        peering("change the route CIDR again", customer_vpc, route_table_cidr_block="10.20.0.0/17"),
        expect_failure("wait for AVAILABLE before anyone accepts", "atlas_vpc_peering",
                       {"region": "us-east-1", "aws_account_id": ACCOUNT, "vpc_id": customer_vpc, "route_table_cidr_block": "10.20.0.0/17",
                        "wait_for": "available", "wait_timeout": 2}),
    ])
    assert run.returncode == 0, run.stderr

    check = run["request in check mode"]
    assert check["changed"] is True and run.writes("request in check mode") == []
    assert check["peering"]["id"] is None and check["peering"]["vpc_id"] == customer_vpc
    assert check["peering"]["atlas_cidr_block"] == ATLAS_CIDR and check["peering"]["accepter_region"] == "us-east-1"
    assert check["diff"]["before"] == {} and check["diff"]["after"] == check["peering"]

    requested = run["request"]
    assert requested["changed"] is True
    assert [(w["method"], w["path"]) for w in run.writes("request")] == [("POST", peers_path)]
    found = requested["peering"]
    assert found["connection_id"].startswith("pcx-"), "wait_for=connection returns once the pcx- id is known"
    assert found["status_name"] == "PENDING_ACCEPTANCE"
    assert found["container_id"] == run["container"]["container"]["id"]
    assert (found["aws_account_id"], found["vpc_id"], found["route_table_cidr_block"]) == (ACCOUNT, customer_vpc, VPC_CIDR)
    assert (found["accepter_region"], found["region_name"], found["aws_region"]) == ("us-east-1", "US_EAST_1", "us-east-1")
    assert found["atlas_cidr_block"] == ATLAS_CIDR and found["error_state_name"] is None
    assert requested["diff"]["before"] == {} and requested["diff"]["after"] == found

    again = run["request again"]
    assert again["changed"] is False and run.writes("request again") == [], "a null accepterRegionName is the container's region"
    assert again["peering"]["id"] == found["id"]

    change_check = run["change the route CIDR in check mode"]
    assert change_check["changed"] is True and run.writes("change the route CIDR in check mode") == []
    assert change_check["diff"]["before"]["route_table_cidr_block"] == VPC_CIDR
    assert change_check["diff"]["after"]["route_table_cidr_block"] == "10.20.0.0/17"
    changed = run["change the route CIDR"]
    assert changed["changed"] is True and changed["peering"]["route_table_cidr_block"] == "10.20.0.0/17"
    assert [(w["method"], w["path"]) for w in run.writes("change the route CIDR")] == [("PATCH", "%s/%s" % (peers_path, found["id"]))]
    assert run["change the route CIDR again"]["changed"] is False and run.writes("change the route CIDR again") == []
    timed_out = run["wait for AVAILABLE before anyone accepts"]
    assert timed_out["failed"] is True and "still PENDING_ACCEPTANCE after 2 s" in timed_out["msg"]
    assert "Accept %s in AWS account %s, region us-east-1" % (found["connection_id"], ACCOUNT) in timed_out["msg"]
    assert timed_out["peering"]["id"] == found["id"]

    # The customer accepts in AWS; Atlas then reports FINALIZING and AVAILABLE. FINALIZING lasts until the module has
    # read the peering once (a fixed delay from the accept would race the start of ansible-playbook on a loaded machine).
    sim = atlas_env["sim"]
    sim.config(finalizing_delay=3600)
    customer_ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=found["connection_id"])
    sim.clear_requests()  # the first play read the peering by id too
    finalize = threading.Thread(target=finish_finalizing_after_a_read, args=(sim, "%s/%s" % (peers_path, found["id"])), daemon=True)
    finalize.start()
    run = play([
        peering("wait until available", found["vpc_id"], route_table_cidr_block="10.20.0.0/17", wait_for="available", wait_timeout=60),
        dict(peering("delete in check mode", customer_vpc, state="absent"), check_mode=True, diff=True),
        dict(peering("delete", customer_vpc, state="absent"), diff=True),
        peering("delete again", customer_vpc, state="absent"),
        task("container can go now", "atlas_container", {"region": "us-east-1", "state": "absent"}),
        peering("delete when the container is gone too", customer_vpc, state="absent"),
    ])
    finalize.join(timeout=5)
    assert run.returncode == 0, run.stderr
    available = run["wait until available"]
    assert available["changed"] is False and available["peering"]["status_name"] == "AVAILABLE"
    polls = [r for r in run.api_requests("wait until available") if r["path"] == "%s/%s" % (peers_path, found["id"])]
    assert len(polls) >= 2, "it polled the peering until FINALIZING turned AVAILABLE"

    assert run["delete in check mode"]["changed"] is True and run.writes("delete in check mode") == []
    assert run["delete in check mode"]["diff"]["before"]["id"] == found["id"] and run["delete in check mode"]["diff"]["after"] == {}
    deleted = run["delete"]
    assert deleted["changed"] is True and deleted["peering"] is None
    assert deleted["diff"]["before"]["status_name"] == "AVAILABLE"
    assert [w["method"] for w in run.writes("delete")] == ["DELETE"]
    for name in ("delete again", "delete when the container is gone too"):
        assert run[name]["changed"] is False and run.writes(name) == [], name
    assert run["container can go now"]["changed"] is True, "the peering was gone when the module returned"
    assert pcx_status(customer_ec2, found["connection_id"]) == "deleted"


def test_failed_peering_reports_the_reason_or_is_recreated(play, atlas_env, customer_ec2, customer_vpc):
    run = play([container_task(), peering("request", customer_vpc)])
    first = run["request"]["peering"]
    customer_ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=first["connection_id"])
    run = play([
        expect_failure("rejected", "atlas_vpc_peering", {"region": "us-east-1", "aws_account_id": ACCOUNT, "vpc_id": customer_vpc,
                                                         "route_table_cidr_block": VPC_CIDR}),
        dict(peering("recreate in check mode", customer_vpc, recreate_failed=True), check_mode=True),
        peering("recreate", customer_vpc, recreate_failed=True),
    ])
    rejected = run["rejected"]
    assert rejected["failed"] is True and rejected["error_state_name"] == "REJECTED"
    assert "REJECTED" in rejected["msg"] and "rejected the peering request in AWS account %s" % ACCOUNT in rejected["msg"]
    assert run.writes("rejected") == []
    assert run["recreate in check mode"]["changed"] is True and run.writes("recreate in check mode") == []
    recreated = run["recreate"]
    assert recreated["changed"] is True
    assert [w["method"] for w in run.writes("recreate")] == ["DELETE", "POST"]
    assert recreated["peering"]["id"] != first["id"]
    assert recreated["peering"]["connection_id"].startswith("pcx-") and recreated["peering"]["connection_id"] != first["connection_id"]
    assert recreated["peering"]["status_name"] == "PENDING_ACCEPTANCE"


def test_invalid_and_expired_peerings_name_the_remedy(play, atlas_env, customer_vpc):
    atlas_env["sim"].config(peering_expiry=1.0)
    run = play([
        container_task(),
        expect_failure("a VPC that does not exist", "atlas_vpc_peering",
                       {"region": "us-east-1", "aws_account_id": ACCOUNT, "vpc_id": "vpc-0123456789abcdef0", "route_table_cidr_block": "10.30.0.0/16"}),
        peering("request", customer_vpc, wait_for="connection"),
        task("let it expire", "ansible.builtin.wait_for", {"timeout": 2}),
        expect_failure("expired", "atlas_vpc_peering", {"region": "us-east-1", "aws_account_id": ACCOUNT, "vpc_id": customer_vpc,
                                                        "route_table_cidr_block": VPC_CIDR, "wait_for": "none"}),
    ])
    invalid = run["a VPC that does not exist"]
    assert invalid["failed"] is True and invalid["error_state_name"] == "INVALID_ARGUMENT"
    assert "INVALID_ARGUMENT" in invalid["msg"] and "check that the VPC exists" in invalid["msg"]
    assert [w["method"] for w in run.writes("a VPC that does not exist")] == ["POST"]
    expired = run["expired"]
    assert expired["failed"] is True and expired["error_state_name"] == "EXPIRED"
    assert "within 7 days" in expired["msg"] and "recreate_failed=true" in expired["msg"]


def test_lost_answer_to_the_request_adopts_instead_of_duplicating(play, atlas_env, customer_vpc):
    atlas_env["sim"].add_fault(method="POST", path="/peers$", kind="drop", count=1)
    run = play([container_task(), peering("request with the answer lost", customer_vpc)])
    result = run["request with the answer lost"]
    assert result["changed"] is True, result
    assert [w["method"] for w in run.writes("request with the answer lost")] == ["POST"], "no second POST"
    assert result["peering"]["connection_id"].startswith("pcx-")
    assert [p["id"] for p in atlas_env["sim"].state()["peerings"]] == [result["peering"]["id"]], "exactly one peering exists"


def test_terminating_peering_is_not_an_error(play, atlas_env, customer_vpc):
    atlas_env["sim"].config(terminating_delay=6.0)  # margin for a loaded machine between two tasks
    run = play([
        container_task(),
        peering("request", customer_vpc, wait_for="none"),
        peering("request deletion", customer_vpc, state="absent", wait_for="none"),
        peering("delete while terminating", customer_vpc, state="absent", wait_for="none"),
        peering("wait until gone", customer_vpc, state="absent"),
        task("container can go now", "atlas_container", {"region": "us-east-1", "state": "absent"}),
    ])
    assert run.returncode == 0, run.stderr
    assert run["request deletion"]["changed"] is True
    assert run["request deletion"]["peering"]["status_name"] == "TERMINATING", "wait_for=none reports what Atlas still has"
    assert run["delete while terminating"]["changed"] is False and run.writes("delete while terminating") == []
    assert run["delete while terminating"]["peering"]["status_name"] == "TERMINATING"
    assert run["wait until gone"]["peering"] is None
    assert run["delete while terminating"]["diff"]["before"]["status_name"] == "TERMINATING"
    assert run["wait until gone"]["changed"] is False and run.writes("wait until gone") == []
    assert run["container can go now"]["changed"] is True


def test_peering_validation_errors(play, atlas_env, customer_vpc):
    base = {"region": "us-east-1", "aws_account_id": ACCOUNT, "vpc_id": customer_vpc, "route_table_cidr_block": VPC_CIDR}
    cases = [
        ("short account id", dict(base, aws_account_id="12345"), ["aws_account_id", "12345", "12 digits"]),
        ("bad VPC id", dict(base, vpc_id="vpc-xyz"), ["vpc_id", "vpc-xyz", "8 or 17"]),
        ("public route CIDR", dict(base, route_table_cidr_block="8.8.0.0/16"), ["route_table_cidr_block", "8.8.0.0/16", "RFC 1918"]),
        ("route CIDR with host bits", dict(base, route_table_cidr_block="10.20.1.0/16"), ["route_table_cidr_block", "10.20.0.0/16"]),
        ("unknown region", dict(base, region="us-middle-1"), ["region", "us-middle-1"]),
        ("unknown accepter region", dict(base, accepter_region="EU_MOON_1"), ["accepter_region", "EU_MOON_1"]),
        ("container id and region", dict(base, container_id="0123456789abcdef01234567"), ["mutually exclusive", "container_id", "region"]),
        ("neither container id nor region", dict((k, v) for k, v in base.items() if k != "region"), ["container_id", "region"]),
        ("present without route CIDR", dict((k, v) for k, v in base.items() if k != "route_table_cidr_block"), ["route_table_cidr_block"]),
        ("bad container id", dict(dict((k, v) for k, v in base.items() if k != "region"), container_id="c1"), ["container_id", "c1", "24"]),
        ("negative timeout", dict(base, wait_timeout=-5), ["wait_timeout", "-5"]),
        ("bad wait_for", dict(base, wait_for="forever"), ["wait_for", "forever"]),
    ]
    run = play([expect_failure(name, "atlas_vpc_peering", args) for name, args, _words in cases]
               + [expect_failure("no container in the region", "atlas_vpc_peering", base),
                  expect_failure("unknown container id", "atlas_vpc_peering",
                                 dict(dict((k, v) for k, v in base.items() if k != "region"), container_id="0123456789abcdef01234567")),
                  task("absent with an unknown container id", "atlas_vpc_peering",
                       dict(dict((k, v) for k, v in base.items() if k != "region"), container_id="0123456789abcdef01234567", state="absent"))])
    assert_refused_before_any_call(run, cases)
    assert "create it first with cloudwire.atlas.atlas_container" in run["no container in the region"]["msg"]
    assert "container_id" in run["unknown container id"]["msg"] and "0123456789abcdef01234567" in run["unknown container id"]["msg"]
    assert run["absent with an unknown container id"]["changed"] is False, "no container, no peering: nothing to delete"
    assert atlas_env["sim"].writes() == []


def test_a_change_waits_for_a_state_that_allows_it(play, atlas_env, customer_vpc):
    """Atlas refuses PATCH while INITIATING: the module waits for PENDING_ACCEPTANCE, then changes the route CIDR."""
    atlas_env["sim"].config(initiating_delay=5.0)  # margin for a loaded machine between two tasks
    run = play([
        container_task(),
        peering("request", customer_vpc, wait_for="none"),
        peering("change while initiating", customer_vpc, route_table_cidr_block="10.20.0.0/17", wait_for="none", wait_timeout=30),
    ])
    assert run.returncode == 0, run.stderr
    assert run["request"]["peering"]["status_name"] == "INITIATING"
    changed = run["change while initiating"]
    assert changed["changed"] is True and changed["peering"]["route_table_cidr_block"] == "10.20.0.0/17"
    assert changed["diff"]["before"]["status_name"] == "INITIATING"
    assert [w["method"] for w in run.writes("change while initiating")] == ["PATCH"], "one PATCH, sent once Atlas accepts it"
    assert all(r["status"] == 200 for r in run.api_requests("change while initiating")), "no PEER_INVALID_STATE on the way"


def test_cross_region_peering_reports_and_keeps_its_accepter_region(play, atlas_env):
    """A VPC in another region than the container: Atlas returns accepterRegionName, and a rerun is no change."""
    west = boto3.client("ec2", endpoint_url=atlas_env["aws_endpoint"], region_name="us-west-2",
                        aws_access_key_id=atlas_env["aws_access_key_id"], aws_secret_access_key=atlas_env["aws_secret_access_key"])
    vpc_id = west.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    run = play([
        container_task(),
        peering("request across regions", vpc_id, accepter_region="US_WEST_2"),
        peering("request across regions again", vpc_id, accepter_region="us-west-2"),
        dict(peering("without accepter_region it would move to the container's region", vpc_id), check_mode=True, diff=True),
    ])
    assert run.returncode == 0, run.stderr
    first = run["request across regions"]["peering"]
    assert first["accepter_region"] == "us-west-2" and first["aws_region"] == "us-east-1" and first["connection_id"].startswith("pcx-")
    assert west.describe_vpc_peering_connections(VpcPeeringConnectionIds=[first["connection_id"]])["VpcPeeringConnections"]
    assert run["request across regions again"]["changed"] is False and run.writes("request across regions again") == []
    moved = run["without accepter_region it would move to the container's region"]
    assert moved["changed"] is True and run.writes("without accepter_region it would move to the container's region") == []
    assert (moved["diff"]["before"]["accepter_region"], moved["diff"]["after"]["accepter_region"]) == ("us-west-2", "us-east-1")
