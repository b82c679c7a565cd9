# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plan.py, the application's side: each database user a host lists against the project's (missing, a field that differs,
update_password always, a type Atlas cannot change, no password to create one), and the cluster's private connection string
(in the ids, or an action that waits for it; a missing cluster or one without a node in the region is a problem)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.cloudwire.atlas.plugins.module_utils.database_users import normalize_user
from ansible_collections.cloudwire.atlas.plugins.module_utils.plan import late_ids, plan_vpc
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.test_plan import PEER, plan, seen, want

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
