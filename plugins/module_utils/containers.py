# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas AWS network peering containers: reading them, shaping them for module results, and the CIDR lock rule.

Used by atlas_container_info, atlas_container and atlas_vpc_peering. No Ansible imports: unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from urllib.parse import quote

from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import to_aws_region


def atlas_to_aws_region(region_name):
    """US_EAST_1 -> us-east-1; None for a missing or non-AWS name (results report what Atlas says, they do not fail on it)."""
    try:
        return to_aws_region(region_name)
    except ValueError:
        return None


def containers_path(project_id):
    return "/groups/%s/containers" % quote(project_id, safe="")


def container_path(project_id, container_id):
    return "/groups/%s/containers/%s" % (quote(project_id, safe=""), quote(container_id, safe=""))


def peers_path(project_id):
    return "/groups/%s/peers" % quote(project_id, safe="")


def list_aws_containers(client, project_id):
    """Every AWS container of the project, all pages."""
    containers = client.list_all(containers_path(project_id), params={"providerName": "AWS"})
    # The API answers AWS containers for providerName=AWS; the filter guards against a server that ignores the parameter.
    return [c for c in containers if (c.get("providerName") or "AWS") == "AWS"]


def find_container(containers, region_name):
    """The container in the Atlas region `region_name` (US_EAST_1 form), or None."""
    for container in containers:
        if (container.get("regionName") or "").upper() == region_name:
            return container
    return None


def container_result(raw):
    """An Atlas container as the modules return it: snake_case, region in both forms."""
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


def same_cidr(left, right):
    """True when two CIDR strings name the same network (10.8.0.0/21 == 10.8.0.0/21, case and spacing aside)."""
    if left is None or right is None:
        return left is right
    try:
        return ipaddress.ip_network(left.strip(), strict=False) == ipaddress.ip_network(right.strip(), strict=False)
    except ValueError:
        return left.strip().lower() == right.strip().lower()


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
