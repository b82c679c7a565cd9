# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plan_step.py: the plan's inputs checked before any call, and its reads (each kind of resource once for every VPC) against a
real botocore client answered by botocore's Stubber and an Atlas reader of fixed answers. The judgement of what was read is
plan.py's (test_plan.py); the whole plan runs end to end in tests/e2e."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cloudwire.atlas.plugins.module_utils import plan_step
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import entry_from_api
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.aws_stub import Ended, StubbedModule

ATLAS = "192.168.248.0/21"
CONTAINER = {"id": "5e57d85c854180642f7844bf", "regionName": "US_EAST_1", "atlasCidrBlock": ATLAS, "providerName": "AWS"}


def params(*vpcs, **extra):
    """The plan's validated parameters, with the spec's defaults, as the action plugin hands them over."""
    spec = plan_step.module_kwargs()["argument_spec"]
    validation = ArgumentSpecValidator(spec).validate(dict(dict(atlas_cidr_block=ATLAS, vpcs=list(vpcs), project_id="5e2211c17a3e5a48f5497de3"),
                                                           **extra))
    assert not validation.error_messages, validation.error_messages
    return validation.validated_parameters


def failure(module):
    with pytest.raises(Ended) as ended:
        plan_step.validate(module, module.params)
    return ended.value.result


def test_bad_input_fails_naming_the_field_and_the_rule():
    both = failure(StubbedModule(params(dict(name="app", vpc_id="vpc-0a1b2c3d", stack_name="app-net"))))
    assert both["option"] == "vpcs[0].vpc_id" and "not both" in both["msg"], both
    twice = failure(StubbedModule(params(dict(name="app", vpc_id="vpc-0a1b2c3d"), dict(name="app", vpc_id="vpc-0e5f6a7b"))))
    assert twice["option"] == "vpcs[1].name" and "names another VPC" in twice["msg"], twice
    bad_id = failure(StubbedModule(params(dict(name="app", vpc_id="vpc-XYZ"))))
    assert bad_id["option"] == "vpcs[0].vpc_id" and "vpc-XYZ" in bad_id["msg"], bad_id
    no_region = failure(StubbedModule(params(dict(name="app", vpc_id="vpc-0a1b2c3d")), region=None))
    assert no_region["option"] == "region", no_region


def test_the_aws_reads_one_call_per_kind_for_every_vpc_and_the_account_only_for_a_missing_vpc():
    module = StubbedModule(params(dict(name="app", vpc_id="vpc-0a1b2c3d", route_table_tags={"tier": "private"}),
                                  dict(name="gone", vpc_id="vpc-0e5f6a7b", require_dns=False)))
    region, wanted = plan_step.validate(module, module.params)
    ec2, sts = module.stub("ec2"), module.stub("sts")
    ec2.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0a1b2c3d", "CidrBlock": "10.1.0.0/16", "OwnerId": "123456789012",
                                                 "State": "available", "Tags": [{"Key": "Name", "Value": "app"}]}]},
                     {"Filters": [{"Name": "vpc-id", "Values": ["vpc-0a1b2c3d", "vpc-0e5f6a7b"]}]})
    ec2.add_response("describe_vpc_attribute", {"EnableDnsSupport": {"Value": True}}, {"VpcId": "vpc-0a1b2c3d", "Attribute": "enableDnsSupport"})
    ec2.add_response("describe_vpc_attribute", {"EnableDnsHostnames": {"Value": False}},
                     {"VpcId": "vpc-0a1b2c3d", "Attribute": "enableDnsHostnames"})
    ec2.add_response("describe_route_tables", {"RouteTables": [
        {"RouteTableId": "rtb-0b", "VpcId": "vpc-0a1b2c3d", "Tags": [{"Key": "tier", "Value": "private"}], "Routes": []},
        {"RouteTableId": "rtb-0a", "VpcId": "vpc-0a1b2c3d", "Tags": [{"Key": "tier", "Value": "public"}], "Routes": []}]},
        {"Filters": [{"Name": "vpc-id", "Values": ["vpc-0a1b2c3d"]}]})
    sts.add_response("get_caller_identity", {"Account": "210987654321", "UserId": "AIDAUNIT", "Arn": "arn:aws:iam::210987654321:user/unit"}, {})
    seen = plan_step.read_aws(plan_step.AwsReads(module), wanted)
    for stub in (ec2, sts):
        stub.assert_no_pending_responses()
    app, gone = seen["app"], seen["gone"]
    assert region.atlas == "US_EAST_1"
    assert app["vpc"] == {"id": "vpc-0a1b2c3d", "cidr_block": "10.1.0.0/16", "owner_id": "123456789012", "state": "available",
                          "tags": {"Name": "app"}, "enable_dns_support": True, "enable_dns_hostnames": False}, app
    # Only the tables in scope (the VPC's, with every tag asked for).
    assert [t["RouteTableId"] for t in app["route_tables"]] == ["rtb-0b"] and "account" not in app, app
    assert gone["vpc"] == {} and gone["route_tables"] is None and gone["account"] == "210987654321", gone


class AtlasAnswers:
    """AtlasReads' interface with fixed answers, counting each read."""

    def __init__(self, container, peers, entries):
        self.answers = dict(container=container, peers=peers, access_list=entries)
        self.reads = []

    def container(self, region_name):
        self.reads.append("container " + region_name)
        return self.answers["container"]

    def peers(self):
        self.reads.append("peers")
        return self.answers["peers"]

    def access_list(self):
        self.reads.append("accessList")
        return self.answers["access_list"]

    def entry_status(self, key):
        self.reads.append("status " + key)
        return "ACTIVE"


def test_the_atlas_reads_find_each_vpcs_peering_and_entry():
    module = StubbedModule(params(dict(name="app", vpc_id="vpc-0a1b2c3d"), dict(name="api", vpc_id="vpc-0e5f6a7b")))
    region, wanted = plan_step.validate(module, module.params)
    seen = dict((name, {"stack": {}, "vpc": {"id": vpc_id, "cidr_block": cidr, "owner_id": "123456789012"}, "route_tables": []})
                for name, vpc_id, cidr in (("app", "vpc-0a1b2c3d", "10.1.0.0/16"), ("api", "vpc-0e5f6a7b", "10.2.0.0/16")))
    peering = {"id": "6" * 24, "containerId": CONTAINER["id"], "vpcId": "vpc-0a1b2c3d", "awsAccountId": "123456789012",
               "statusName": "AVAILABLE", "connectionId": "pcx-0a1b2c3d4e5f67890"}
    atlas = AtlasAnswers(CONTAINER, [peering], [entry_from_api({"cidrBlock": "10.1.0.0/16", "groupId": "5e2211c17a3e5a48f5497de3"})])
    plan_step.read_atlas(atlas, wanted, seen, region, ATLAS)
    assert seen["app"]["peering"] == peering and seen["api"]["peering"] is None, seen
    assert seen["app"]["available_peering"] is True and seen["app"]["container"] == CONTAINER, seen["app"]
    assert seen["app"]["entry_status"] == {"10.1.0.0/16": "ACTIVE"} and seen["api"]["entry_status"] == {}, seen
    # Each list once for both VPCs; a status only for the entry that exists.
    assert sorted(atlas.reads) == sorted(["container US_EAST_1", "peers", "accessList", "accessList", "status 10.1.0.0/16"]), atlas.reads
