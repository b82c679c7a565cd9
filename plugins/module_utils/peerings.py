# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas AWS network peering connections: finding the one of a VPC, comparing it with what is wanted, shaping results.

Used by atlas_vpc_peering (which writes) and vpc_peering_info (which only reads), so both judge a peering alike.
No Ansible imports: unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import atlas_to_aws_region, same_cidr


def peer_path(project_id, peer_id):
    return "/groups/%s/peers/%s" % (quote(project_id, safe=""), quote(peer_id, safe=""))


def find_peering(peers, container_id, vpc_id, aws_account_id):
    """The peering with identity (container, VPC, account); a live one wins over one that is terminating."""
    matches = [
        p for p in peers
        if p.get("containerId") == container_id
        and (p.get("vpcId") or "").lower() == vpc_id.lower()
        and str(p.get("awsAccountId") or "") == aws_account_id
    ]
    live = [p for p in matches if p.get("statusName") != "TERMINATING"]
    if live:
        return live[0]
    return matches[0] if matches else None


def accepter_region_of(raw, container_aws_region):
    """The peering's accepter region in AWS form; Atlas returns null when it equals the container's region."""
    given = raw.get("accepterRegionName")
    if not given:
        return container_aws_region
    return atlas_to_aws_region(given) or given


def peering_drift(raw, wanted_cidr, wanted_accepter_region, container_aws_region):
    """Options whose wanted value differs from the peering: {option: (actual, wanted)}. None as wanted means "any"."""
    drift = {}
    actual_cidr = raw.get("routeTableCidrBlock")
    if wanted_cidr is not None and not same_cidr(actual_cidr, wanted_cidr):
        drift["route_table_cidr_block"] = (actual_cidr, wanted_cidr)
    actual_region = accepter_region_of(raw, container_aws_region)
    if wanted_accepter_region is not None and actual_region != wanted_accepter_region:
        drift["accepter_region"] = (actual_region, wanted_accepter_region)
    return drift


def peering_result(raw, container):
    """A peering as the module returns it, with the container's CIDR and region in both forms."""
    region_name = container.get("regionName")
    aws_region = atlas_to_aws_region(region_name)
    return {
        "id": raw.get("id"),
        "connection_id": raw.get("connectionId"),
        "status_name": raw.get("statusName"),
        "error_state_name": raw.get("errorStateName"),
        "container_id": raw.get("containerId"),
        "vpc_id": raw.get("vpcId"),
        "aws_account_id": raw.get("awsAccountId"),
        "route_table_cidr_block": raw.get("routeTableCidrBlock"),
        "accepter_region": accepter_region_of(raw, aws_region),
        "atlas_cidr_block": container.get("atlasCidrBlock"),
        "region_name": region_name,
        "aws_region": aws_region,
    }
