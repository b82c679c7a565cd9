# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_step.py: one account and region's acceptances, routes and DNS, against a real botocore EC2 client answered by botocore's
Stubber (every call checked: operation, parameters, order). The role's use of it runs end to end in tests/e2e on moto."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import aws_step
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.aws_stub import Ended, StubbedModule
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply

GROUP = "5e2211c17a3e5a48f5497de3"
PEER = "5f0123456789abcdef012345"

ATLAS = "192.168.248.0/21"
PCX = "pcx-0a1b2c3d4e5f67890"


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """The VPCs one after the other: the Stubber answers in the order it was given."""
    monkeypatch.setattr(aws_step, "WRITE_THREADS", 1)


def apply(module, say=None):
    with pytest.raises(Ended) as ended:
        aws_step.apply(module, say)
    for stub in module.stubs.values():
        stub.assert_no_pending_responses()
    return ended.value.result


def step_params(**params):
    """The step's options as the module's argument spec gives them (polls without pauses)."""
    return dict(dict(poll_seconds=0.0, polls=3), **params)


def vpc(name, vpc_id, **actions):
    return dict(dict(name=name, vpc_id=vpc_id, accept=None, routes=None, routes_remove=None, dns=[], dns_check=False, peering_id=None,
                     wait_connection=False, requested_at=None, wait_available=False, entries=[]), **actions)


def routes(*tables):
    return dict(connection_id=PCX, route_table_ids=list(tables), changes=[dict(route_table_id=t, action="create") for t in tables])


def test_accept_then_route_then_dns_and_when_it_accepted():
    app = vpc("app", "vpc-0a1b2c3d", accept=PCX, routes=routes("rtb-0a"), dns=["EnableDnsHostnames"])
    module = StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=[app]))
    ec2 = module.stub("ec2")
    ec2.add_response("describe_vpc_peering_connections", {"VpcPeeringConnections": [
        {"VpcPeeringConnectionId": PCX, "Status": {"Code": "pending-acceptance"}}]}, {"VpcPeeringConnectionIds": [PCX]})
    ec2.add_response("accept_vpc_peering_connection", {}, {"VpcPeeringConnectionId": PCX})
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0a", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    ec2.add_response("modify_vpc_attribute", {}, {"VpcId": "vpc-0a1b2c3d", "EnableDnsHostnames": {"Value": True}})
    before = time.time()
    result = apply(module)
    mine = result["vpcs"]["app"]
    assert result["changed"] is True and not result.get("failed") and mine["error"] is None, result
    assert mine["done"] == ["peering: pending acceptance of %s" % PCX], mine
    assert mine["route_tables"] == [{"route_table_id": "rtb-0a", "after": {"target": PCX, "state": "active"}}], mine
    assert before <= mine["accepted_at"] <= time.time(), mine


def test_a_connection_accepted_meanwhile_is_not_accepted_again():
    """An interrupted run accepted it: the rerun finds it active and only routes through it."""
    module = StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", accept=PCX, routes=routes("rtb-0a"))]))
    ec2 = module.stub("ec2")
    ec2.add_response("describe_vpc_peering_connections", {"VpcPeeringConnections": [
        {"VpcPeeringConnectionId": PCX, "Status": {"Code": "active"}}]}, {"VpcPeeringConnectionIds": [PCX]})
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0a", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    mine = apply(module)["vpcs"]["app"]
    assert mine["changed"] is True and mine["done"] == [] and "accepted_at" not in mine, mine


def test_a_refused_call_fails_its_vpc_after_the_others_are_done():
    vpcs = [vpc("app", "vpc-0a1b2c3d", routes=routes("rtb-0a")), vpc("api", "vpc-0e5f6a7b", routes=routes("rtb-0e"))]
    module = StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=vpcs))
    ec2 = module.stub("ec2")
    ec2.add_client_error("create_route", service_error_code="UnauthorizedOperation", service_message="You are not authorized",
                         http_status_code=403)
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0e", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    result = apply(module)
    assert result["failed"] is True and result["changed"] is True, result
    assert result["msg"].startswith("app: ") and "UnauthorizedOperation" in result["msg"] and "api" not in result["msg"], result["msg"]
    assert result["vpcs"]["api"]["changed"] is True and result["vpcs"]["api"]["error"] is None, result


def test_the_tables_of_a_stack_this_run_deployed_are_read_once_and_only_what_lacks_the_route_is_written():
    module = StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", routes=dict(
        connection_id=PCX, route_table_ids=["rtb-0a", "rtb-0b"], changes=None))]))
    ec2 = module.stub("ec2")
    ec2.add_response("describe_route_tables", {"RouteTables": [
        {"RouteTableId": "rtb-0a", "Routes": [{"DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX, "State": "active"}]},
        {"RouteTableId": "rtb-0b", "Routes": []}]}, {"RouteTableIds": ["rtb-0a", "rtb-0b"]})
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0b", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    mine = apply(module)["vpcs"]["app"]
    assert mine["done"] == ["route rtb-0b: missing"] and [t["route_table_id"] for t in mine["route_tables"]] == ["rtb-0b"], mine


def test_a_destination_not_in_canonical_form_fails_before_any_call():
    module = StubbedModule(step_params(destination_cidr_block="192.168.248.1/21", vpcs=[vpc("app", "vpc-0a1b2c3d", accept=PCX)]))
    result = apply(module)
    assert result == dict(failed=True, msg="Invalid destination_cidr_block '192.168.248.1/21': not in canonical form, the block it "
                                           "names is 192.168.248.0/21")
    assert module.stubs == {}


# ---- the waits around the writes (Atlas: fake_atlas over HTTP, with digest auth) ---------------------------------------------
def waiting_module(atlas, *vpcs, **params):
    return StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=list(vpcs), base_url=atlas.url, public_key=atlas.public_key,
                                     private_key=atlas.private_key, project_id=GROUP, validate_certs=True, timeout=30, **params))


def peer_reply(status, connection_id=None, **extra):
    return Reply(200, dict(extra, id=PEER, statusName=status, connectionId=connection_id, awsAccountId="123456789012"),
                 match=("GET", "/api/atlas/v2/groups/%s/peers/%s" % (GROUP, PEER)))


def test_waits_for_the_pcx_id_accepts_at_once_routes_then_waits_for_available_and_the_entry(atlas):
    atlas.add(peer_reply("INITIATING"), peer_reply("PENDING_ACCEPTANCE", PCX), peer_reply("FINALIZING", PCX), peer_reply("AVAILABLE", PCX))
    atlas.route("GET", "/groups/%s/accessList/10.1.0.0%%2F16/status" % GROUP, {"STATUS": "ACTIVE"})
    atlas.route("GET", "/groups/%s/accessList/10.1.0.0/16/status" % GROUP, {"STATUS": "ACTIVE"})
    app = vpc("app", "vpc-0a1b2c3d", routes=dict(connection_id=None, route_table_ids=["rtb-0a"], changes=[dict(route_table_id="rtb-0a", action="create")]),
              peering_id=PEER, wait_connection=True, requested_at=time.time() - 60, wait_available=True, entries=["10.1.0.0/16"])
    module = waiting_module(atlas, app)
    ec2 = module.stub("ec2")
    # Atlas says PENDING_ACCEPTANCE: accepted without reading it on AWS first; the routes go through the pcx- the wait found.
    ec2.add_response("accept_vpc_peering_connection", {}, {"VpcPeeringConnectionId": PCX})
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0a", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    said = []
    result = apply(module, lambda name, line: said.append((name, line)))
    mine = result["vpcs"]["app"]
    assert not result.get("failed") and result["changed"] is True and mine["error"] is None, result
    assert said == [("app", "waiting for Atlas to request the AWS peering connection, poll 1: INITIATING"),
                    ("app", "waiting for Atlas to request the AWS peering connection, poll 2: PENDING_ACCEPTANCE %s" % PCX),
                    ("app", "waiting until Atlas reports the peering AVAILABLE, poll 1: FINALIZING %s" % PCX),
                    ("app", "waiting until Atlas reports the peering AVAILABLE, poll 2: AVAILABLE %s; access list: ACTIVE" % PCX)], said
    assert [(p["wait_for"], p["poll"]) for p in mine["polls"]] == [("connection", 1), ("connection", 2), ("available", 1), ("available", 2)]
    assert mine["peering"]["connection_id"] == PCX and mine["peering"]["status_name"] == "AVAILABLE", mine
    assert mine["polls"][1]["at"] <= mine["accepted_at"] <= mine["polls"][2]["at"], mine
    assert mine["route_tables"] == [{"route_table_id": "rtb-0a", "after": {"target": PCX, "state": "active"}}], mine


def test_a_failed_peering_fails_its_vpc_at_once_and_nothing_is_written_for_it(atlas):
    atlas.add(peer_reply("FAILED", errorStateName="REJECTED"))
    module = waiting_module(atlas, vpc("app", "vpc-0a1b2c3d", peering_id=PEER, wait_connection=True, wait_available=True,
                                       routes=dict(connection_id=None, route_table_ids=["rtb-0a"], changes=None)))
    module.stub("ec2")
    result = apply(module)
    assert result["failed"] is True and result["changed"] is False, result
    assert result["msg"].startswith("app: ") and "FAILED" in result["msg"] and len(result["vpcs"]["app"]["polls"]) == 1, result


def test_the_last_poll_fails_with_what_it_waited_for_and_what_to_do(atlas):
    atlas.add(peer_reply("INITIATING"), peer_reply("INITIATING"))
    module = waiting_module(atlas, vpc("app", "vpc-0a1b2c3d", peering_id=PEER, wait_connection=True), polls=2)
    module.stub("ec2")
    result = apply(module)
    assert result["failed"] is True and "still INITIATING after 2 polls 0 s apart, waiting for its pcx- connection id" in result["msg"], result
    assert "raise vpc_peering_wait_timeout" in result["msg"], result


def test_a_vpc_that_waits_needs_its_peering_and_a_project_before_any_call(atlas):
    module = StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", wait_available=True)]))
    assert apply(module)["msg"] == "vpcs[0] (app): wait_connection and wait_available need the peering_id to wait for"
    module = StubbedModule(step_params(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", peering_id=PEER, wait_available=True)]))
    assert apply(module)["msg"] == "project_id or project_name is required when a VPC waits (wait_connection, wait_available)"
    assert module.stubs == {} and atlas.api_requests() == []
