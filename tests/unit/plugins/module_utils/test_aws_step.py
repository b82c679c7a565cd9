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

ATLAS = "192.168.248.0/21"
PCX = "pcx-0a1b2c3d4e5f67890"


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """The VPCs one after the other: the Stubber answers in the order it was given."""
    monkeypatch.setattr(aws_step, "WRITE_THREADS", 1)


def apply(module):
    with pytest.raises(Ended) as ended:
        aws_step.apply(module)
    for stub in module.stubs.values():
        stub.assert_no_pending_responses()
    return ended.value.result


def vpc(name, vpc_id, **actions):
    return dict(dict(name=name, vpc_id=vpc_id, accept=None, routes=None, routes_remove=None, dns=[], dns_check=False), **actions)


def routes(*tables):
    return dict(connection_id=PCX, route_table_ids=list(tables), changes=[dict(route_table_id=t, action="create") for t in tables])


def test_accept_then_route_then_dns_and_when_it_accepted():
    app = vpc("app", "vpc-0a1b2c3d", accept=PCX, routes=routes("rtb-0a"), dns=["EnableDnsHostnames"])
    module = StubbedModule(dict(destination_cidr_block=ATLAS, vpcs=[app]))
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
    module = StubbedModule(dict(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", accept=PCX, routes=routes("rtb-0a"))]))
    ec2 = module.stub("ec2")
    ec2.add_response("describe_vpc_peering_connections", {"VpcPeeringConnections": [
        {"VpcPeeringConnectionId": PCX, "Status": {"Code": "active"}}]}, {"VpcPeeringConnectionIds": [PCX]})
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0a", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    mine = apply(module)["vpcs"]["app"]
    assert mine["changed"] is True and mine["done"] == [] and "accepted_at" not in mine, mine


def test_a_refused_call_fails_its_vpc_after_the_others_are_done():
    module = StubbedModule(dict(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", routes=routes("rtb-0a")),
                                                                    vpc("api", "vpc-0e5f6a7b", routes=routes("rtb-0e"))]))
    ec2 = module.stub("ec2")
    ec2.add_client_error("create_route", service_error_code="UnauthorizedOperation", service_message="You are not authorized",
                         http_status_code=403)
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0e", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    result = apply(module)
    assert result["failed"] is True and result["changed"] is True, result
    assert result["msg"].startswith("app: ") and "UnauthorizedOperation" in result["msg"] and "api" not in result["msg"], result["msg"]
    assert result["vpcs"]["api"]["changed"] is True and result["vpcs"]["api"]["error"] is None, result


def test_the_tables_of_a_stack_this_run_deployed_are_read_once_and_only_what_lacks_the_route_is_written():
    module = StubbedModule(dict(destination_cidr_block=ATLAS, vpcs=[vpc("app", "vpc-0a1b2c3d", routes=dict(
        connection_id=PCX, route_table_ids=["rtb-0a", "rtb-0b"], changes=None))]))
    ec2 = module.stub("ec2")
    ec2.add_response("describe_route_tables", {"RouteTables": [
        {"RouteTableId": "rtb-0a", "Routes": [{"DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX, "State": "active"}]},
        {"RouteTableId": "rtb-0b", "Routes": []}]}, {"RouteTableIds": ["rtb-0a", "rtb-0b"]})
    ec2.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-0b", "DestinationCidrBlock": ATLAS, "VpcPeeringConnectionId": PCX})
    mine = apply(module)["vpcs"]["app"]
    assert mine["done"] == ["route rtb-0b: missing"] and [t["route_table_id"] for t in mine["route_tables"]] == ["rtb-0b"], mine


def test_a_destination_not_in_canonical_form_fails_before_any_call():
    module = StubbedModule(dict(destination_cidr_block="192.168.248.1/21", vpcs=[vpc("app", "vpc-0a1b2c3d", accept=PCX)]))
    result = apply(module)
    assert result == dict(failed=True, msg="Invalid destination_cidr_block '192.168.248.1/21': not in canonical form, the block it "
                                           "names is 192.168.248.0/21")
    assert module.stubs == {}
