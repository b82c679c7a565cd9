#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_aws
short_description: Apply the AWS side of vpc_peering plans for the VPCs of one account and region, in one process
version_added: 0.1.0
description:
  - Used by the C(cloudwire.atlas.vpc_peering) role, with the actions M(cloudwire.atlas.vpc_peering_plan) planned. For the VPCs of
    one AWS account and region it accepts the VPC peering connections Atlas requested (those still C(pending-acceptance)), adds or
    replaces the one route to the Atlas CIDR in each route table that lacks it, removes it (teardown), and turns on DNS support and
    DNS hostnames. Every call goes through amazon.aws's EC2 helpers (their retries and errors).
  - Route tables the plan read are not read again; those of a stack deployed by the same run (O(vpcs[].routes.changes) null) are.
  - Only the one route per table is touched (M(amazon.aws.ec2_vpc_route_table) cannot remove a single route without purging the
    others, and sleeps 5 seconds per changed table, also in check mode).
  - A VPC whose action fails gets its C(error) in RV(vpcs) and the task fails after the other VPCs' actions are done.
options:
  destination_cidr_block:
    description: The peered CIDR (the Atlas CIDR block).
    type: str
    required: true
  vpcs:
    description: The VPCs and their planned AWS actions (completed with the ids earlier steps produced).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The VPC's name in the plan (the role uses the inventory host name); RV(vpcs) is keyed by it.
        type: str
        required: true
      vpc_id:
        description: The VPC.
        type: str
      accept:
        description: The C(pcx-) id to accept in this account, when it is still C(pending-acceptance).
        type: str
      routes:
        description: The routes to the Atlas CIDR through C(connection_id).
        type: dict
        suboptions:
          connection_id:
            description: The C(pcx-) id the routes go through.
            type: str
          route_table_ids:
            description: The route tables in scope.
            type: list
            elements: str
          changes:
            description: What each table needs (C(route_table_id), C(action) V(create) or V(replace)); null to read the tables first.
            type: list
            elements: dict
      routes_remove:
        description: The routes to remove (C(changes), each C(route_table_id) with C(action) V(delete)).
        type: dict
      dns:
        description: The DNS attributes to turn on (the plan lists those it found off).
        type: list
        elements: str
        choices: [EnableDnsSupport, EnableDnsHostnames]
        default: []
      dns_check:
        description:
          - Read DNS support and DNS hostnames first and turn on what is off (the VPC of a stack this run deployed, which the plan
            could not read; its template asks for both, but not every CloudFormation implementation honours that).
        type: bool
        default: false
extends_documentation_fragment:
  - cloudwire.atlas.aws
  - cloudwire.atlas.aws.region
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: none
    details: The role runs it only in a normal run; in check mode the plan's findings are the report.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: none
  action_group:
    description: Use C(group/cloudwire.atlas.aws) (or C(group/amazon.aws.aws)) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudwire.atlas.aws
seealso:
  - module: cloudwire.atlas.vpc_peering_plan
  - module: cloudwire.atlas.vpc_peering_routes
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Accept the peering Atlas requested and route the Atlas CIDR through it
  cloudwire.atlas.vpc_peering_aws:
    region: eu-west-1
    destination_cidr_block: 192.168.248.0/21
    vpcs:
      - name: payments-api
        vpc_id: vpc-0a1b2c3d4e5f67890
        accept: pcx-0a1b2c3d4e5f67890
        routes:
          connection_id: pcx-0a1b2c3d4e5f67890
          route_table_ids: [rtb-0a1b2c3d4e5f67890]
          changes: [{route_table_id: rtb-0a1b2c3d4e5f67890, action: create}]
"""

RETURN = r"""
vpcs:
  description: What was done for each VPC of O(vpcs), keyed by its name.
  returned: always
  type: dict
  contains:
    changed:
      description: Whether this VPC's actions changed something.
      type: bool
    done:
      description: >-
        What this run found and changed that the plan could not see, in the words of the role's report (C(route rtb-...: missing),
        C(peering: pending acceptance of pcx-...)).
      type: list
      elements: str
    route_tables:
      description: The route tables in scope and their route after the run.
      type: list
      elements: dict
    error:
      description: Why an action of this VPC failed, or null.
      type: str
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import (
    AnsibleEC2Error,
    accept_vpc_peering_connection,
    describe_route_tables,
    describe_vpc_attribute,
    describe_vpc_peering_connections,
    modify_vpc_attribute,
)
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.dns import DNS_ATTRIBUTES
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import apply_route, plan as plan_route


# The VPCs of one account and region are written side by side: 8 at a time stays well inside EC2's request rate.
WRITE_THREADS = 8


def main():
    routes = dict(connection_id=dict(type="str"), route_table_ids=dict(type="list", elements="str"),
                  changes=dict(type="list", elements="dict"))
    vpc = dict(name=dict(type="str", required=True), vpc_id=dict(type="str"), accept=dict(type="str"),
               routes=dict(type="dict", options=routes), routes_remove=dict(type="dict"),
               dns=dict(type="list", elements="str", choices=[attribute for attribute, _key, _line in DNS_ATTRIBUTES], default=[]),
               dns_check=dict(type="bool", default=False))
    module = AnsibleAWSModule(
        argument_spec=dict(destination_cidr_block=dict(type="str", required=True),
                           vpcs=dict(type="list", elements="dict", required=True, options=vpc)),
        supports_check_mode=False,
    )
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


if __name__ == "__main__":
    main()
