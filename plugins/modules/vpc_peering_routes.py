#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: cloudwire platform engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vpc_peering_routes
short_description: One route to a peered CIDR in every route table of a VPC in scope, and nothing else touched
version_added: 0.1.0
description:
  - Used by the C(cloudwire.atlas.vpc_peering) role. It makes sure that every route table in scope has a route to
    O(destination_cidr_block) through the VPC peering connection O(vpc_peering_connection_id), or (O(state=absent)) that no
    route table in scope has a route to that CIDR through any peering connection.
  - Why not M(amazon.aws.ec2_vpc_route_table)? It cannot remove a single route without purging every other route of the
    table, and it sleeps 5 seconds per changed table, also in check mode. This module touches only the one route per table.
  - Missing routes are created; blackholed routes and routes through another target are replaced. Other routes are never read
    for changes nor modified.
  - In check mode nothing is written; RV(drift) lists what differs.
options:
  vpc_id:
    description: VPC whose route tables are in scope.
    type: str
    required: true
  route_table_ids:
    description: Only these route tables of the VPC (default all of them).
    type: list
    elements: str
  route_table_tags:
    description: Only the route tables of the VPC carrying all these tags.
    type: dict
  destination_cidr_block:
    description: The peered CIDR (the Atlas CIDR block).
    type: str
    required: true
  vpc_peering_connection_id:
    description: The C(pcx-) id the route goes through. Required with O(state=present).
    type: str
  state:
    description: Whether the route should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloudwire.atlas.aws
  - cloudwire.atlas.aws.region
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details: Nothing is written; RV(drift) lists what a run would change.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: full
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Route the Atlas CIDR through the peering in every route table of the VPC
  cloudwire.atlas.vpc_peering_routes:
    region: us-east-1
    vpc_id: vpc-0123456789abcdef0
    destination_cidr_block: 192.168.248.0/21
    vpc_peering_connection_id: pcx-0123456789abcdef0
"""

RETURN = r"""
route_tables:
  description: Every route table in scope with the route before and after.
  returned: always
  type: list
  elements: dict
  contains:
    route_table_id:
      description: Route table id.
      type: str
    before:
      description: Target and state of the route before the run, or null when it was missing.
      type: dict
    after:
      description: Target and state of the route after the run (in check mode, what it would be), or null.
      type: dict
drift:
  description: One line per route table that differs, such as C(route rtb-0abc... missing) (the table id, a colon, what differs).
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import find_route, plan, route_summary, route_table_filters


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            vpc_id=dict(type="str", required=True),
            route_table_ids=dict(type="list", elements="str"),
            route_table_tags=dict(type="dict"),
            destination_cidr_block=dict(type="str", required=True),
            vpc_peering_connection_id=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["vpc_peering_connection_id"])],
        supports_check_mode=True,
    )
    params = module.params
    destination, pcx, state = params["destination_cidr_block"], params["vpc_peering_connection_id"], params["state"]
    try:
        canonical = validators.canonical_cidr(destination)
    except ValueError as exc:
        module.fail_json(msg="Invalid destination_cidr_block: %s" % exc)
    if canonical != destination.strip():
        module.fail_json(msg="Invalid destination_cidr_block %r: not in canonical form, the block it names is %s" % (destination, canonical))
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    filters = route_table_filters(params["vpc_id"], params["route_table_ids"], params["route_table_tags"])
    try:
        paginator = client.get_paginator("describe_route_tables")
        tables = paginator.paginate(Filters=ansible_dict_to_boto3_filter_list(filters)).build_full_result()["RouteTables"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the route tables of %s" % params["vpc_id"])
    if state == "present" and not tables:
        module.fail_json(msg="No route table of %s is in scope (route_table_ids=%s, route_table_tags=%s)"
                         % (params["vpc_id"], params["route_table_ids"], params["route_table_tags"]))

    results, drift = [], []
    for table in sorted(tables, key=lambda t: t["RouteTableId"]):
        rtb = table["RouteTableId"]
        before = route_summary(find_route(table, destination))
        action, line = plan(table, destination, pcx, state)
        after = before
        if action:
            drift.append(line)
            after = None if action == "delete" else {"target": pcx, "state": "active"}
            if not module.check_mode:
                args = dict(RouteTableId=rtb, DestinationCidrBlock=destination)
                try:
                    if action == "create":
                        client.create_route(VpcPeeringConnectionId=pcx, aws_retry=True, **args)
                    elif action == "replace":
                        client.replace_route(VpcPeeringConnectionId=pcx, aws_retry=True, **args)
                    else:
                        client.delete_route(aws_retry=True, **args)
                except is_boto3_error_code("InvalidRoute.NotFound"):
                    pass  # deleted meanwhile: the goal is reached
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                    module.fail_json_aws(e, msg="Could not %s the route to %s in %s" % (action, destination, rtb))
        results.append(dict(route_table_id=rtb, before=before, after=after))

    module.exit_json(
        changed=bool(drift),
        route_tables=results,
        drift=drift,
        diff=dict(
            before={r["route_table_id"]: r["before"] for r in results},
            after={r["route_table_id"]: r["after"] for r in results},
        ),
    )


if __name__ == "__main__":
    main()
