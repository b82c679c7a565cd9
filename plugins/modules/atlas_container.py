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

from ansible_collections.cloudwire.atlas.plugins.module_utils.api import AtlasApiError, AtlasError, AtlasOutcomeUnknown
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import (
    cidr_lock_reason,
    container_path,
    container_result,
    containers_path,
    find_container,
    list_aws_containers,
    peerings_in_container,
    peers_path,
    same_cidr,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule
from ansible_collections.cloudwire.atlas.plugins.module_utils.networks import atlas_cidr_block
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region


def plan_container(current, region_name, wanted_cidr):
    """What state=present must do: ("create" | "update" | "none", the container after).

    `current` is the Atlas container in the region (or None); `wanted_cidr` may be None (adopt).
    """
    if current is None:
        after = {"atlasCidrBlock": wanted_cidr, "providerName": "AWS", "regionName": region_name, "provisioned": False}
        return "create", after
    if wanted_cidr is None or same_cidr(current.get("atlasCidrBlock"), wanted_cidr):
        return "none", current
    after = dict(current)
    after["atlasCidrBlock"] = wanted_cidr
    return "update", after


def reread_container(module, client, project_id, region_name):
    try:
        return find_container(list_aws_containers(client, project_id), region_name)
    except AtlasError as exc:
        module.fail_on_error(exc, doing="read the containers again after Atlas's answer was lost")


def write_container(module, client, project_id, region_name, action, current, wanted_cidr):
    """POST (create) or PATCH (update). After a lost answer, read again and send once more only if the change is not there."""
    body = {"atlasCidrBlock": wanted_cidr, "providerName": "AWS", "regionName": region_name}
    doing = "%s the AWS container in %s with CIDR %s" % (action, region_name, wanted_cidr)
    for attempt in (1, 2):
        try:
            if action == "create":
                return client.post(containers_path(project_id), body)
            return client.patch(container_path(project_id, current["id"]), body)
        except AtlasOutcomeUnknown as exc:
            found = reread_container(module, client, project_id, region_name)
            if found is not None and same_cidr(found.get("atlasCidrBlock"), wanted_cidr):
                return found
            if attempt == 2:
                module.fail_on_error(exc, doing=doing)
        except AtlasApiError as exc:
            if action == "create" and exc.error_code == "CONTAINER_ALREADY_EXISTS":
                # Another run (another environment sharing the project) created it between our read and our POST.
                found = reread_container(module, client, project_id, region_name)
                if found is not None and same_cidr(found.get("atlasCidrBlock"), wanted_cidr):
                    return found
                if found is not None:
                    module.fail_json(msg="Another run created the Atlas container in %s with CIDR %s while this one wanted %s: use "
                                         "atlas_cidr_block=%s" % (region_name, found.get("atlasCidrBlock"), wanted_cidr, found.get("atlasCidrBlock")),
                                     current_cidr=found.get("atlasCidrBlock"), wanted_cidr=wanted_cidr, container=container_result(found))
            module.fail_on_error(exc, doing=doing)
        except AtlasError as exc:
            module.fail_on_error(exc, doing=doing)
    return None  # not reached: the loop returns or fails


def ensure_present(module, client, project_id, region_name, current):
    wanted_cidr = module.params["atlas_cidr_block"]
    if current is None and wanted_cidr is None:
        module.fail_on_value("atlas_cidr_block", None, "is required to create a container: the project has none in %s" % region_name)

    action, after = plan_container(current, region_name, wanted_cidr)
    if action == "update":
        try:
            peerings = peerings_in_container(client.list_all(peers_path(project_id), params={"providerName": "AWS"}), current["id"])
        except AtlasError as exc:
            module.fail_on_error(exc, doing="list the project's peerings to see whether the container's CIDR is locked")
        reason = cidr_lock_reason(current, peerings)
        if reason:
            module.fail_json(
                msg=("The Atlas container %s in %s has CIDR %s and atlas_cidr_block asks for %s, but Atlas locks the CIDR because %s. "
                     "Use atlas_cidr_block=%s (or omit it), or delete the peerings and clusters in this region first."
                     % (current["id"], region_name, current.get("atlasCidrBlock"), wanted_cidr, reason, current.get("atlasCidrBlock"))),
                current_cidr=current.get("atlasCidrBlock"), wanted_cidr=wanted_cidr, container=container_result(current))

    if action != "none" and not module.check_mode:
        after = write_container(module, client, project_id, region_name, action, current, wanted_cidr)

    before = container_result(current) if current else {}
    result = container_result(after)
    module.exit_json(changed=action != "none", container=result, diff=dict(before=before, after=result))


def ensure_absent(module, client, project_id, region_name, current):
    if current is None:
        module.exit_json(changed=False, container=None, diff=dict(before={}, after={}))

    if module.check_mode:
        try:
            peerings = peerings_in_container(client.list_all(peers_path(project_id), params={"providerName": "AWS"}), current["id"])
        except AtlasError as exc:
            module.fail_on_error(exc, doing="list the project's peerings")
        if peerings:
            # Not a failure: in a check run of a teardown, the peerings' own deletion is only simulated too.
            module.warn("Atlas will refuse to delete container %s (CONTAINERS_IN_USE) while peering(s) %s use it; delete them first."
                        % (current["id"], ", ".join(sorted(p.get("id") or "?" for p in peerings))))
    else:
        try:
            try:
                client.delete(container_path(project_id, current["id"]))
            except AtlasOutcomeUnknown:
                # DELETE is idempotent: if the container is still there, ask once more (a 404 then means it went meanwhile).
                if reread_container(module, client, project_id, region_name) is not None:
                    client.delete(container_path(project_id, current["id"]))
        except AtlasApiError as exc:
            if exc.status == 404:
                pass  # gone meanwhile: the wanted state
            elif exc.error_code == "CONTAINERS_IN_USE":
                module.fail_json(
                    msg=("Atlas refused to delete container %s in %s: 409 CONTAINERS_IN_USE (%s). Network peering connections or clusters "
                         "still use it: delete the peerings (atlas_vpc_peering state=absent) and terminate the clusters in this region, then retry."
                         % (current["id"], region_name, (exc.detail or "in use").rstrip("."))),
                    error_code=exc.error_code, status=exc.status, container=container_result(current))
            else:
                module.fail_on_error(exc, doing="delete the AWS container %s in %s" % (current["id"], region_name))
        except AtlasError as exc:
            module.fail_on_error(exc, doing="delete the AWS container %s in %s" % (current["id"], region_name))

    module.exit_json(changed=True, container=None, diff=dict(before=container_result(current), after={}))


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
    state = module.params["state"]
    if state == "present" and module.params["atlas_cidr_block"] is not None:
        module.params["atlas_cidr_block"] = module.validated("atlas_cidr_block", atlas_cidr_block, module.params["atlas_cidr_block"])

    client = module.client
    project_id = module.project_id
    try:
        current = find_container(list_aws_containers(client, project_id), region_name)
    except AtlasError as exc:
        module.fail_on_error(exc, doing="list the project's AWS network peering containers")

    if state == "present":
        ensure_present(module, client, project_id, region_name, current)
    else:
        ensure_absent(module, client, project_id, region_name, current)


if __name__ == "__main__":
    main()
