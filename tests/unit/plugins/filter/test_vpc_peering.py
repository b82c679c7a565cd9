# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's filters: groups, each host's plan, the inputs of the shared steps with the ids earlier steps produced, the
outcome of a shared step for each host, and the report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudwire.atlas.plugins.filter.vpc_peering import (
    vpc_peering_connection,
    vpc_peering_connections,
    vpc_peering_database_user_password,
    vpc_peering_database_users_wanted,
    vpc_peering_groups,
    vpc_peering_members,
    vpc_peering_outcome,
    vpc_peering_plan_of,
    vpc_peering_report,
    vpc_peering_step,
    vpc_peering_summary,
    vpc_peering_summary_text,
)
from ansible_collections.cloudwire.atlas.plugins.filter.vpc_peering_input_errors import vpc_peering_input_errors


def want(region="us-east-1", project="dev"):
    return {"connection": {"region": region, "endpoint_url": "", "assume_role_arn": "", "project_id": "", "project_name": project,
                           "base_url": "", "public_key": "", "atlas_cidr_block": "192.168.248.0/21"}, "vpc": {"name": "x"}}


PLAN_NEW_STACK = {"findings": ["stack net-a: missing", "peering: missing"], "problems": [], "in_sync": False,
                  "actions": {"stack": {"dns_check": True}, "container": {"region": "US_EAST_1", "atlas_cidr_block": "192.168.248.0/21", "id": None},
                              "peering": {"request": "create", "id": None, "container_id": None, "vpc_id": None, "aws_account_id": "123456789012",
                                          "route_table_cidr_block": "10.1.0.0/16", "accepter_region": "us-east-1"},
                              "wait_connection": {"peering_id": None}, "accept": {"connection_id": None},
                              "routes": {"connection_id": None, "route_table_ids": None, "changes": None}},
                  "ids": {"vpc_id": None, "route_table_ids": [], "container_id": None, "peering_id": None, "connection_id": None}}
PLAN_IN_SYNC = {"findings": [], "problems": [], "actions": {}, "ids": {}, "in_sync": True}


def world():
    hostvars = {"a": {"vpc_peering_want": want()}, "b": {"vpc_peering_want": want()}, "c": {"vpc_peering_want": want("eu-west-1")}}
    groups = vpc_peering_groups(["a", "b", "c"], hostvars)
    for host in hostvars:
        hostvars[host]["vpc_peering_groups"] = groups
    return hostvars


def test_groups_by_aws_connection_and_by_project():
    groups = world()["a"]["vpc_peering_groups"]
    assert groups["a"]["read"] == ["a", "b"] and groups["c"]["read"] == ["c"]
    assert groups["a"]["project"] == groups["c"]["project"] == ["a", "b", "c"]


def test_a_plan_comes_from_the_group_read_or_says_the_read_failed():
    hostvars = world()
    hostvars["a"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"a": PLAN_NEW_STACK, "b": PLAN_IN_SYNC}}
    hostvars["b"]["vpc_peering_planned"] = {"skipped": True, "changed": False}
    assert vpc_peering_plan_of("b", hostvars) is PLAN_IN_SYNC
    hostvars["c"]["vpc_peering_planned"] = {"failed": True, "msg": "Failed to read: 401 UNEXPECTED_ERROR"}
    assert vpc_peering_plan_of("c", hostvars)["problems"] == ["reading its VPC on both clouds failed: Failed to read: 401 UNEXPECTED_ERROR"]
    # Once recorded as a fact, the fact is the plan.
    hostvars["b"]["vpc_peering_plan"] = PLAN_NEW_STACK
    assert vpc_peering_plan_of("b", hostvars) is PLAN_NEW_STACK


def test_a_shared_step_runs_for_the_hosts_that_need_it_with_the_ids_the_run_produced():
    hostvars = world()
    hostvars["a"]["vpc_peering_plan"] = PLAN_IN_SYNC
    hostvars["b"]["vpc_peering_plan"] = PLAN_NEW_STACK
    hostvars["c"]["vpc_peering_plan"] = PLAN_IN_SYNC
    # a has nothing to do: b runs the step; a failed host is not in the play batch any more.
    assert vpc_peering_members("a", hostvars, ["a", "b", "c"], "project", "atlas") == ["b"]
    assert vpc_peering_members("a", hostvars, ["a", "c"], "project", "atlas") == []
    hostvars["b"]["vpc_peering_stack_result"] = {"changed": True, "stack_outputs": {"VpcId": "vpc-0123456789abcdef0", "RouteTableIds": "rtb-1,rtb-2"}}
    (item,) = vpc_peering_step(["b"], "atlas", hostvars)
    assert item["peering"]["vpc_id"] == "vpc-0123456789abcdef0" and item["container"]["id"] is None
    done = {"changed": True, "container_id": "d" * 24, "peering": {"id": "q" * 24}, "error": None}
    hostvars["b"]["vpc_peering_atlas_result"] = {"changed": True, "vpcs": {"b": done}}
    hostvars["b"]["vpc_peering_connection"] = {"results": [{"peering": {"id": "q" * 24, "connection_id": None}},
                                                           {"peering": {"id": "q" * 24, "connection_id": "pcx-0123456789abcdef0"}},
                                                           {"skipped": True}]}
    (item,) = vpc_peering_step(["b"], "aws", hostvars)
    assert item == {"name": "b", "vpc_id": "vpc-0123456789abcdef0", "accept": "pcx-0123456789abcdef0", "dns": [], "dns_check": True,
                    "routes": {"connection_id": "pcx-0123456789abcdef0", "route_table_ids": ["rtb-1", "rtb-2"], "changes": None}}


def test_each_host_gets_its_outcome_of_a_shared_step():
    hostvars = world()
    hostvars["a"]["vpc_peering_aws_result"] = {"failed": True, "msg": "b: Failed to accept vpc peering", "vpcs": {
        "a": {"changed": True, "done": ["route rtb-1: missing"], "error": None}, "b": {"changed": False, "done": [], "error": "Failed"}}}
    assert vpc_peering_outcome("b", "aws", hostvars)["error"] == "Failed"
    assert vpc_peering_outcome("a", "aws", hostvars)["changed"] is True
    hostvars["a"]["vpc_peering_atlas_result"] = {"failed": True, "msg": "Failed to apply the plan on Atlas: 401"}
    assert "the atlas step, run by a for its group, failed: Failed to apply the plan on Atlas: 401" == vpc_peering_outcome("c", "atlas", hostvars)["error"]
    hostvars["a"]["vpc_peering_plan"] = dict(PLAN_IN_SYNC, findings=["peering: missing"])
    assert vpc_peering_report("a", hostvars) == ["peering: missing", "route rtb-1: missing"]
    assert vpc_peering_report("a", hostvars, True) == ["peering: missing"]


def test_the_summary():
    hostvars = {"a": {"vpc_peering_findings": ["peering: missing"]}, "b": {"vpc_peering_findings": []}, "c": {}}
    summary = vpc_peering_summary(["a", "b", "c"], hostvars)
    assert summary == {"a": ["peering: missing"], "b": [], "c": ["(no report: the host failed before its report)"]}
    text = vpc_peering_summary_text(True, summary)
    assert text.startswith("Drift (check mode, nothing was changed): 2 finding(s) on 2 of 3 host(s).") and "a: peering: missing." in text


# ---- The role's filters of the database users phase: the users the plan takes (never a password), the one password a host's
# own task sends, each host's connection record and the summary that shows it; and the input rules of
# vpc_peering_database_users.
PASSWORD = "pw-0123456789abcdef"
ROLES = [{"role_name": "readWrite", "database_name": "orders"}]
USERS = [{"username": "orders-dev", "password": PASSWORD, "roles": ROLES, "scopes": [{"name": "shared-dev"}]},
         {"username": "arn:aws:iam::123456789012:role/app", "auth_type": "aws_iam_role", "roles": ROLES, "description": ""}]
PRIVATE_SRV = "mongodb+srv://shared-dev-pri.ab1cd.mongodb.net"


def test_the_plan_takes_the_users_without_their_passwords():
    wanted = vpc_peering_database_users_wanted(USERS)
    assert wanted == [{"username": "orders-dev", "roles": ROLES, "scopes": [{"name": "shared-dev"}], "has_password": True},
                      {"username": "arn:aws:iam::123456789012:role/app", "auth_type": "aws_iam_role", "roles": ROLES, "has_password": False}]
    assert PASSWORD not in repr(wanted) and vpc_peering_database_users_wanted([]) == []
    temporary = vpc_peering_database_users_wanted([dict(USERS[0], delete_after_date="2026-12-09T00:00:00Z")])
    assert temporary[0]["delete_after_date"] == "2026-12-09T00:00:00Z"
    with pytest.raises(AnsibleFilterError):
        vpc_peering_database_users_wanted(["orders-dev"])


def test_the_one_password_a_host_sends_is_its_own_for_that_user():
    assert vpc_peering_database_user_password(USERS, {"username": "orders-dev", "auth_database": "admin"}) == PASSWORD
    assert vpc_peering_database_user_password(USERS, {"username": "arn:aws:iam::123456789012:role/app", "auth_database": "$external"}) is None
    assert vpc_peering_database_user_password(USERS, {"username": "someone-else", "auth_database": "admin"}) is None
    pinned = [dict(USERS[0], auth_database="admin")]
    assert vpc_peering_database_user_password(pinned, {"username": "orders-dev", "auth_database": "$external"}) is None


def test_each_hosts_connection_and_the_summary():
    plan = {"findings": [], "problems": [], "actions": {}, "in_sync": True,
            "ids": {"cluster_name": "shared-dev", "private_srv": None, "database_users": ["orders-dev"]}}
    hostvars = {"a": {"vpc_peering_plan": plan, "vpc_peering_cluster": {"results": [{"private_srv": None}, {"private_srv": PRIVATE_SRV}]}},
                "b": {"vpc_peering_plan": dict(plan, ids={"database_users": []})},
                "c": {"vpc_peering_plan": dict(plan, ids={"cluster_name": "shared-dev", "private_srv": None, "database_users": []})}}
    assert vpc_peering_connection("a", hostvars) == {"cluster": "shared-dev", "private_srv": PRIVATE_SRV, "database_users": ["orders-dev"]}
    assert vpc_peering_connection("b", hostvars) == {}
    for host in hostvars:
        hostvars[host]["vpc_peering_connection"] = vpc_peering_connection(host, hostvars)
    connections = vpc_peering_connections(["a", "b", "c"], hostvars)
    assert list(connections) == ["a", "c"]
    text = vpc_peering_summary_text(False, {"a": ["database user orders-dev: missing"], "b": [], "c": []}, connections)
    assert text.splitlines() == [
        "Changes made by this run: 1 finding(s) on 1 of 3 host(s).", "a: database user orders-dev: missing.",
        "Private connection strings (they resolve over the peering) and database users:",
        "a: %s; database users: orders-dev." % PRIVATE_SRV, "c: (cluster shared-dev: no private connection string yet); database users: none."]
    assert vpc_peering_summary_text(True, {"b": []}, {}) == "Drift (check mode, nothing was changed): 0 finding(s) on 0 of 1 host(s)."


@pytest.mark.parametrize("users, words", [
    ([{"username": "a", "password": "tiny-pw", "roles": ROLES}], "vpc_peering_database_users[0]: password is 7 characters long: Atlas requires at least 8"),
    ([{"username": "a", "password": PASSWORD}], "vpc_peering_database_users[0].roles: list at least one role"),
    ([{"username": "a", "password": PASSWORD, "roles": ROLES, "role": "x"}], "vpc_peering_database_users[0]: unknown key(s) role"),
    ([{"username": "a", "password": PASSWORD, "roles": ROLES, "update_password": "sometimes"}], "'sometimes' is neither on_create nor always"),
    ([{"username": "a", "password": PASSWORD, "roles": [{"role_name": "readWrite"}]}], "vpc_peering_database_users[0]: roles[0].database_name is required"),
    ([{"username": "a", "password": PASSWORD, "roles": ROLES}, {"username": "a", "roles": ROLES}], "is listed twice (also vpc_peering_database_users[0])"),
    ("orders-dev", "vpc_peering_database_users must be a list"),
])
def test_the_input_rules_name_the_user_never_its_password(users, words):
    errors = vpc_peering_input_errors({"vpc_peering_database_users": users})
    assert any(words in error for error in errors), errors
    assert not any(PASSWORD in error or "tiny-pw" in error for error in errors)


def test_good_users_and_cluster_name_pass():
    assert vpc_peering_input_errors({"vpc_peering_database_users": USERS, "vpc_peering_cluster_name": "shared-dev"}) == []
    assert vpc_peering_input_errors({"vpc_peering_database_users": [], "vpc_peering_cluster_name": ""}) == []
    assert vpc_peering_input_errors({"vpc_peering_cluster_name": "shared dev"}) == [
        "vpc_peering_cluster_name: 'shared dev' is not a cluster name: 1 to 64 ASCII letters, digits and hyphens, starting with a letter or digit"]
