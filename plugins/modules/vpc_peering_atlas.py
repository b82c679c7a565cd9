#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_atlas
short_description: Apply the Atlas side of vpc_peering plans for the VPCs of one Atlas project, in one step
version_added: 0.1.0
description:
  - Used by the C(cloudwire.atlas.vpc_peering) role, with the actions M(cloudwire.atlas.vpc_peering_plan) planned; it does not read
    what the plan read. For the VPCs of one project, in this order, it creates (or changes the CIDR of) the network container of each
    region, adds every access-list entry in one request (Atlas takes an array and does not support concurrent additions), removes
    entries and deletes peerings (teardown), requests, changes or re-requests each peering, and removes the containers of
    O(vpcs[].remove_container).
  - Every write is safe to repeat. A request whose answer was lost is followed by a read, never by a blind second request, so a rerun
    after an interruption never makes a second container or peering.
  - A VPC whose action fails gets its C(error) in RV(vpcs) and the task fails after the other VPCs' actions are done; the role
    reports each VPC's error on its own host.
  - Runs on the controller (an action plugin, no module process), since the step is only HTTP calls to Atlas. Connection options are read
    on the controller (task arguments, C(module_defaults) of C(group/cloudwire.atlas.atlas), or the controller's C(MONGODB_ATLAS_*)
    environment variables; the task's C(environment) keyword does not apply).
  - Use the public modules (M(cloudwire.atlas.atlas_container), M(cloudwire.atlas.atlas_vpc_peering),
    M(cloudwire.atlas.atlas_access_list)) to manage one resource; they read before they write.
options:
  vpcs:
    description:
      - The VPCs and their planned Atlas actions (the C(container), C(peering) and C(access_list) actions of a
        M(cloudwire.atlas.vpc_peering_plan) result, completed with the ids earlier steps produced).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The VPC's name in the plan (the role uses the inventory host name); RV(vpcs) is keyed by it.
        type: str
        required: true
      container:
        description:
          - The region's container to create (C(id) null) or whose CIDR to change (C(id) given), as planned.
        type: dict
        suboptions:
          region:
            description: The region, in either form.
            type: str
            required: true
          atlas_cidr_block:
            description: The container's CIDR block.
            type: str
            required: true
          id:
            description: The container to change; null to create it.
            type: str
      peering:
        description:
          - The peering to request (C(request=create)), to change (C(update)), or to delete and request again (C(recreate)), as
            planned. C(container_id) null means the container this run created in the VPC's region.
        type: dict
        suboptions:
          request:
            description: What to do.
            type: str
            choices: [create, update, recreate]
            required: true
          id:
            description: The existing peering (C(update), C(recreate)).
            type: str
          container_id:
            description: The container.
            type: str
          vpc_id:
            description: The VPC.
            type: str
            required: true
          aws_account_id:
            description: The account that owns the VPC.
            type: str
            required: true
          route_table_cidr_block:
            description: The VPC's CIDR block.
            type: str
            required: true
          accepter_region:
            description: The VPC's region (AWS form).
            type: str
            required: true
      access_list:
        description: Entries to add (or whose comment to set), each with one of C(cidr_block), C(ip_address), C(aws_security_group).
        type: list
        elements: dict
        default: []
      access_list_remove:
        description: Entries to remove, by value (C(10.0.0.0/16), C(sg-...)).
        type: list
        elements: str
        default: []
      peering_delete:
        description: A peering to delete (the role then waits until it is gone).
        type: str
      remove_container:
        description:
          - The region whose container to delete (teardown, once no peering uses it). A container still used by a peering or a
            cluster stays (Atlas answers C(CONTAINERS_IN_USE)), which is not an error.
        type: str
  wait_timeout:
    description:
      - Seconds to wait for a C(FAILED) or C(TERMINATING) peering to be gone before requesting it again (0 or more).
    type: int
    default: 900
  poll_interval:
    description:
      - Seconds between two reads of such a wait (more than 0, growing 1.5 times up to 15 s).
    type: float
    default: 1
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: none
    details: The role runs it only in a normal run; in check mode the plan's findings are the report.
  diff_mode:
    support: none
seealso:
  - module: cloudwire.atlas.vpc_peering_plan
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Request the peerings a plan found missing, and open the access list to their VPCs
  cloudwire.atlas.vpc_peering_atlas:
    project_name: payments-dev
    vpcs:
      - name: payments-api
        peering:
          request: create
          container_id: 5e57d85c854180642f7844bf
          vpc_id: vpc-0a1b2c3d4e5f67890
          aws_account_id: "123456789012"
          route_table_cidr_block: 10.20.0.0/16
          accepter_region: eu-west-1
        access_list:
          - cidr_block: 10.20.0.0/16
            comment: payments-api VPC (peered)
  register: atlas_step
"""

RETURN = r"""
vpcs:
  description: What was done for each VPC of O(vpcs), keyed by its name.
  returned: always
  type: dict
  contains:
    container_id:
      description: The container of the VPC's region, when this run created or changed it.
      type: str
    peering:
      description: The peering after the request (C(id), C(connection_id), C(status_name), C(error_state_name)), or null.
      type: dict
    requested_at:
      description: When Atlas took the VPC's peering request (epoch seconds); the role's wait for the C(pcx-) id polls one interval later.
      type: float
      returned: when the step requested the peering
    entries:
      description: The access-list entries added or updated for the VPC.
      type: list
      elements: str
    changed:
      description: Whether this VPC's actions changed something.
      type: bool
    error:
      description: Why an action of this VPC failed, or null.
      type: str
containers:
  description: Per region of O(vpcs[].remove_container), C(removed), C(gone) or C(in use).
  returned: always
  type: dict
api_calls:
  description: Atlas calls this run made.
  returned: always
  type: dict
"""
