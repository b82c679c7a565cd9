#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: atlas_container
short_description: Create, adopt, change or delete the AWS network peering container of an Atlas project region
version_added: 0.1.0
description:
  - An Atlas project has at most one AWS network peering container per AWS region; it holds the Atlas-side VPC and its CIDR block.
  - With O(state=present) the module adopts the region's existing container, creates one with O(atlas_cidr_block) when the region has none,
    and changes the CIDR block while Atlas still allows it.
  - Atlas locks the CIDR block once a network peering connection exists in the container or clusters run in it. A different
    O(atlas_cidr_block) on a locked container fails with the container's CIDR, the wanted one and the reason; it is never adopted silently.
  - With O(state=absent) the module deletes the region's container. Atlas refuses (C(CONTAINERS_IN_USE)) while peerings or clusters
    use it; delete those first, for example with M(cloudwire.atlas.atlas_vpc_peering) O(cloudwire.atlas.atlas_vpc_peering#module:state=absent).
options:
  region:
    description:
      - The AWS region of the container, in the Atlas form (V(US_EAST_1)) or the AWS form (V(us-east-1)).
    type: str
    required: true
  atlas_cidr_block:
    description:
      - CIDR block of the Atlas VPC, a /21 to /24 network inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.
      - Required to create a container. When omitted and the region has a container, that container is adopted as it is.
      - Ignored with O(state=absent).
    type: str
  state:
    description:
      - V(present) ensures the container exists (with O(atlas_cidr_block) when given); V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: cloudwire.atlas.atlas_container_info
  - module: cloudwire.atlas.atlas_vpc_peering
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Ensure the project has a container in us-east-1 with this CIDR
  cloudwire.atlas.atlas_container:
    project_name: payments-dev
    region: us-east-1
    atlas_cidr_block: 192.168.248.0/21
  register: atlas_container

- name: Adopt whatever container eu-west-1 has (fails only if there is none)
  cloudwire.atlas.atlas_container:
    project_id: 5f3a556351db42631e16f33a
    region: EU_WEST_1

- name: Delete the us-east-1 container once its peerings are gone
  cloudwire.atlas.atlas_container:
    project_name: payments-dev
    region: us-east-1
    state: absent
"""

RETURN = r"""
container:
  description:
    - The container after the run (what it would be, in check mode; its RV(container.id) is V(null) when it would be created).
    - V(null) after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Atlas id of the container.
      type: str
      sample: 5e57d85c854180642f7844bf
    atlas_cidr_block:
      description: CIDR block of the Atlas VPC.
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
diff:
  description: The container before and after (empty dicts stand for no container).
  returned: always
  type: dict
  sample:
    before: {}
    after:
      id: null
      atlas_cidr_block: 192.168.248.0/21
      region_name: US_EAST_1
      aws_region: us-east-1
      provider_name: AWS
      provisioned: false
      vpc_id: null
"""

from ansible_collections.cloudwire.atlas.plugins.module_utils import containers, peerings
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import (
    cidr_lock_reason,
    container_result,
    find_container,
    peerings_in_container,
    plan_container,
    request_body,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import container_cidr_locked
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.validators import atlas_cidr_block


def ensure_present(module, region_name, current):
    client, project_id = module.client, module.project_id
    wanted_cidr = module.params["atlas_cidr_block"]
    if current is None and wanted_cidr is None:
        module.fail_on_value("atlas_cidr_block", None, "is required to create a container: the project has none in %s" % region_name)

    action, after = plan_container(current, region_name, wanted_cidr)
    if action == "update":
        reason = cidr_lock_reason(current, peerings_in_container(peerings.list_aws(client, project_id), current["id"]))
        if reason:
            raise container_cidr_locked(current, region_name, wanted_cidr, reason, container=container_result(current))

    if action != "none" and not module.check_mode:
        body = request_body(region_name, wanted_cidr)
        if action == "create":
            after = containers.create(client, project_id, body)
        else:
            after = containers.update(client, project_id, current["id"], body)

    before = container_result(current) if current else {}
    result = container_result(after)
    module.exit_json(changed=action != "none", container=result, diff=dict(before=before, after=result))


def ensure_absent(module, current):
    if current is None:
        module.exit_json(changed=False, container=None, diff=dict(before={}, after={}))

    if module.check_mode:
        using = peerings_in_container(peerings.list_aws(module.client, module.project_id), current["id"])
        if using:
            # Not a failure: in a check run of a teardown, the peerings' own deletion is only simulated too.
            module.warn("Atlas will refuse to delete container %s (CONTAINERS_IN_USE) while peering(s) %s use it; delete them first."
                        % (current["id"], ", ".join(sorted(p.get("id") or "?" for p in using))))
    else:
        containers.delete(module.client, module.project_id, current["id"])  # gone meanwhile is the wanted state too

    module.exit_json(changed=True, container=None, diff=dict(before=container_result(current), after={}))


def converge(module, region_name):
    current = find_container(containers.list_aws(module.client, module.project_id), region_name)
    if module.params["state"] == "present":
        ensure_present(module, region_name, current)
    else:
        ensure_absent(module, current)


def main():
    module = AtlasModule(
        argument_spec=dict(
            region=dict(type="str", required=True),
            atlas_cidr_block=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    region_name = module.validated("region", normalize_region, module.params["region"]).atlas
    if module.params["state"] == "present" and module.params["atlas_cidr_block"] is not None:
        module.params["atlas_cidr_block"] = module.validated("atlas_cidr_block", atlas_cidr_block, module.params["atlas_cidr_block"])
    module.run(converge, module, region_name)


if __name__ == "__main__":
    main()
