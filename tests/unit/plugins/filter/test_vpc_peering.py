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
    vpc_peering_assuming,
    vpc_peering_connection,
    vpc_peering_connections,
    vpc_peering_database_user_password,
    vpc_peering_database_users_wanted,
    vpc_peering_groups,
    vpc_peering_ids,
    vpc_peering_index,
    vpc_peering_members,
    vpc_peering_outcome,
    vpc_peering_plan_of,
    vpc_peering_report,
    vpc_peering_runs_once,
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


def indexed(hostvars, hosts=("a", "b", "c")):
    """What preflight's run_once task does after the plan: the index, as every host's fact."""
    index = vpc_peering_index(list(hosts), hostvars)
    for host in hostvars:
        hostvars[host]["vpc_peering_run"] = index
    return hostvars


def planned(hostvars, plans):
    """Each group's plan process answered these plans."""
    hostvars["a"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"a": plans["a"], "b": plans["b"]}}
    hostvars["b"]["vpc_peering_planned"] = {"skipped": True, "changed": False}
    hostvars["c"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"c": plans["c"]}}
    return indexed(hostvars)


def test_groups_by_aws_connection_and_by_project():
    groups = world()["a"]["vpc_peering_groups"]
    assert groups["a"]["read"] == ["a", "b"] and groups["c"]["read"] == ["c"]
    assert groups["a"]["project"] == groups["c"]["project"] == ["a", "b", "c"]


def test_the_hosts_that_assume_a_role():
    hostvars = world()
    hostvars["a"]["vpc_peering_want"]["connection"]["assume_role_arn"] = "arn:aws:iam::123456789012:role/peering"
    hostvars["b"]["vpc_peering_want"] = {"input_errors": ["vpc_peering_state: 'up'"]}
    assert vpc_peering_assuming(["a", "b", "c"], hostvars) == ["a"]
    assert vpc_peering_assuming(["b", "c"], hostvars) == []


def test_a_shared_task_runs_once_when_the_batchs_first_host_alone_runs_it():
    # One group: its first host still in the batch runs the task for it, alone.
    assert vpc_peering_runs_once({"a": ["a", "b"], "b": ["a", "b"]}, ["a", "b", "c"])
    assert vpc_peering_runs_once({"a": ["a", "b"], "b": ["a", "b"]}, ["b", "c"])  # a failed: b runs it
    # Nobody runs it: skipped once.
    assert vpc_peering_runs_once({}, ["a", "b"]) and vpc_peering_runs_once({"a": ["a"]}, ["b"])
    # The runner is not the batch's first host, or two groups each have their runner: every host decides for itself.
    assert not vpc_peering_runs_once({"b": ["b"]}, ["a", "b"])
    assert not vpc_peering_runs_once({"a": ["a"], "c": ["c"]}, ["a", "b", "c"])
    # The groups of the plan (vpc_peering_groups) by kind.
    groups = world()["a"]["vpc_peering_groups"]
    assert vpc_peering_runs_once(groups, ["a", "b", "c"], "project")
    assert not vpc_peering_runs_once(groups, ["a", "b", "c"], "read")
    assert vpc_peering_runs_once(groups, ["a", "b"], "read")


def test_a_host_with_broken_inputs_is_in_no_group_and_its_plan_is_its_input_errors():
    hostvars = world()
    hostvars["b"]["vpc_peering_want"] = {"input_errors": ["vpc_peering_vpc_id: 'vpc-1' is not a VPC id", "vpc_peering_state: 'up'"]}
    groups = vpc_peering_groups(["a", "b", "c"], hostvars)
    assert "b" not in groups and groups["a"]["read"] == ["a"] and groups["a"]["project"] == ["a", "c"]
    for host in hostvars:
        hostvars[host]["vpc_peering_groups"] = groups
    hostvars["a"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"a": PLAN_IN_SYNC}}
    hostvars["c"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"c": PLAN_IN_SYNC}}
    indexed(hostvars)
    assert vpc_peering_plan_of("b", hostvars)["problems"] == [
        "vpc_peering_vpc_id: 'vpc-1' is not a VPC id", "vpc_peering_state: 'up' (meta/argument_specs.yml documents every input)"]
    assert vpc_peering_plan_of("a", hostvars) is PLAN_IN_SYNC


def test_a_plan_comes_from_the_group_read_or_says_the_read_failed():
    hostvars = world()
    hostvars["a"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"a": PLAN_NEW_STACK, "b": PLAN_IN_SYNC}}
    hostvars["b"]["vpc_peering_planned"] = {"skipped": True, "changed": False}
    hostvars["c"]["vpc_peering_planned"] = {"failed": True, "msg": "Failed to read: 401 UNEXPECTED_ERROR"}
    indexed(hostvars)
    assert vpc_peering_plan_of("b", hostvars) is PLAN_IN_SYNC
    assert vpc_peering_plan_of("c", hostvars)["problems"] == ["reading its VPC on both clouds failed: Failed to read: 401 UNEXPECTED_ERROR"]
    # A host the plan process did not answer for (it ended before that host) has a problem too; before preflight, no plan.
    hostvars["a"]["vpc_peering_planned"] = {"changed": False, "vpcs": {"a": PLAN_NEW_STACK}}
    indexed(hostvars)
    assert vpc_peering_plan_of("b", hostvars)["problems"] == ["reading its VPC on both clouds failed: no answer for this host"]
    assert vpc_peering_plan_of("a", world()) == {}


def test_a_shared_step_runs_for_the_hosts_that_need_it_with_the_ids_the_run_produced():
    hostvars = planned(world(), {"a": PLAN_IN_SYNC, "b": PLAN_NEW_STACK, "c": PLAN_IN_SYNC})
    assert hostvars["a"]["vpc_peering_run"]["members"]["atlas"] == {"b": ["b"]}
    assert hostvars["a"]["vpc_peering_run"]["members"]["aws"] == {"b": ["b"]}
    # Every action some host plans (the role skips a task that no host needs once for the batch); none in a run in sync.
    assert hostvars["a"]["vpc_peering_run"]["planned"] == sorted(PLAN_NEW_STACK["actions"])
    assert planned(world(), {"a": PLAN_IN_SYNC, "b": PLAN_IN_SYNC, "c": PLAN_IN_SYNC})["c"]["vpc_peering_run"]["planned"] == []
    # a has nothing to do: b runs the step; a failed host is not in the play batch any more.
    assert vpc_peering_members("b", hostvars, ["a", "b", "c"], "project", "atlas") == ["b"]
    assert vpc_peering_members("a", hostvars, ["a", "b", "c"], "project", "atlas") == []
    assert vpc_peering_members("b", hostvars, ["a", "c"], "project", "atlas") == []
    assert vpc_peering_members("a", hostvars, ["a", "b", "c"], "read") == ["a", "b"]
    hostvars["b"]["vpc_peering_stack_result"] = {"changed": True, "stack_outputs": {"VpcId": "vpc-0123456789abcdef0", "RouteTableIds": "rtb-1,rtb-2"}}
    (item,) = vpc_peering_step(["b"], "atlas", hostvars)
    assert item["peering"]["vpc_id"] == "vpc-0123456789abcdef0" and item["container"]["id"] is None
    done = {"changed": True, "container_id": "d" * 24, "peering": {"id": "q" * 24}, "error": None}
    hostvars["b"]["vpc_peering_atlas_result"] = {"changed": True, "vpcs": {"b": done}}
    (item,) = vpc_peering_step(["b"], "aws", hostvars)
    # The pcx- id is not known yet: the AWS step waits for it (from when the Atlas step requested the peering), then accepts it.
    assert item == {"name": "b", "vpc_id": "vpc-0123456789abcdef0", "accept": None, "dns": [], "dns_check": True,
                    "routes": {"connection_id": None, "route_table_ids": ["rtb-1", "rtb-2"], "changes": None},
                    "wait_connection": True, "wait_available": False, "peering_id": "q" * 24, "requested_at": None, "entries": []}
    # What the AWS step's wait found completes the host's ids for the steps after it.
    hostvars["b"]["vpc_peering_aws_result"] = {"changed": True, "vpcs": {"b": {
        "changed": True, "error": None, "peering": {"id": "q" * 24, "connection_id": "pcx-0123456789abcdef0", "status_name": "AVAILABLE"}}}}
    assert vpc_peering_ids("b", hostvars)["connection_id"] == "pcx-0123456789abcdef0"
    with pytest.raises(AnsibleFilterError, match="unknown step"):
        vpc_peering_step(["b"], "azure", hostvars)


def test_each_host_gets_its_outcome_of_a_shared_step():
    hostvars = planned(world(), {"a": dict(PLAN_IN_SYNC, findings=["peering: missing"]), "b": PLAN_IN_SYNC, "c": PLAN_IN_SYNC})
    hostvars["a"]["vpc_peering_aws_result"] = {"failed": True, "msg": "b: Failed to accept vpc peering", "vpcs": {
        "a": {"changed": True, "done": ["route rtb-1: missing"], "error": None}, "b": {"changed": False, "done": [], "error": "Failed"}}}
    assert vpc_peering_outcome("b", "aws", hostvars)["error"] == "Failed"
    assert vpc_peering_outcome("a", "aws", hostvars)["changed"] is True
    hostvars["a"]["vpc_peering_atlas_result"] = {"failed": True, "msg": "Failed to apply the plan on Atlas: 401"}
    assert "the atlas step, run by a for its group, failed: Failed to apply the plan on Atlas: 401" == vpc_peering_outcome("c", "atlas", hostvars)["error"]
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
    hostvars = planned(world(), {"a": plan, "b": dict(plan, ids={"database_users": []}),
                                 "c": dict(plan, ids={"cluster_name": "shared-dev", "private_srv": None, "database_users": []})})
    hostvars["a"]["vpc_peering_cluster"] = {"results": [{"private_srv": None}, {"private_srv": PRIVATE_SRV}]}
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


class CountingHostVars(object):
    """Stands in for ansible-core's HostVars: each hostvars[host] computes that host's variables again (counted here)."""

    def __init__(self, data):
        self.data, self.reads = data, 0

    def __getitem__(self, host):
        self.reads += 1
        return self.data[host]


def _reads_in_a_worker(hostvars, queue):
    for _poll in range(3):  # a loop of three items templates its options three times
        vpc_peering_report("b", hostvars)
        vpc_peering_members("b", hostvars, ["a", "b", "c"], "project", "atlas")
    queue.put(hostvars.reads)


def test_a_worker_reads_each_host_once_however_often_the_filters_ask():
    multiprocessing = pytest.importorskip("multiprocessing")
    data = planned(world(), {"a": PLAN_IN_SYNC, "b": PLAN_NEW_STACK, "c": PLAN_IN_SYNC})
    # In ansible-playbook's own process (no parent process) nothing is kept: every call reads again.
    hostvars = CountingHostVars(data)
    vpc_peering_report("b", hostvars)
    vpc_peering_report("b", hostvars)
    assert hostvars.reads >= 4
    # In a worker process (forked, as ansible-core's are), b's variables and a's registered answers are read once.
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_reads_in_a_worker, args=(CountingHostVars(data), queue))
    worker.start()
    reads = queue.get(timeout=30)
    worker.join(30)
    assert reads == 2, reads
