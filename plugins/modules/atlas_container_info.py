#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: atlas_container_info
short_description: List the AWS network peering containers of a MongoDB Atlas project
version_added: 0.1.0
description:
  - Reads the AWS network peering containers (one per AWS region) of an Atlas project, every page.
  - Read-only; never writes to Atlas.
  - Use M(cloudwire.atlas.atlas_container) to create or change a container.
options:
  region:
    description:
      - An AWS region, in the Atlas form (V(US_EAST_1)) or the AWS form (V(us-east-1)).
      - When given, RV(container) is the container in that region, or V(null) when the project has none there.
    type: str
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
    details: Read-only; check mode changes nothing.
  diff_mode:
    support: N/A
    details: Read-only; there is nothing to diff.
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Read every AWS container of the project
  cloudwire.atlas.atlas_container_info:
    project_name: payments-dev
  register: atlas_containers

- name: Read the container of the VPC's region (credentials from MONGODB_ATLAS_* environment variables)
  cloudwire.atlas.atlas_container_info:
    project_id: 5f3a556351db42631e16f33a
    region: eu-west-1
  register: atlas_container_eu

- name: Show its CIDR, or that there is none yet
  ansible.builtin.debug:
    msg: "{{ atlas_container_eu.container.atlas_cidr_block if atlas_container_eu.container else 'no container in eu-west-1' }}"
"""

RETURN = r"""
containers:
  description: Every AWS container of the project.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Atlas id of the container.
      type: str
      sample: 5e57d85c854180642f7844bf
    atlas_cidr_block:
      description: CIDR block of the Atlas VPC in this region.
      type: str
      sample: 192.168.248.0/21
    region_name:
      description: Region in the Atlas form.
      type: str
      sample: US_EAST_1
    aws_region:
      description: Region in the AWS form.
      type: str
      sample: us-east-1
    provider_name:
      description: Always V(AWS).
      type: str
      sample: AWS
    provisioned:
      description: Whether Atlas has built the VPC and runs clusters in it.
      type: bool
      sample: false
    vpc_id:
      description: Id of the Atlas-side VPC, V(null) until Atlas has built it.
      type: str
      sample: vpc-0b555d3b0d9cb783b
container:
  description:
    - The container in O(region), with the same keys as an element of RV(containers).
    - V(null) when O(region) is not given or the project has no container there.
  returned: always
  type: dict
  sample:
    id: 5e57d85c854180642f7844bf
    atlas_cidr_block: 192.168.248.0/21
    region_name: US_EAST_1
    aws_region: us-east-1
    provider_name: AWS
    provisioned: false
    vpc_id: null
"""

from ansible_collections.cloudwire.atlas.plugins.module_utils import containers
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region


def read(module, atlas_region):
    found = containers.list_aws(module.client, module.project_id)
    in_region = containers.find_container(found, atlas_region) if atlas_region else None
    module.exit_json(
        changed=False,
        containers=[containers.container_result(c) for c in found],
        container=containers.container_result(in_region) if in_region else None,
    )


def main():
    module = AtlasModule(argument_spec=dict(region=dict(type="str")), supports_check_mode=True)
    region = module.params["region"]
    atlas_region = module.validated("region", normalize_region, region).atlas if region is not None else None
    module.run(read, module, atlas_region)


if __name__ == "__main__":
    main()
