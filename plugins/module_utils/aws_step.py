# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS step of the vpc_peering role: one AWS account and region's writes for the VPCs its plan names, in one go.

The module cloudwire.atlas.vpc_peering_aws runs it. It takes a ``module`` with what amazon.aws's AnsibleAWSModule has
(``params``, ``client``, ``fail_json``, ``exit_json``). Every call goes through amazon.aws's EC2 helpers (their retries and
errors).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import (
    AnsibleEC2Error,
    accept_vpc_peering_connection,
    describe_route_tables,
    describe_vpc_attribute,
    describe_vpc_peering_connections,
    modify_vpc_attribute,
)
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.dns import DNS_ATTRIBUTES
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import apply_route, plan as plan_route


# The VPCs of one account and region are written side by side: 8 at a time stays well inside EC2's request rate.
WRITE_THREADS = 8


def argument_spec():
    """The step's own options (the AWS connection options are amazon.aws's)."""
    routes = dict(connection_id=dict(type="str"), route_table_ids=dict(type="list", elements="str"),
                  changes=dict(type="list", elements="dict"))
    vpc = dict(name=dict(type="str", required=True), vpc_id=dict(type="str"), accept=dict(type="str"),
               routes=dict(type="dict", options=routes), routes_remove=dict(type="dict"),
               dns=dict(type="list", elements="str", choices=[attribute for attribute, _key, _line in DNS_ATTRIBUTES], default=[]),
               dns_check=dict(type="bool", default=False))
    return dict(destination_cidr_block=dict(type="str", required=True), vpcs=dict(type="list", elements="dict", required=True, options=vpc))


def apply(module):
    """Every AWS action of ``module.params["vpcs"]``; ends with ``module.exit_json`` or ``module.fail_json``."""
    destination = module.params["destination_cidr_block"]
    try:
        if validators.canonical_cidr(destination) != destination.strip():
            module.fail_json(msg="Invalid destination_cidr_block %r: not in canonical form, the block it names is %s"
                             % (destination, validators.canonical_cidr(destination)))
    except ValueError as exc:
        module.fail_json(msg="Invalid destination_cidr_block: %s" % exc)
    vpcs = module.params["vpcs"]
    ec2 = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    results = dict((v["name"], {"changed": False, "done": [], "route_tables": [], "error": None}) for v in vpcs)

    def failed(name, exc):
        results[name]["error"] = results[name]["error"] or str(exc)

    # What is still pending acceptance, read once for every VPC (a connection accepted by an interrupted run is active
    # already: nothing to do); each VPC's thread below accepts its own.
    pending = dict((v["accept"], v["name"]) for v in vpcs if v.get("accept"))
    acceptable = set()
    if pending:
        try:
            found = describe_vpc_peering_connections(ec2, VpcPeeringConnectionIds=sorted(pending))
        except AnsibleEC2Error as exc:
            for name in pending.values():
                failed(name, exc)
            found = []
        acceptable = set(pcx["VpcPeeringConnectionId"] for pcx in found if pcx.get("Status", {}).get("Code") == "pending-acceptance")

    # Tables of a stack deployed by this run were not read by the plan: one read for all of them.
    unread = dict((rtb, v["name"]) for v in vpcs if v.get("routes") and v["routes"].get("changes") is None
                  for rtb in v["routes"].get("route_table_ids") or [])
    tables = {}
    if unread:
        try:
            tables = dict((t["RouteTableId"], t) for t in describe_route_tables(ec2, RouteTableIds=sorted(unread)))
        except AnsibleEC2Error as exc:
            for name in set(unread.values()):
                failed(name, exc)

    def apply(item):
        """One VPC's acceptance, routes and DNS (in a thread: the VPCs of the account and region side by side)."""
        name = item["name"]
        if results[name]["error"]:
            return
        try:
            if item.get("accept") in acceptable:
                # Before its routes, which go through this connection (the order the module has always kept).
                accept_vpc_peering_connection(ec2, item["accept"])
                # The wait for AVAILABLE polls one interval after this.
                results[name]["accepted_at"] = time.time()
                results[name]["changed"] = True
                results[name]["done"].append("peering: pending acceptance of %s" % item["accept"])
            changes, pcx = [], None
            if item.get("routes"):
                pcx = item["routes"].get("connection_id")
                changes = item["routes"].get("changes")
                if changes is None:
                    # Only these are news to the report: the plan could not see the tables of a stack still to be deployed.
                    changes = []
                    for rtb in item["routes"].get("route_table_ids") or []:
                        action, line = plan_route(tables.get(rtb, {"RouteTableId": rtb}), destination, pcx, "present")
                        if action:
                            changes.append({"route_table_id": rtb, "action": action})
                            results[name]["done"].append(line)
                if changes and not pcx:
                    raise AnsibleEC2Error(message="no pcx- id to route %s through: Atlas has not requested the peering connection" % destination)
            elif item.get("routes_remove"):
                changes = item["routes_remove"].get("changes") or []
            for change in changes:
                if apply_route(ec2, change["route_table_id"], destination, pcx, change["action"]):
                    results[name]["changed"] = True
                results[name]["route_tables"].append({"route_table_id": change["route_table_id"],
                                                      "after": None if change["action"] == "delete" else {"target": pcx, "state": "active"}})
            for attribute, _key, line in DNS_ATTRIBUTES:
                if item.get("dns_check") and not item.get("dns"):
                    if describe_vpc_attribute(ec2, item["vpc_id"], attribute[0].lower() + attribute[1:])[attribute]["Value"]:
                        continue
                    results[name]["done"].append(line)
                elif attribute not in item["dns"]:
                    continue
                modify_vpc_attribute(ec2, item["vpc_id"], **{attribute: {"Value": True}})  # AWS takes one attribute per call
                results[name]["changed"] = True
        except AnsibleEC2Error as exc:
            failed(name, exc)

    # boto3 clients are thread-safe; each VPC writes only its own entry of results.
    with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
        list(pool.map(apply, vpcs))

    changed = any(r["changed"] for r in results.values())
    errors = ["%s: %s" % (name, r["error"]) for name, r in sorted(results.items()) if r["error"]]
    if errors:
        module.fail_json(msg="; ".join(errors), changed=changed, vpcs=results)
    module.exit_json(changed=changed, vpcs=results)
