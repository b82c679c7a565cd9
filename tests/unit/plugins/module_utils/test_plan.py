# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plan.py: from what was read on both clouds, the findings, problems and actions of one VPC (no HTTP, no boto3)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import normalize_access_list_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.database_users import normalize_user
from ansible_collections.cloudwire.atlas.plugins.module_utils.ids import late_ids
from ansible_collections.cloudwire.atlas.plugins.module_utils.plan import (
    PCX_TO_BE_REQUESTED,
    plan_vpc,
    same_template,
    stack_findings,
    teardown_refusal,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region

ATLAS_CIDR = "192.168.248.0/21"
ACCOUNT = "123456789012"
VPC = {"id": "vpc-0123456789abcdef0", "cidr_block": "10.20.0.0/16", "owner_id": ACCOUNT, "enable_dns_support": True,
       "enable_dns_hostnames": True}
CONTAINER = {"id": "c" * 24, "atlasCidrBlock": ATLAS_CIDR, "regionName": "US_EAST_1", "providerName": "AWS"}
PCX = "pcx-0123456789abcdef0"
PEER = {"id": "p" * 24, "containerId": "c" * 24, "vpcId": VPC["id"], "awsAccountId": ACCOUNT, "statusName": "AVAILABLE",
        "connectionId": PCX, "routeTableCidrBlock": "10.20.0.0/16", "accepterRegionName": "us-east-1"}
COMMENT = "VPC peering dev-app"
ENTRY = normalize_access_list_entry({"cidr_block": "10.20.0.0/16", "comment": COMMENT})
TEMPLATE = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n"
STACK = {"status": "CREATE_COMPLETE", "template": TEMPLATE, "parameters": {"VpcCidr": "10.20.0.0/16"}, "tags": {"managed-by": "x"},
         "outputs": {"VpcId": VPC["id"], "RouteTableIds": "rtb-0a,rtb-0b", "SecurityGroupId": "sg-0123456789abcdef0"}}


def table(rtb, target=PCX, state="active"):
    routes = [{"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "State": "active"}]
    if target:
        routes.append({"DestinationCidrBlock": ATLAS_CIDR, "VpcPeeringConnectionId": target, "State": state})
    return {"RouteTableId": rtb, "VpcId": VPC["id"], "Routes": routes}


def want(**overrides):
    base = dict(name="dev-app", state="present", vpc_id=VPC["id"], stack_name=None, vpc_cidr_block=None, aws_account_id=None,
                access_list_mode="cidr", security_group_id=None, access_list_comment=COMMENT, require_dns=True, recreate_failed=True,
                stack_remove=True, container_remove=True, stack_parameters=None, stack_tags=None, policy={})
    base.update(overrides)
    return base


def seen(**overrides):
    base = dict(stack={}, vpc=dict(VPC), route_tables=[table("rtb-0a"), table("rtb-0b")], container=CONTAINER, peering=PEER,
                access_list=[ENTRY], entry_status={ENTRY["key"]: "ACTIVE"}, available_peering=True)
    base.update(overrides)
    return base


def plan(wanted=None, read=None, check_mode=False, template=None):
    context = dict(region=normalize_region("us-east-1"), atlas_cidr_block=ATLAS_CIDR, template=template, check_mode=check_mode)
    return plan_vpc(wanted or want(), read or seen(), context)


def test_a_converged_vpc_needs_nothing():
    result = plan()
    assert result["findings"] == [] and result["problems"] == [] and result["actions"] == {} and result["in_sync"]
    assert result["ids"]["peering_id"] == PEER["id"] and result["ids"]["connection_id"] == PCX


def test_an_empty_world_plans_the_whole_chain_in_order_and_knows_what_it_cannot_know_yet():
    result = plan(read=seen(container=None, peering=None, access_list=[], entry_status={}, available_peering=False,
                            route_tables=[table("rtb-0a", target=None)]))
    assert result["findings"] == ["atlas container US_EAST_1: missing", "peering: missing", "route rtb-0a: missing",
                                  "access list 10.20.0.0/16: missing"]
    # Nothing is added between the waits for AVAILABLE and ACTIVE: one wait polls both.
    assert list(result["actions"]) == ["container", "peering", "access_list", "wait_connection", "accept", "routes", "wait_available"]
    assert result["actions"]["wait_available"] == {"peering_id": None, "entries": [ENTRY["key"]]}
    assert late_ids(result)["available_wait_entries"] == [ENTRY["key"]]
    # Ids produced later in the run are null: the container (created by the same step) and the pcx.
    assert result["actions"]["peering"] == dict(request="create", id=None, container_id=None, vpc_id=VPC["id"], aws_account_id=ACCOUNT,
                                                route_table_cidr_block="10.20.0.0/16", accepter_region="us-east-1")
    assert result["actions"]["routes"]["connection_id"] is None
    assert result["actions"]["routes"]["changes"] == [{"route_table_id": "rtb-0a", "action": "create"}]
    assert result["actions"]["access_list"]["entries"] == [{"cidr_block": "10.20.0.0/16", "comment": COMMENT}]


def test_a_stack_still_to_be_created_plans_on_the_wanted_cidr_and_reads_its_tables_later():
    result = plan(want(vpc_id=None, stack_name="app-net", vpc_cidr_block="10.20.0.0/16"),
                  seen(stack={}, vpc={}, route_tables=None, account=ACCOUNT, container=None, peering=None, access_list=[],
                       entry_status={}))
    assert sorted(result["findings"]) == ["access list 10.20.0.0/16: missing", "atlas container US_EAST_1: missing", "peering: missing",
                                          "stack app-net: missing"]
    assert list(result["actions"])[:3] == ["stack", "container", "peering"]
    assert result["actions"]["peering"]["vpc_id"] is None and result["actions"]["peering"]["aws_account_id"] == ACCOUNT
    assert result["actions"]["routes"] == {"connection_id": None, "route_table_ids": None, "changes": None}


def test_a_security_group_entry_waits_for_an_available_peering_and_for_the_stack():
    result = plan(want(vpc_id=None, stack_name="app-net", vpc_cidr_block="10.20.0.0/16", access_list_mode="security_group"),
                  seen(stack={}, vpc={}, route_tables=None, account=ACCOUNT, container=None, peering=None, access_list=[],
                       entry_status={}, available_peering=False))
    assert not any(line.startswith("access list") for line in result["findings"])
    assert "access_list" not in result["actions"] and result["actions"]["access_list_late"] == {"entries": None, "comment": COMMENT}
    # The entry is added between the two waits: they stay apart.
    assert list(result["actions"])[-3:] == ["access_list_late", "wait_available", "wait_active"]
    ids = late_ids(result, stack_outputs_now=STACK["outputs"])
    assert ids["security_group_id"] == "sg-0123456789abcdef0" and ids["access_list_key"] == "sg-0123456789abcdef0"
    assert ids["available_wait_entries"] == []
    assert ids["vpc_id"] == VPC["id"] and ids["route_table_ids"] == ["rtb-0a", "rtb-0b"]


@pytest.mark.parametrize("status, finding, actions", [
    ("INITIATING", "peering: INITIATING", ["wait_connection", "accept", "routes", "wait_available"]),
    ("PENDING_ACCEPTANCE", "peering: pending acceptance of " + PCX, ["accept", "wait_available"]),
    ("FINALIZING", "peering: FINALIZING", ["wait_available"]),
])
def test_a_peering_on_its_way_is_waited_for_not_requested_again(status, finding, actions):
    peer = dict(PEER, statusName=status, connectionId=None if status == "INITIATING" else PCX)
    if status == "INITIATING":
        # No pcx yet: the routes (made by an interrupted run to an older connection) cannot be right.
        result = plan(read=seen(peering=peer, route_tables=[table("rtb-0a", None)]))
        assert result["findings"] == [finding, "route rtb-0a: missing"] and result["actions"]["routes"]["connection_id"] is None
        assert list(result["actions"]) == actions
        return
    result = plan(read=seen(peering=peer))
    assert result["findings"] == [finding]
    assert list(result["actions"]) == actions
    if status == "PENDING_ACCEPTANCE":
        assert result["actions"]["accept"] == {"connection_id": PCX}


def test_a_failed_peering_is_recreated_and_routes_compare_with_the_new_one():
    result = plan(read=seen(peering=dict(PEER, statusName="FAILED", errorStateName="REJECTED")))
    assert result["findings"][0] == "peering: FAILED/REJECTED"
    assert result["actions"]["peering"]["request"] == "recreate" and result["actions"]["peering"]["id"] == PEER["id"]
    assert "route rtb-0a: target %s instead of %s" % (PCX, PCX_TO_BE_REQUESTED) in result["findings"]
    refused = plan(want(recreate_failed=False), seen(peering=dict(PEER, statusName="FAILED", errorStateName="EXPIRED")))
    assert refused["problems"] and "vpc_peering_recreate_failed is false" in refused["problems"][0]


def test_drift_of_routes_dns_access_list_and_peering_options():
    result = plan(read=seen(vpc=dict(VPC, enable_dns_hostnames=False), route_tables=[table("rtb-0a", state="blackhole"), table("rtb-0b", None)],
                            access_list=[dict(ENTRY, comment="old")], peering=dict(PEER, routeTableCidrBlock="10.21.0.0/16")))
    assert result["findings"] == ["vpc dns hostnames: off", "peering: route_table_cidr_block 10.21.0.0/16 instead of 10.20.0.0/16",
                                  "route rtb-0a: blackhole via " + PCX, "route rtb-0b: missing", "access list 10.20.0.0/16: comment differs"]
    assert result["actions"]["peering"]["request"] == "update"
    assert result["actions"]["routes"]["changes"] == [{"route_table_id": "rtb-0a", "action": "replace"},
                                                      {"route_table_id": "rtb-0b", "action": "create"}]
    assert result["actions"]["dns"] == {"attributes": ["EnableDnsHostnames"]}
    assert "wait_active" in result["actions"] and "wait_available" not in result["actions"]


def test_a_pending_entry_is_waited_for():
    result = plan(read=seen(entry_status={ENTRY["key"]: "PENDING"}))
    assert result["findings"] == ["access list 10.20.0.0/16: PENDING"] and list(result["actions"]) == ["wait_active"]


def test_a_security_group_entry_of_a_project_with_an_available_peering_is_waited_for_with_the_peering():
    # The stack is new, so the entry's key (its security group) comes from the stack outputs, after planning.
    result = plan(want(vpc_id=None, stack_name="app-net", vpc_cidr_block="10.20.0.0/16", access_list_mode="security_group"),
                  seen(stack={}, vpc={}, route_tables=None, account=ACCOUNT, peering=None, access_list=[], entry_status={},
                       available_peering=True))
    assert "access_list_late" not in result["actions"] and "wait_active" not in result["actions"]
    assert result["actions"]["wait_available"]["entries"] is None
    assert late_ids(result)["available_wait_entries"] == []
    assert late_ids(result, stack_outputs_now=STACK["outputs"])["available_wait_entries"] == ["sg-0123456789abcdef0"]


def test_problems_stop_a_run_before_any_write():
    wrong = plan(want(aws_account_id="999999999999"))
    assert wrong["problems"] == ["the AWS credentials belong to account 123456789012, the inventory says vpc_peering_aws_account_id "
                                 "999999999999; set vpc_peering_aws_assume_role_arn to reach it"]
    missing = plan(read=seen(vpc={}, account=ACCOUNT, route_tables=None))
    assert missing["problems"] == ["vpc_peering_vpc_id %s was not found in account %s, region us-east-1" % (VPC["id"], ACCOUNT)]
    overlap = plan(read=seen(vpc=dict(VPC, cidr_block="192.168.0.0/16")))
    assert "overlap" in overlap["problems"][0] and "192.168.0.0/16" in overlap["problems"][0]
    none_in_scope = plan(read=seen(route_tables=[]))
    assert none_in_scope["problems"][0].startswith("no route table of %s is in scope" % VPC["id"])
    locked = plan(read=seen(container=dict(CONTAINER, atlasCidrBlock="10.8.0.0/21"), container_peers=[PEER]))
    assert "Atlas locks the CIDR" in locked["problems"][0] and "use vpc_peering_atlas_cidr_block: 10.8.0.0/21" in locked["problems"][0]
    unlocked = plan(read=seen(container=dict(CONTAINER, atlasCidrBlock="10.8.0.0/21"), container_peers=[]))
    assert unlocked["problems"] == [] and unlocked["actions"]["container"]["id"] == CONTAINER["id"]


def test_the_policy_refuses_a_normal_run_and_is_a_finding_in_check_mode():
    policy = dict(environment="prod", allow_container_create=False, allow_stack_create=False, require_approval=True)
    wanted = want(vpc_id=None, stack_name="app-net", vpc_cidr_block="10.20.0.0/16", policy=policy)
    read = seen(stack={}, vpc={}, route_tables=None, account=ACCOUNT, container=None, peering=None)
    normal = plan(wanted, read)
    assert len(normal["problems"]) == 1 and normal["problems"][0].startswith("refused by the automation policy, nothing was written")
    for words in ("vpc_peering_policy_allow_stack_create is false in environment prod", "allow_container_create is false",
                  "US_EAST_1", "vpc_peering_policy_require_approval is true", "atlas-prod-peer-approved", "inventories/prod/group_vars"):
        assert words in normal["problems"][0], words
    check = plan(wanted, read, check_mode=True)
    assert check["problems"] == []
    policy_lines = [line for line in check["findings"] if line.startswith("policy: a run would be refused: ")]
    assert len(policy_lines) == 2 and check["findings"][:2] == policy_lines  # no approval needed to check
    # Nothing to write, nothing to approve.
    assert plan(want(policy=dict(require_approval=True)))["problems"] == []


def test_teardown_plans_the_chain_backwards():
    result = plan(want(state="absent", vpc_id=None, stack_name="app-net"), seen(stack=STACK))
    assert result["findings"] == ["access list 10.20.0.0/16: present", "peering: present", "route rtb-0a: present", "route rtb-0b: present",
                                  "stack app-net: present"]
    assert list(result["actions"]) == ["routes_remove", "access_list_remove", "peering_delete", "wait_gone", "stack_delete",
                                       "remove_container"]
    gone = plan(want(state="absent"), seen(container=None, peering=None, access_list=[], route_tables=[table("rtb-0a", None)]))
    assert gone["findings"] == [] and gone["actions"] == {}


def test_teardown_refusals():
    assert teardown_refusal({"environment": "prod", "allow_teardown": True}) is None
    assert "vpc_peering_confirm_teardown is dev but this is environment prod" in teardown_refusal({"environment": "prod", "confirm_teardown": "dev"})
    assert "-e vpc_peering_confirm_teardown=prod" in teardown_refusal({"environment": "prod", "allow_teardown": False})
    assert teardown_refusal({"environment": "prod", "allow_teardown": False, "confirm_teardown": "prod"}) is None
    check = plan(want(state="absent", policy={"environment": "prod", "allow_teardown": False}), check_mode=True)
    assert check["findings"][0].startswith("policy: a run would be refused: vpc_peering_policy_allow_teardown is false")


def test_stack_findings_compare_template_parameters_and_tags_as_data():
    wanted = want(stack_name="app-net", stack_parameters={"VpcCidr": "10.20.0.0/16", "AtlasCidr": ATLAS_CIDR}, stack_tags={"managed-by": "y"})
    lines = stack_findings(wanted, dict(STACK, status="UPDATE_ROLLBACK_COMPLETE"), TEMPLATE + "  Extra: {Type: AWS::EC2::Subnet}\n")
    assert lines == ["stack app-net: status UPDATE_ROLLBACK_COMPLETE", "stack app-net: template changed",
                     "stack app-net parameters changed: AtlasCidr (unset) -> %s" % ATLAS_CIDR, "stack app-net: tags changed"]
    assert same_template("Resources: {Vpc: {Type: 'AWS::EC2::VPC'}}", TEMPLATE)
    assert stack_findings(want(stack_name="app-net"), {"status": "DELETE_COMPLETE"}, None) == ["stack app-net: missing"]


def test_late_ids_take_what_the_run_produced():
    result = plan(read=seen(container=None, peering=None))
    ids = late_ids(result, atlas_done={"container_id": "d" * 24, "peering": {"id": "q" * 24}},
                   connection={"peering": {"id": "q" * 24, "connection_id": "pcx-0fedcba9876543210"}})
    assert ids["container_id"] == "d" * 24 and ids["peering_id"] == "q" * 24 and ids["connection_id"] == "pcx-0fedcba9876543210"


# ---- plan.py, the application's side: each database user a host lists against the project's (missing, a field that differs,
# update_password always, a type Atlas cannot change, no password to create one), and the cluster's private connection string
# (in the ids, or an action that waits for it; a missing cluster or one without a node in the region is a problem).
ORDERS = {"username": "orders-dev", "roles": [{"role_name": "readWrite", "database_name": "orders"}], "scopes": [{"name": "shared-dev"}]}
API_ORDERS = {"username": "orders-dev", "databaseName": "admin", "awsIAMType": "NONE", "x509Type": "NONE", "ldapAuthType": "NONE",
              "oidcAuthType": "NONE", "roles": [{"roleName": "readWrite", "databaseName": "orders"}], "scopes": [{"name": "shared-dev", "type": "CLUSTER"}]}
PRIVATE_SRV = "mongodb+srv://shared-dev-pri.ab1cd.mongodb.net"
CLUSTER = {"name": "shared-dev", "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1"},
                                                                         {"providerName": "AWS", "regionName": "EU_WEST_1"}]}],
           "connectionStrings": {"standardSrv": "mongodb+srv://shared-dev.ab1cd.mongodb.net", "privateSrv": PRIVATE_SRV}}


def wanted_user(spec, has_password=True, update_password="on_create"):
    return dict(normalize_user(spec), has_password=has_password, update_password=update_password)


def test_a_missing_user_is_a_finding_and_an_action_without_a_password():
    result = plan(want(database_users=[wanted_user(ORDERS)]), seen(database_users=[]))
    assert result["findings"] == ["database user orders-dev: missing"] and result["problems"] == []
    assert result["actions"]["database_users"] == {"users": [{
        "username": "orders-dev", "auth_type": "scram", "auth_database": "admin", "update_password": "on_create", "request": "create",
        "roles": [{"role_name": "readWrite", "database_name": "orders", "collection_name": None}], "scopes": [{"name": "shared-dev", "type": "cluster"}]}]}
    assert result["ids"]["database_users"] == ["orders-dev"] and '"password"' not in json.dumps(result["actions"])


def test_a_user_in_place_needs_nothing_and_differences_are_named():
    assert plan(want(database_users=[wanted_user(ORDERS)]), seen(database_users=[API_ORDERS]))["in_sync"] is True
    changed = dict(API_ORDERS, roles=[{"roleName": "read", "databaseName": "orders"}], scopes=[])
    result = plan(want(database_users=[wanted_user(dict(ORDERS, description="orders app"))]), seen(database_users=[changed]))
    assert result["findings"] == ["database user orders-dev: roles differ", "database user orders-dev: scopes differ",
                                  "database user orders-dev: description differs"]
    assert result["actions"]["database_users"]["users"][0]["request"] == "update"


def test_a_temporary_user_compares_its_expiry_and_the_apply_step_gets_it():
    expiring = dict(ORDERS, delete_after_date="2026-12-09T00:00:00Z")
    result = plan(want(database_users=[wanted_user(expiring)]), seen(database_users=[dict(API_ORDERS, deleteAfterDate="2026-12-08T00:00:00Z")]))
    assert result["findings"] == ["database user orders-dev: expiry differs"]
    assert result["actions"]["database_users"]["users"][0]["delete_after_date"] == "2026-12-09T00:00:00Z"
    in_place = seen(database_users=[dict(API_ORDERS, deleteAfterDate="2026-12-09T00:00:00Z")])
    assert plan(want(database_users=[wanted_user(expiring)]), in_place)["in_sync"] is True


def test_update_password_always_is_a_finding_every_run():
    result = plan(want(database_users=[wanted_user(ORDERS, update_password="always")]), seen(database_users=[API_ORDERS]))
    assert result["findings"] == ["database user orders-dev: password sent on every run (update_password: always)"]
    assert result["actions"]["database_users"]["users"][0]["update_password"] == "always"


def test_what_stops_a_run_before_any_write():
    no_password = plan(want(database_users=[wanted_user(ORDERS, has_password=False)]), seen(database_users=[]))
    assert no_password["problems"] == ["database user orders-dev is missing and vpc_peering_database_users[0] gives no password to create it "
                                       "with (from Ansible Vault or the environment)"]
    # An IAM user needs none.
    iam = wanted_user({"username": "arn:aws:iam::123456789012:role/app", "auth_type": "aws_iam_role", "roles": ORDERS["roles"]}, has_password=False)
    assert plan(want(database_users=[iam]), seen(database_users=[]))["problems"] == []
    other_type = plan(want(database_users=[wanted_user(dict(ORDERS, username="CN=a", auth_type="x509_managed"))]),
                      seen(database_users=[dict(API_ORDERS, username="CN=a", databaseName="$external", x509Type="CUSTOMER")]))
    assert len(other_type["problems"]) == 1 and "authenticates with x509_customer, and auth_type asks for x509_managed" in other_type["problems"][0]


def test_the_private_connection_string_is_in_the_ids_or_waited_for():
    assert plan(want(cluster_name="shared-dev"), seen(cluster=CLUSTER))["ids"]["private_srv"] == PRIVATE_SRV
    assert plan(want(cluster_name="shared-dev"), seen(cluster=CLUSTER))["in_sync"] is True
    unpeered = dict(CLUSTER, connectionStrings={"standardSrv": "mongodb+srv://shared-dev.ab1cd.mongodb.net"})
    # The peering is AVAILABLE, and yet Atlas gives no private string: a finding, and a wait for it.
    waiting = plan(want(cluster_name="shared-dev"), seen(cluster=unpeered))
    assert waiting["findings"] == ["cluster shared-dev: no private connection string yet"]
    assert waiting["actions"] == {"connection_string": {"cluster_name": "shared-dev"}} and waiting["ids"]["private_srv"] is None
    # A peering still to be made: the wait for AVAILABLE says it; the string is waited for after it.
    fresh = plan(want(cluster_name="shared-dev"), seen(cluster=unpeered, peering=None))
    assert "cluster shared-dev: no private connection string yet" not in fresh["findings"] and "connection_string" in fresh["actions"]
    assert list(fresh["actions"])[-1] == "connection_string"
    assert late_ids(fresh, cluster={"private_srv": PRIVATE_SRV})["private_srv"] == PRIVATE_SRV


def test_a_cluster_that_cannot_serve_the_vpc_is_a_problem():
    assert plan(want(cluster_name="shared-dev"), seen(cluster=None))["problems"] == [
        "vpc_peering_cluster_name shared-dev: the project has no cluster of that name"]
    tokyo = dict(CLUSTER, replicationSpecs=[{"regionConfigs": [{"providerName": "AWS", "regionName": "AP_NORTHEAST_1"}]}])
    (problem,) = plan(want(cluster_name="shared-dev"), seen(cluster=tokyo))["problems"]
    assert problem.startswith("vpc_peering_cluster_name shared-dev has no node in US_EAST_1 (its regions: AP_NORTHEAST_1)")


def test_nothing_asked_nothing_planned_and_a_teardown_leaves_users_alone():
    result = plan(want(), seen())
    assert result["in_sync"] is True and "private_srv" not in result["ids"] and result["ids"]["database_users"] == []
    context = dict(region=normalize_region("us-east-1"), atlas_cidr_block="192.168.248.0/21", template=None, check_mode=False)
    torn = plan_vpc(want(state="absent", database_users=[wanted_user(ORDERS)], cluster_name="shared-dev"), seen(peering=PEER), context)
    assert not any("database user" in line for line in torn["findings"]) and "database_users" not in torn["actions"]
