# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ids.py: a VPC's ids completed by what the run produced (a new stack's outputs, the Atlas step, the waits)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import inspect

from ansible_collections.cloudwire.atlas.plugins.module_utils import ids as ids_module
from ansible_collections.cloudwire.atlas.plugins.module_utils.ids import late_ids, route_table_ids_of

OUTPUTS = {"VpcId": "vpc-0123456789abcdef0", "RouteTableIds": "rtb-1,rtb-2,", "SecurityGroupId": "sg-0123456789abcdef0"}
# A plan for a VPC the run deploys: no VPC id yet, its entry is the stack's security group, the two waits folded into one.
PLAN = {"actions": {"stack": {}, "wait_available": {"peering_id": None, "entries": [None]}},
        "ids": {"vpc_id": None, "route_table_ids": [], "access_list_mode": "security_group", "security_group_id": None,
                "access_list_key": None}}


def test_route_tables_come_from_the_stack_output():
    assert route_table_ids_of(OUTPUTS) == ["rtb-1", "rtb-2"]
    assert route_table_ids_of({}) == []


def test_a_new_stack_gives_the_vpc_its_tables_and_its_entry():
    before = late_ids(PLAN)
    assert before["vpc_id"] is None and before["available_wait_entries"] == []
    ids = late_ids(PLAN, stack_outputs_now=OUTPUTS)
    assert ids["vpc_id"] == OUTPUTS["VpcId"] and ids["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert ids["access_list_key"] == ids["security_group_id"] == OUTPUTS["SecurityGroupId"]
    assert ids["available_wait_entries"] == [OUTPUTS["SecurityGroupId"]]
    assert PLAN["ids"]["vpc_id"] is None, "the plan itself is not changed"


def test_the_steps_and_waits_fill_in_container_peering_pcx_and_private_string():
    ids = late_ids(PLAN, atlas_done={"container_id": "d" * 24, "peering": {"id": "q" * 24}},
                   connection={"peering": {"id": "q" * 24, "connection_id": "pcx-0fedcba9876543210"}},
                   cluster={"private_srv": "mongodb+srv://app-pri.ab1cd.mongodb.net"})
    assert (ids["container_id"], ids["peering_id"], ids["connection_id"]) == ("d" * 24, "q" * 24, "pcx-0fedcba9876543210")
    assert ids["private_srv"] == "mongodb+srv://app-pri.ab1cd.mongodb.net"
    # A step that produced nothing leaves the plan's ids as they were.
    assert late_ids(dict(PLAN, ids={"peering_id": "p" * 24}), atlas_done={"peering": {}})["peering_id"] == "p" * 24


def test_the_time_of_the_request_the_connection_wait_follows():
    assert late_ids(PLAN, atlas_done={"peering": {"id": "q" * 24}, "requested_at": 1000.5})["requested_at"] == 1000.5
    # Nothing requested by this run (a rerun, a VPC already peered): the wait polls at once.
    assert late_ids(PLAN)["requested_at"] is None


def test_imports_nothing():
    # The role's filters import this file in every worker process; it must stay free of imports (see its docstring).
    tree = ast.parse(inspect.getsource(ids_module))
    imported = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) and node.module != "__future__"]
    assert imported == []
