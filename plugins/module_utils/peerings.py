# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas AWS network peering connections: their paths, one function per call, and the judgement the modules share
(which peering is the VPC's, how it differs from the wanted one, whether a wait is over, the result shape).

Used by atlas_vpc_peering (which writes) and vpc_peering_info (which only reads), so both judge a peering alike. The calls
take the AtlasClient (transport.py) and raise the errors of errors.py; the rest is pure. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import api_path
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import atlas_to_aws_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasOutcomeUnknown, doing
from ansible_collections.cloudwire.atlas.plugins.module_utils.validators import same_cidr

PEERS_PATH = "/groups/{project_id}/peers"
PEER_PATH = "/groups/{project_id}/peers/{peer_id}"
# Atlas refuses changes (409 PEER_INVALID_STATE) while it is requesting or finalising a peering.
TRANSIENT_STATES = ("INITIATING", "FINALIZING")


# -- calls -------------------------------------------------------------------------------------------------------------------
@doing("list the project's network peering connections")
def list_aws(client, project_id):
    """Every AWS peering of the project, all pages."""
    return client.list_all(api_path(PEERS_PATH, project_id=project_id), params={"providerName": "AWS"})


@doing("read network peering connection {peer_id}")
def get(client, project_id, peer_id):
    """The peering, or None once it is gone."""
    return client.get_or_none(api_path(PEER_PATH, project_id=project_id, peer_id=peer_id))


def request_body(container_id, aws_account_id, vpc_id, route_table_cidr_block, accepter_region):
    """The body of a create or update (accepter region in the AWS form)."""
    return {
        "containerId": container_id,
        "providerName": "AWS",
        "accepterRegionName": accepter_region,
        "awsAccountId": aws_account_id,
        "routeTableCidrBlock": route_table_cidr_block,
        "vpcId": vpc_id,
    }


@doing("request a network peering to {body[vpcId]} in account {body[awsAccountId]}")
def create(client, project_id, body):
    """Request the peering ``body`` describes; never makes a duplicate.

    When the answer is lost, or Atlas says the peering exists (PEER_ALREADY_EXISTS: another run requested it between our read
    and our POST), the project's peerings are read again and a live one with this identity is returned; only when there is none
    (or only one that is FAILED or TERMINATING, which a new request replaces) is the request sent once more.
    """
    try:
        return client.post(api_path(PEERS_PATH, project_id=project_id), body)
    except AtlasOutcomeUnknown:
        pass  # the request may have been committed: re-read before deciding, never POST blindly
    except AtlasApiError as exc:
        if exc.error_code != "PEER_ALREADY_EXISTS":
            raise
    existing = find_peering(list_aws(client, project_id), body["containerId"], body["vpcId"], body["awsAccountId"])
    if existing is not None and existing.get("statusName") not in ("FAILED", "TERMINATING"):
        return existing
    return client.post(api_path(PEERS_PATH, project_id=project_id), body)


@doing("change network peering connection {peer_id}")
def update(client, project_id, peer_id, body):
    """PATCH the peering with the full request body (Atlas refuses while it is INITIATING or FINALIZING)."""
    return client.patch(api_path(PEER_PATH, project_id=project_id, peer_id=peer_id), body)


@doing("delete network peering connection {peer_id}")
def delete(client, project_id, peer_id):
    """Request the deletion: True when this call requested it, False when it was gone or being deleted already.

    A lost answer is settled by reading the peering: gone or TERMINATING means the request arrived; otherwise it is asked again.
    """
    try:
        client.delete(api_path(PEER_PATH, project_id=project_id, peer_id=peer_id))
        return True
    except AtlasOutcomeUnknown:
        again = get(client, project_id, peer_id)
        if again is None or again.get("statusName") == "TERMINATING":
            return True
        return delete(client, project_id, peer_id)
    except AtlasApiError as exc:
        if exc.status == 404 or exc.error_code == "PEER_ALREADY_REQUESTED_DELETION":
            return False
        raise


# -- judgement (pure) -----------------------------------------------------------------------------------------------------
def find_peering(peers, container_id, vpc_id, aws_account_id):
    """The peering with identity (container, VPC, account); a live one wins over one that is terminating."""
    identity = (container_id, vpc_id.lower(), aws_account_id)
    matches = [p for p in peers if (p.get("containerId"), (p.get("vpcId") or "").lower(), str(p.get("awsAccountId") or "")) == identity]
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


def wait_reached(raw, wait_for):
    """Whether a peering has reached what `wait_for` (connection | available) asks for; FAILED ends every wait."""
    status = raw.get("statusName")
    if status == "FAILED":
        return True
    if wait_for == "available":
        return status == "AVAILABLE"
    return bool(raw.get("connectionId")) or status == "AVAILABLE"


def planned_peering(body):
    """The peering a check run reports for a request it would make (no id, status or pcx- id yet)."""
    return dict(body, id=None, connectionId=None, statusName=None, errorStateName=None)


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
