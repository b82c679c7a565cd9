# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A VPC's ids as a run of the vpc_peering role learns them: the plan's (plan.py), completed by what the run's steps produced.

Apart from plan.py because the role's filters use it in every worker process that templates them: ansible-core compiles a
collection's plugin files and the module_utils they import from source in each worker (no bytecode cache), so this file
imports nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Stack outputs the role's template (roles/vpc_peering/files/network.cfn.yml) gives; a stack of one's own must give them too.
OUTPUT_VPC, OUTPUT_ROUTE_TABLES, OUTPUT_SECURITY_GROUP = "VpcId", "RouteTableIds", "SecurityGroupId"


def route_table_ids_of(outputs):
    return [rtb for rtb in (outputs.get(OUTPUT_ROUTE_TABLES) or "").split(",") if rtb]


def late_ids(plan, stack_outputs_now=None, atlas_done=None, connection=None, cluster=None):
    """The ids of a VPC at a step of the run: the plan's, completed by what this run produced so far.

    ``stack_outputs_now``: the outputs of the stack this run deployed; ``atlas_done``: the Atlas step's result for the VPC
    (container id, peering, when it requested the peering); ``connection``: the AWS step's result for the VPC (the peering as
    its wait for the pcx- id saw it last);
    ``cluster``: the last poll of the wait for the cluster's private connection string.
    """
    ids = dict(plan.get("ids") or {})
    if stack_outputs_now:
        ids["vpc_id"] = stack_outputs_now.get(OUTPUT_VPC) or ids.get("vpc_id")
        ids["route_table_ids"] = route_table_ids_of(stack_outputs_now) or ids.get("route_table_ids") or []
        ids["security_group_id"] = ids.get("security_group_id") or stack_outputs_now.get(OUTPUT_SECURITY_GROUP)
    if not ids.get("access_list_key") and ids.get("access_list_mode") == "security_group" and ids.get("security_group_id"):
        ids["access_list_key"] = ids["security_group_id"]
    # The entries the wait for AVAILABLE waits for too (Plan.result folds the two waits when nothing comes between them).
    folded = "entries" in ((plan.get("actions") or {}).get("wait_available") or {})
    ids["available_wait_entries"] = [ids["access_list_key"]] if folded and ids.get("access_list_key") else []
    for source in (atlas_done or {}, connection or {}):
        peering = source.get("peering") or {}
        if source.get("container_id"):
            ids["container_id"] = source["container_id"]
        if peering.get("id"):
            ids["peering_id"] = peering["id"]
        if peering.get("connection_id"):
            ids["connection_id"] = peering["connection_id"]
    # When this run requested the peering: the wait for the pcx- id polls first one interval after.
    ids["requested_at"] = (atlas_done or {}).get("requested_at")
    if (cluster or {}).get("private_srv"):
        ids["private_srv"] = cluster["private_srv"]
    return ids
