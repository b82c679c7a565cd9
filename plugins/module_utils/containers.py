# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas AWS network peering containers: their paths, one function per call, and the judgement the modules share
(which container is the region's, what state=present must do, whether Atlas locks the CIDR, the result shape).

Used by atlas_container_info, atlas_container, atlas_vpc_peering and vpc_peering_info. The calls take the AtlasClient
(transport.py) and raise the errors of errors.py; the rest is pure. No Ansible imports: unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import api_path
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import (
    AtlasApiError,
    AtlasOutcomeUnknown,
    container_created_elsewhere,
    doing,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import to_aws_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.validators import same_cidr

CONTAINERS_PATH = "/groups/{project_id}/containers"
CONTAINER_PATH = "/groups/{project_id}/containers/{container_id}"


def containers_path(project_id):
    return api_path(CONTAINERS_PATH, project_id=project_id)


def container_path(project_id, container_id):
    return api_path(CONTAINER_PATH, project_id=project_id, container_id=container_id)


# -- calls -------------------------------------------------------------------------------------------------------------------
@doing("list the project's AWS network peering containers")
def list_aws(client, project_id):
    """Every AWS container of the project, all pages."""
    containers = client.list_all(containers_path(project_id), params={"providerName": "AWS"})
    # The API answers AWS containers for providerName=AWS; the filter guards against a server that ignores the parameter.
    return [c for c in containers if (c.get("providerName") or "AWS") == "AWS"]


@doing("read the AWS network peering container {container_id}")
def get(client, project_id, container_id):
    """The container, or None when the project has no container with that id."""
    return client.get_or_none(container_path(project_id, container_id))


def request_body(region_name, atlas_cidr_block):
    """The body of a create or update (region in the Atlas form)."""
    return {"atlasCidrBlock": atlas_cidr_block, "providerName": "AWS", "regionName": region_name}


@doing("create the AWS container in {body[regionName]} with CIDR {body[atlasCidrBlock]}")
def create(client, project_id, body):
    """POST the container; safe after a lost answer and against another run creating it at the same time (see _confirmed)."""
    return _confirmed(client, project_id, body, lambda: client.post(containers_path(project_id), body), creating=True)


@doing("update the AWS container in {body[regionName]} with CIDR {body[atlasCidrBlock]}")
def update(client, project_id, container_id, body):
    """PATCH the container's CIDR; safe after a lost answer."""
    return _confirmed(client, project_id, body, lambda: client.patch(container_path(project_id, container_id), body))


def _confirmed(client, project_id, body, send, creating=False):
    """``send()``; when its answer was lost, or (creating) Atlas says the region has a container already, read the region's
    container: one with the wanted CIDR is the answer; after a lost answer with no such container, send once more."""
    region_name, wanted_cidr = body["regionName"], body["atlasCidrBlock"]
    for attempt in (1, 2):
        try:
            return send()
        except AtlasOutcomeUnknown:
            found = find_container(list_aws(client, project_id), region_name)
            if found is not None and same_cidr(found.get("atlasCidrBlock"), wanted_cidr):
                return found
            if attempt == 2:
                raise
        except AtlasApiError as exc:
            if not (creating and exc.error_code == "CONTAINER_ALREADY_EXISTS"):
                raise
            # Another run (another environment sharing the project) created it between our read and our POST.
            found = find_container(list_aws(client, project_id), region_name)
            if found is None:
                raise
            if same_cidr(found.get("atlasCidrBlock"), wanted_cidr):
                return found
            raise container_created_elsewhere(region_name, found.get("atlasCidrBlock"), wanted_cidr, container=container_result(found))
    return None  # not reached: the loop returns or raises


@doing("delete the AWS container {container_id}")
def delete(client, project_id, container_id):
    """DELETE the container; False when it was gone already. Atlas refuses (409 CONTAINERS_IN_USE) while peerings or clusters use it.

    After a lost answer the container is read, and the DELETE sent again only when it is still there.
    """
    return client.delete_if_present(container_path(project_id, container_id),
                                    still_there=lambda: get(client, project_id, container_id) is not None)


# -- judgement (pure) -----------------------------------------------------------------------------------------------------
def atlas_to_aws_region(region_name):
    """US_EAST_1 -> us-east-1; None for a missing or non-AWS name (results report what Atlas says, they do not fail on it)."""
    try:
        return to_aws_region(region_name)
    except ValueError:
        return None


def find_container(containers, region_name):
    """The container in the Atlas region `region_name` (US_EAST_1 form), or None."""
    for container in containers:
        if (container.get("regionName") or "").upper() == region_name:
            return container
    return None


def container_result(raw):
    """An Atlas container as the modules return it: snake_case, region in both forms (vpc_id None until Atlas built it)."""
    region_name = raw.get("regionName")
    return {
        "id": raw.get("id"),
        "atlas_cidr_block": raw.get("atlasCidrBlock"),
        "region_name": region_name,
        "aws_region": atlas_to_aws_region(region_name),
        "provider_name": raw.get("providerName") or "AWS",
        "provisioned": bool(raw.get("provisioned", False)),
        "vpc_id": raw.get("vpcId"),
    }


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


def peerings_in_container(peers, container_id):
    """The peerings that use the container (any state but gone)."""
    return [p for p in peers if p.get("containerId") == container_id]


def cidr_lock_reason(container, peerings):
    """Why Atlas will not change this container's CIDR, or None when it may change.

    Atlas locks atlasCidrBlock once a peering exists in the container or clusters run in it (provisioned).
    """
    reasons = []
    if peerings:
        ids = ", ".join(sorted(p.get("id") or "?" for p in peerings))
        reasons.append("network peering connection(s) %s use it" % ids)
    if container.get("provisioned"):
        reasons.append("Atlas reports it provisioned (its VPC is built and in use)")
    if not reasons:
        return None
    return " and ".join(reasons)
