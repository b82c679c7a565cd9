# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's filters of the database users phase: the users the plan takes (never a password), the one password a host's own
task sends, each host's connection record and the summary that shows it; and the input rules of vpc_peering_database_users."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudwire.atlas.plugins.filter.vpc_peering import (
    vpc_peering_connection,
    vpc_peering_connections,
    vpc_peering_database_user_password,
    vpc_peering_database_users_wanted,
    vpc_peering_summary_text,
)
from ansible_collections.cloudwire.atlas.plugins.filter.vpc_peering_input_errors import vpc_peering_input_errors

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
