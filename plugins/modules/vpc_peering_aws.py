#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_aws
short_description: Apply the AWS side of vpc_peering plans for the VPCs of one account and region, with the waits on Atlas around it
version_added: 0.1.0
description:
  - Used by the C(cloudwire.atlas.vpc_peering) role, with the actions M(cloudwire.atlas.vpc_peering_plan) planned. For the VPCs of
    one AWS account and region it accepts the VPC peering connections Atlas requested (those still C(pending-acceptance)), adds or
    replaces the one route to the Atlas CIDR in each route table that lacks it, removes it (teardown), and turns on DNS support and
    DNS hostnames. Every call goes through amazon.aws's EC2 helpers (their retries and errors).
  - Each VPC goes on as soon as its part is ready, the VPCs side by side. With O(vpcs[].wait_connection), it first polls Atlas every
    O(poll_seconds) until the peering has its C(pcx-) id (the first poll one interval after O(vpcs[].requested_at)), then accepts that
    connection. With O(vpcs[].wait_available), once the VPC's writes are done it polls Atlas (the first poll one interval later) until
    the peering is C(AVAILABLE) and the entries of O(vpcs[].entries) are C(ACTIVE). A wait fails its VPC at once on a C(FAILED)
    peering or entry, and at its O(polls)th poll when what it waits for has not happened, saying what to do.
  - It runs on the controller (an action plugin) and prints each VPC's status at each poll as a line of the run's output. The
    Atlas connection options are used only by the waits.
  - Connection options are read on the controller (task arguments, C(module_defaults) of C(group/cloudwire.atlas.aws) and
    C(group/cloudwire.atlas.atlas), or the controller's C(AWS_*) and C(MONGODB_ATLAS_*) environment variables); the task's
    C(environment) keyword does not apply.
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
      peering_id:
        description: The Atlas peering the waits poll (required with O(vpcs[].wait_connection) or O(vpcs[].wait_available)).
        type: str
      wait_connection:
        description:
          - Wait until Atlas gives the peering's C(pcx-) id, then accept that connection and route through it (the plan did not
            know the id yet).
        type: bool
        default: false
      requested_at:
        description: When the peering was requested (epoch seconds); the first poll for its C(pcx-) id comes one interval later.
        type: float
      wait_available:
        description: After the VPC's writes, wait until Atlas reports the peering C(AVAILABLE) (and O(vpcs[].entries) C(ACTIVE)).
        type: bool
        default: false
      entries:
        description: Access-list entries (their keys) the wait for C(AVAILABLE) waits for too, once the peering is C(AVAILABLE).
        type: list
        elements: str
        default: []
  poll_seconds:
    description: Seconds between two polls of a wait.
    type: float
    default: 10
  polls:
    description: How many polls a wait makes before it fails (the role gives O(poll_seconds) and its C(vpc_peering_wait_timeout)).
    type: int
    default: 90
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
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
    description: >-
      Use C(group/cloudwire.atlas.aws) (or C(group/amazon.aws.aws)) and C(group/cloudwire.atlas.atlas) in C(module_defaults) to
      set defaults for this module.
    support: full
    membership:
      - cloudwire.atlas.atlas
      - cloudwire.atlas.aws
seealso:
  - module: cloudwire.atlas.vpc_peering_plan
  - module: cloudwire.atlas.vpc_peering_atlas
  - module: cloudwire.atlas.vpc_peering_routes
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Accept the peering Atlas requested and route the Atlas CIDR through it
  cloudwire.atlas.vpc_peering_aws:
    region: eu-west-1
    project_id: 5e2211c17a3e5a48f5497de3
    destination_cidr_block: 192.168.248.0/21
    vpcs:
      - name: payments-api
        vpc_id: vpc-0a1b2c3d4e5f67890
        accept: pcx-0a1b2c3d4e5f67890
        routes:
          connection_id: pcx-0a1b2c3d4e5f67890
          route_table_ids: [rtb-0a1b2c3d4e5f67890]
          changes: [{route_table_id: rtb-0a1b2c3d4e5f67890, action: create}]

- name: Wait for the pcx- id of a peering just requested, accept it, route through it, wait until AVAILABLE
  cloudwire.atlas.vpc_peering_aws:
    region: eu-west-1
    project_id: 5e2211c17a3e5a48f5497de3
    destination_cidr_block: 192.168.248.0/21
    poll_seconds: 10
    polls: 90
    vpcs:
      - name: payments-api
        vpc_id: vpc-0a1b2c3d4e5f67890
        peering_id: 5f0123456789abcdef012345
        wait_connection: true
        wait_available: true
        routes:
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
    accepted_at:
      description: When the step accepted the VPC's peering connection (epoch seconds).
      type: float
      returned: when the step accepted a connection
    polls:
      description: >-
        Each poll of the VPC's waits, in order: C(wait_for) (V(connection) or V(available)), C(poll) (its number in its wait),
        C(at) (epoch seconds) and C(summary) (the status it saw, as printed).
      type: list
      elements: dict
    peering:
      description: >-
        The peering as the last poll saw it (C(id), C(connection_id), C(status_name), C(error_state_name), C(container_id),
        C(vpc_id)).
      type: dict
      returned: when the VPC waited
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudwire.atlas.plugins.module_utils import aws_step


def main():
    aws_step.apply(AnsibleAWSModule(supports_check_mode=False, **aws_step.module_kwargs()))


if __name__ == "__main__":
    main()
