# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's filters: groups, each host's plan, the inputs of the shared steps with the ids earlier steps produced, the
outcome of a shared step for each host, and the report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.filter.vpc_peering import (
    vpc_peering_groups,
    vpc_peering_members,
    vpc_peering_outcome,
    vpc_peering_plan_of,
    vpc_peering_report,
    vpc_peering_step,
    vpc_peering_summary,
    vpc_peering_summary_text,
)


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
