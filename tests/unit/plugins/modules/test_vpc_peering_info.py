# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpc_peering_info's judgement: which findings it reports from what the two clouds answered (no HTTP, no boto3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import normalize_access_list_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.modules.vpc_peering_info import judge_atlas, judge_dns, judge_stack, wanted_entries

ATLAS_CIDR = "192.168.248.0/21"
VPC = {"id": "vpc-0123456789abcdef0", "cidr_block": "10.20.0.0/16", "enable_dns_support": True, "enable_dns_hostnames": True}
CONTAINER = {"id": "c" * 24, "atlasCidrBlock": ATLAS_CIDR, "regionName": "US_EAST_1", "providerName": "AWS"}
PCX = "pcx-0123456789abcdef0"
PEER = {"id": "p" * 24, "containerId": "c" * 24, "vpcId": VPC["id"], "awsAccountId": "123456789012", "statusName": "AVAILABLE",
        "connectionId": PCX, "routeTableCidrBlock": "10.20.0.0/16", "accepterRegionName": "us-east-1"}
COMMENT = "VPC peering dev-app"


def table(rtb, target=PCX, state="active"):
    routes = [{"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "State": "active"}]
    if target:
        routes.append({"DestinationCidrBlock": ATLAS_CIDR, "VpcPeeringConnectionId": target, "State": state})
    return {"RouteTableId": rtb, "Routes": routes}


class FakeAtlas:
    """What AtlasSide answers, and which reads were made."""

    def __init__(self, container="default", peers=(PEER,), entries=({"cidrBlock": "10.20.0.0/16", "comment": COMMENT},), status="ACTIVE"):
        self.container_raw = CONTAINER if container == "default" else container
        self.peers = list(peers)
        self.entries = list(entries)
        self.status = status
        self.reads = []

    def container(self, region_name):
        self.reads.append("containers")
        return self.container_raw if self.container_raw and self.container_raw["regionName"] == region_name else None

    def peering(self, container_id, vpc_id, account):
        self.reads.append("peers")
        return next((p for p in self.peers if p["containerId"] == container_id and p["vpcId"] == vpc_id
                     and p["awsAccountId"] == account), None)

    def access_list(self):
        from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import entry_from_api  # pylint: disable=import-outside-toplevel
        self.reads.append("accessList")
        return [entry_from_api(e) for e in self.entries]

    def entry_status(self, key):
        self.reads.append("status " + key)
        return self.status


def params(**overrides):
    base = dict(access_list_mode="cidr", security_group_id=None, access_list_comment=COMMENT)
    base.update(overrides)
    return base


def judge(atlas, tables=None, vpc=None, **overrides):
    vpc = VPC if vpc is None else vpc
    p = params(**overrides)
    result = dict(container=None, peering=None, access_list=[], drift=[])
    judge_atlas(atlas, p, ATLAS_CIDR, normalize_region("us-east-1"), vpc, "123456789012",
                [table("rtb-0a")] if tables is None else tables, wanted_entries(p, vpc, {}), result)
    return result


def test_a_converged_vpc_has_no_drift_and_each_atlas_resource_is_read_once():
    atlas = FakeAtlas()
    result = judge(atlas, tables=[table("rtb-0a"), table("rtb-0b")])
    assert result["drift"] == []
    assert atlas.reads == ["containers", "peers", "accessList", "status 10.20.0.0/16"]
    assert result["peering"]["connection_id"] == PCX and result["container"]["atlas_cidr_block"] == ATLAS_CIDR
    assert result["access_list"] == [dict(cidr_block="10.20.0.0/16", aws_security_group=None, comment=COMMENT, status="ACTIVE")]


def test_no_container_means_no_peering_read_and_both_reported():
    atlas = FakeAtlas(container=None)
    result = judge(atlas)
    assert result["drift"][:2] == ["atlas container US_EAST_1: missing", "peering: missing"]
    assert "peers" not in atlas.reads


def test_container_with_another_cidr_is_reported():
    result = judge(FakeAtlas(container=dict(CONTAINER, atlasCidrBlock="192.168.0.0/21")))
    assert "atlas container US_EAST_1: CIDR 192.168.0.0/21 instead of %s" % ATLAS_CIDR in result["drift"]


@pytest.mark.parametrize("peer, line", [
    (dict(PEER, statusName="PENDING_ACCEPTANCE"), "peering: PENDING_ACCEPTANCE"),
    (dict(PEER, statusName="FAILED", errorStateName="REJECTED"), "peering: FAILED/REJECTED"),
    (dict(PEER, statusName="FAILED", errorStateName=None), "peering: FAILED/UNKNOWN"),
    (dict(PEER, routeTableCidrBlock="10.99.0.0/16"), "peering: route_table_cidr_block 10.99.0.0/16 instead of 10.20.0.0/16"),
    (dict(PEER, accepterRegionName="eu-west-1"), "peering: accepter_region eu-west-1 instead of us-east-1"),
])
def test_a_peering_not_as_wanted_is_reported(peer, line):
    assert line in judge(FakeAtlas(peers=[peer]))["drift"]


def test_a_peering_of_another_account_or_vpc_is_not_ours():
    other = dict(PEER, awsAccountId="210987654321")
    assert "peering: missing" in judge(FakeAtlas(peers=[other]))["drift"]


@pytest.mark.parametrize("rtb, line", [
    (table("rtb-0a", target=None), "route rtb-0a: missing"),
    (table("rtb-0a", state="blackhole"), "route rtb-0a: blackhole via %s" % PCX),
    (table("rtb-0a", target="pcx-0fffffffffffffff0"), "route rtb-0a: target pcx-0fffffffffffffff0 instead of %s" % PCX),
])
def test_each_route_table_not_routing_the_atlas_cidr_through_the_peering_is_reported(rtb, line):
    assert judge(FakeAtlas(), tables=[table("rtb-00"), rtb])["drift"] == [line]


def test_no_route_table_in_scope_is_drift():
    assert judge(FakeAtlas(), tables=[])["drift"] == ["route tables: none in scope of %s" % VPC["id"]]


def test_access_list_entry_missing_pending_or_with_another_comment():
    atlas = FakeAtlas(entries=[])
    assert judge(atlas)["drift"] == ["access list 10.20.0.0/16: missing"]
    assert not any(read.startswith("status") for read in atlas.reads)  # no status of an entry that is not there
    assert judge(FakeAtlas(status="PENDING"))["drift"] == ["access list 10.20.0.0/16: PENDING"]
    other_comment = FakeAtlas(entries=[{"cidrBlock": "10.20.0.0/16", "comment": "by hand"}])
    assert judge(other_comment)["drift"] == ["access list 10.20.0.0/16: comment differs"]
    # Without a wanted comment, any comment will do.
    assert judge(other_comment, access_list_comment=None)["drift"] == []


def test_security_group_mode_wants_the_group_given_or_the_stacks():
    stack = {"stack_outputs": {"SecurityGroupId": "sg-0123456789abcdef0"}}
    from_stack = wanted_entries(params(access_list_mode="security_group"), VPC, stack)
    assert [e["aws_security_group"] for e in from_stack] == ["sg-0123456789abcdef0"]
    given = wanted_entries(params(access_list_mode="security_group", security_group_id="sg-0fedcba9876543210"), VPC, stack)
    assert [e["aws_security_group"] for e in given] == ["sg-0fedcba9876543210"]
    assert wanted_entries(params(access_list_mode="security_group"), VPC, {}) == []
    assert wanted_entries(params(access_list_mode="none"), VPC, stack) == []
    assert wanted_entries(params(), {}, stack) == []  # no VPC yet, no CIDR to allow


def test_no_vpc_yet_means_no_peering_and_no_access_list_read():
    atlas = FakeAtlas()
    result = judge(atlas, vpc={}, tables=[])
    assert result["drift"] == ["peering: missing"]
    assert atlas.reads == ["containers"]


def test_wanted_entries_are_normalised_like_the_access_list_module():
    (entry,) = wanted_entries(params(), dict(VPC, cidr_block="10.20.0.0/16"), {})
    assert entry == normalize_access_list_entry({"cidr_block": "10.20.0.0/16", "comment": COMMENT}, check_expiry=False)


TEMPLATE = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock:\n        Ref: VpcCidr\n"
STACK = {"stack_description": {"stack_status": "CREATE_COMPLETE"}, "stack_template": TEMPLATE,
         "stack_parameters": {"VpcCidr": "10.20.0.0/16", "AtlasCidr": ATLAS_CIDR}, "stack_tags": {"managed-by": "cloudwire.atlas.vpc_peering"}}


def stack_params(**overrides):
    base = dict(stack_name="app-network", stack_parameters={"VpcCidr": "10.20.0.0/16", "AtlasCidr": ATLAS_CIDR},
                stack_tags={"managed-by": "cloudwire.atlas.vpc_peering"})
    base.update(overrides)
    return base


def test_a_stack_as_wanted_has_no_drift_and_templates_compare_as_data():
    assert judge_stack(stack_params(), STACK, TEMPLATE) == []
    # AWS returns a JSON template as an object, and YAML text may differ in layout: both compare as data.
    as_object = dict(STACK, stack_template={"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "VpcCidr"}}}}})
    assert judge_stack(stack_params(), as_object, TEMPLATE) == []
    assert judge_stack(stack_params(), STACK, "{Resources: {Vpc: {Type: 'AWS::EC2::VPC', Properties: {CidrBlock: {Ref: VpcCidr}}}}}") == []


@pytest.mark.parametrize("stack, overrides, lines", [
    ({}, {}, ["stack app-network: missing"]),
    (dict(STACK, stack_description={"stack_status": "DELETE_COMPLETE"}), {}, ["stack app-network: missing"]),
    (dict(STACK, stack_description={"stack_status": "UPDATE_ROLLBACK_COMPLETE"}), {}, ["stack app-network: status UPDATE_ROLLBACK_COMPLETE"]),
    (dict(STACK, stack_template=TEMPLATE.replace("VpcCidr", "OtherCidr")), {}, ["stack app-network: template changed"]),
    (dict(STACK, stack_parameters={"VpcCidr": "10.20.0.0/16"}), {}, ["stack app-network parameters changed: AtlasCidr (unset) -> %s" % ATLAS_CIDR]),
    (dict(STACK, stack_parameters={"VpcCidr": "10.20.0.0/16", "AtlasCidr": "192.168.100.0/24"}), {},
     ["stack app-network parameters changed: AtlasCidr 192.168.100.0/24 -> %s" % ATLAS_CIDR]),
    (dict(STACK, stack_tags={}), {}, ["stack app-network: tags changed"]),
    # What is not given is not compared.
    (dict(STACK, stack_tags={}, stack_template="other: 1"), {"stack_tags": None, "template": None}, []),
])
def test_each_stack_difference_is_one_finding(stack, overrides, lines):
    template = overrides.pop("template", TEMPLATE)
    assert judge_stack(stack_params(**overrides), stack, template) == lines


def test_a_template_that_does_not_parse_compares_as_text():
    short_form = "Resources:\n  Vpc:\n    Properties:\n      CidrBlock: !Ref VpcCidr\n"
    assert judge_stack(stack_params(), dict(STACK, stack_template=short_form), short_form) == []
    assert judge_stack(stack_params(), STACK, short_form) == ["stack app-network: template changed"]


def test_no_stack_name_no_stack_findings():
    assert judge_stack(stack_params(stack_name=None), {}, TEMPLATE) == []


def test_dns_support_and_hostnames_must_be_on_unless_not_required():
    off = dict(VPC, enable_dns_support=False, enable_dns_hostnames=False)
    assert judge_dns({"require_dns": True}, off) == ["vpc dns support: off", "vpc dns hostnames: off"]
    assert judge_dns({"require_dns": True}, dict(VPC, enable_dns_hostnames=False)) == ["vpc dns hostnames: off"]
    assert judge_dns({"require_dns": False}, off) == []
    assert judge_dns({"require_dns": True}, {}) == []  # no VPC: reported as missing elsewhere


OTHER_PEER = dict(PEER, id="q" * 24, vpcId="vpc-0fedcba9876543210", connectionId=None, routeTableCidrBlock="10.21.0.0/16",
                  statusName="INITIATING")


class FakeClient:
    """The Atlas client as AtlasSide uses it, counting the calls by path."""

    def __init__(self):
        self.calls = []
        self.stats = {}

    def list_all(self, path, params=None):
        self.calls.append(path.rsplit("/", 1)[-1])
        return {"containers": [CONTAINER], "peers": [PEER, OTHER_PEER],
                "accessList": [{"cidrBlock": "10.20.0.0/16", "comment": COMMENT}]}[path.rsplit("/", 1)[-1]]

    def get(self, path):
        self.calls.append("status")
        return {"STATUS": "ACTIVE"}


class FakeModule:
    def __init__(self):
        self.atlas_client = FakeClient()
        self.project_id = "a" * 24


def test_several_vpcs_share_one_read_of_each_atlas_list():
    from ansible_collections.cloudwire.atlas.plugins.modules.vpc_peering_info import AtlasSide  # pylint: disable=import-outside-toplevel
    module = FakeModule()
    side = AtlasSide(module)
    other = dict(VPC, id="vpc-0fedcba9876543210", cidr_block="10.21.0.0/16")
    results = []
    for vpc in (VPC, other, VPC):
        p = params()
        result = dict(container=None, peering=None, access_list=[], drift=[])
        judge_atlas(side, p, ATLAS_CIDR, normalize_region("us-east-1"), vpc, "123456789012", [table("rtb-0a")],
                    wanted_entries(p, vpc, {}), result)
        results.append(result)
    assert module.atlas_client.calls == ["containers", "peers", "accessList", "status"]
    assert results[0]["drift"] == [] and results[2]["drift"] == []
    assert results[1]["drift"] == ["peering: INITIATING", "access list 10.21.0.0/16: missing"]
