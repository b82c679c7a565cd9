# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""peerings.py: identity, drift, waiting conditions, the result shape, the calls (the lost-POST rule), and the recorded peers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import peerings
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasOutcomeUnknown
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import accepter_region_of, find_peering, peering_drift, peering_result
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import planned_peering, request_body, wait_reached
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply, api_error, recorded_reply, recording

CONTAINER = {"id": "c" * 24, "atlasCidrBlock": "192.168.248.0/21", "regionName": "US_EAST_1", "providerName": "AWS"}
PEER = {"id": "p" * 24, "containerId": "c" * 24, "vpcId": "vpc-0123456789abcdef0", "awsAccountId": "123456789012",
        "routeTableCidrBlock": "10.20.0.0/16", "statusName": "PENDING_ACCEPTANCE", "connectionId": "pcx-0123456789abcdef0"}


def test_identity_is_container_vpc_and_account():
    other_account = dict(PEER, id="a" * 24, awsAccountId="210987654321")
    other_container = dict(PEER, id="b" * 24, containerId="d" * 24)
    peers = [other_account, other_container, PEER]
    assert find_peering(peers, "c" * 24, "vpc-0123456789abcdef0", "123456789012") is PEER
    assert find_peering(peers, "c" * 24, "VPC-0123456789ABCDEF0", "123456789012") is PEER
    assert find_peering(peers, "c" * 24, "vpc-0123456789abcdef1", "123456789012") is None


def test_a_live_peering_wins_over_one_that_terminates():
    old = dict(PEER, id="e" * 24, statusName="TERMINATING")
    assert find_peering([old, PEER], "c" * 24, PEER["vpcId"], PEER["awsAccountId"]) is PEER
    assert find_peering([old], "c" * 24, PEER["vpcId"], PEER["awsAccountId"]) is old


def test_null_accepter_region_is_the_containers_region_and_no_drift():
    assert accepter_region_of(PEER, "us-east-1") == "us-east-1"
    assert peering_drift(PEER, "10.20.0.0/16", "us-east-1", "us-east-1") == {}
    assert accepter_region_of(dict(PEER, accepterRegionName="EU_WEST_1"), "us-east-1") == "eu-west-1"


def test_drift_names_each_option_with_actual_and_wanted():
    drift = peering_drift(dict(PEER, accepterRegionName="us-west-2"), "10.20.0.0/17", "us-east-1", "us-east-1")
    assert drift == {"route_table_cidr_block": ("10.20.0.0/16", "10.20.0.0/17"), "accepter_region": ("us-west-2", "us-east-1")}
    assert peering_drift(PEER, None, None, "us-east-1") == {}, "None wants anything"


@pytest.mark.parametrize("raw, wait_for, reached", [
    (dict(PEER, statusName="INITIATING", connectionId=None), "connection", False),
    (PEER, "connection", True),
    (PEER, "available", False),
    (dict(PEER, statusName="FINALIZING"), "available", False),
    (dict(PEER, statusName="AVAILABLE"), "available", True),
    (dict(PEER, statusName="FAILED", connectionId=None, errorStateName="INVALID_ARGUMENT"), "connection", True),
    (dict(PEER, statusName="FAILED", errorStateName="REJECTED"), "available", True),
])
def test_waiting_ends_when_reached_or_failed(raw, wait_for, reached):
    assert wait_reached(raw, wait_for) is reached


def test_request_body_and_result_shape():
    body = request_body("c" * 24, "123456789012", "vpc-0123456789abcdef0", "10.20.0.0/16", "us-east-1")
    assert body == {"containerId": "c" * 24, "providerName": "AWS", "accepterRegionName": "us-east-1", "awsAccountId": "123456789012",
                    "routeTableCidrBlock": "10.20.0.0/16", "vpcId": "vpc-0123456789abcdef0"}
    assert peering_result(PEER, CONTAINER) == {
        "id": "p" * 24, "connection_id": "pcx-0123456789abcdef0", "status_name": "PENDING_ACCEPTANCE", "error_state_name": None,
        "container_id": "c" * 24, "vpc_id": "vpc-0123456789abcdef0", "aws_account_id": "123456789012",
        "route_table_cidr_block": "10.20.0.0/16", "accepter_region": "us-east-1", "atlas_cidr_block": "192.168.248.0/21",
        "region_name": "US_EAST_1", "aws_region": "us-east-1"}


class ScriptedClient:
    """Answers list_all from `peer_lists` in turn and POSTs from `post_answers` in turn; records the calls."""

    def __init__(self, peer_lists, post_answers):
        self.peer_lists = list(peer_lists)
        self.post_answers = list(post_answers)
        self.calls = []

    def list_all(self, path, params=None):
        self.calls.append(("GET", path))
        return self.peer_lists.pop(0)

    def get_or_none(self, path):
        self.calls.append(("GET", path))
        return self.peer_lists.pop(0)

    def delete(self, path):
        self.calls.append(("DELETE", path))
        answer = self.post_answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def post(self, path, body):
        self.calls.append(("POST", path))
        answer = self.post_answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


GROUP = "f" * 24
BODY = request_body("c" * 24, "123456789012", "vpc-0123456789abcdef0", "10.20.0.0/16", "us-east-1")


def test_a_lost_post_that_was_committed_is_adopted_without_a_second_post():
    client = ScriptedClient(peer_lists=[[PEER]], post_answers=[AtlasOutcomeUnknown("connection dropped", method="POST")])
    assert peerings.create(client, GROUP, BODY) is PEER
    assert [c[0] for c in client.calls] == ["POST", "GET"]


def test_a_lost_post_that_never_arrived_is_sent_again_once():
    client = ScriptedClient(peer_lists=[[]], post_answers=[AtlasOutcomeUnknown("connection dropped", method="POST"), PEER])
    assert peerings.create(client, GROUP, BODY) is PEER
    assert [c[0] for c in client.calls] == ["POST", "GET", "POST"]


def test_a_concurrent_create_is_adopted():
    exists = AtlasApiError(409, error_code="PEER_ALREADY_EXISTS", method="POST", path="/groups/x/peers")
    client = ScriptedClient(peer_lists=[[PEER]], post_answers=[exists])
    assert peerings.create(client, GROUP, BODY) is PEER


def test_other_refusals_fail_with_the_error_code():
    refused = AtlasApiError(409, error_code="PEER_MAXIMUM_REACHED", detail="The maximum number of peering connections (50) has been reached.",
                            method="POST", path="/groups/x/peers")
    client = ScriptedClient(peer_lists=[], post_answers=[refused])
    with pytest.raises(AtlasApiError, match="PEER_MAXIMUM_REACHED") as caught:
        peerings.create(client, GROUP, BODY)
    assert caught.value.doing == "request a network peering to vpc-0123456789abcdef0 in account 123456789012"


def test_a_deletion_requested_by_someone_else_is_not_an_error():
    already = AtlasApiError(409, error_code="PEER_ALREADY_REQUESTED_DELETION", method="DELETE", path="/groups/x/peers/p")
    client = ScriptedClient(peer_lists=[], post_answers=[already])
    assert peerings.delete(client, GROUP, PEER["id"]) is False
    gone = AtlasApiError(404, error_code="PEER_NOT_FOUND", method="DELETE", path="/groups/x/peers/p")
    assert peerings.delete(ScriptedClient(peer_lists=[], post_answers=[gone]), GROUP, PEER["id"]) is False


def test_a_lost_delete_answer_is_resolved_by_reading_the_peering():
    lost = AtlasOutcomeUnknown("connection dropped", method="DELETE")
    client = ScriptedClient(peer_lists=[dict(PEER, statusName="TERMINATING")], post_answers=[lost])
    assert peerings.delete(client, GROUP, PEER["id"]) is True
    assert [c[0] for c in client.calls] == ["DELETE", "GET"]
    client = ScriptedClient(peer_lists=[PEER], post_answers=[lost, {}])
    assert peerings.delete(client, GROUP, PEER["id"]) is True
    assert [c[0] for c in client.calls] == ["DELETE", "GET", "DELETE"], "not deleted yet: asked again"


def test_a_planned_peering_has_no_id_status_or_connection_yet():
    planned = planned_peering(BODY)
    assert peering_result(planned, CONTAINER)["id"] is None and planned["statusName"] is None and planned["connectionId"] is None
    assert peering_result(planned, CONTAINER)["vpc_id"] == BODY["vpcId"]


# -- the calls over HTTP ---------------------------------------------------------------------------------------------------
def test_a_dropped_post_over_http_is_adopted_from_the_list(atlas, make_client):
    made = dict(PEER, id="a" * 24)
    atlas.add(Reply(action="drop", match=("POST", "/api/atlas/v2/groups/%s/peers" % GROUP)))
    atlas.route("GET", "/groups/%s/peers" % GROUP, {"results": [made], "totalCount": 1})
    assert peerings.create(make_client(), GROUP, BODY) == made
    assert [e["method"] for e in atlas.api_requests()] == ["POST", "GET"], "one POST: the list showed it arrived"


def test_peer_already_exists_over_http_is_adopted(atlas, make_client):
    atlas.add(api_error(409, "PEER_ALREADY_EXISTS", "The peer with AWS Account ID 123456789012 and VPC ID vpc-0123456789abcdef0 already "
                        "exists.", ["123456789012", "vpc-0123456789abcdef0"]))
    atlas.route("GET", "/groups/%s/peers" % GROUP, {"results": [PEER], "totalCount": 1})
    assert peerings.create(make_client(), GROUP, BODY) == PEER


def test_update_in_a_transient_state_says_when_to_run_again(atlas, make_client):
    atlas.add(api_error(409, "PEER_INVALID_STATE", "The peer with ID %s in group %s cannot be updated in its current state." % (PEER["id"], GROUP)))
    with pytest.raises(AtlasApiError) as caught:
        peerings.update(make_client(), GROUP, PEER["id"], BODY)
    message = "Failed to %s: %s" % (caught.value.doing, caught.value)
    assert message.startswith("Failed to change network peering connection %s: Atlas refused PATCH /groups/%s/peers/%s: 409 PEER_INVALID_STATE"
                              % (PEER["id"], GROUP, PEER["id"]))
    assert "run again once it is AVAILABLE or PENDING_ACCEPTANCE" in message


def test_get_is_none_once_the_peering_is_gone(atlas, make_client):
    atlas.add(api_error(404, "PEER_NOT_FOUND", "No peer with ID %s exists in project %s." % (PEER["id"], GROUP)))
    assert peerings.get(make_client(), GROUP, PEER["id"]) is None


# -- every recorded peers answer -------------------------------------------------------------------------------------------
def test_recorded_peer_list_without_envelope_and_an_8_hex_vpc(atlas, make_client):
    answer = recording("peers-list-v1-1.json")
    atlas.add(recorded_reply("peers-list-v1-1.json"))
    listed = peerings.list_aws(make_client(), GROUP)
    assert listed == answer["response_body"]
    raw = listed[0]
    assert find_peering(listed, raw["containerId"], "vpc-7b64b41e", "358363220050") is raw
    container = {"id": raw["containerId"], "regionName": "US_EAST_1", "atlasCidrBlock": "192.168.248.0/21"}
    result = peering_result(raw, container)
    assert result["accepter_region"] == "us-east-1", "no accepterRegionName: the VPC is in the container's region"
    assert result["connection_id"] == "pcx-05530fa865e7a44f4" and result["status_name"] == "AVAILABLE"
    assert peering_drift(raw, "172.31.0.0/16", "us-east-1", "us-east-1") == {}


def test_recorded_malformed_peer_id_is_an_error_not_a_missing_peering(atlas, make_client):
    atlas.add(recorded_reply("peers-get-v1-400-1.json"))
    with pytest.raises(AtlasApiError) as caught:
        peerings.get(make_client(), GROUP, "pcx")
    assert caught.value.status == 400 and caught.value.error_code == "PATH_PARAM_PARSE_ERROR"
    assert caught.value.doing == "read network peering connection pcx"
    assert "An id in the request path is malformed" in str(caught.value)


@pytest.mark.parametrize("status", ["FAILED", "TERMINATING"])
def test_a_lost_post_is_not_answered_by_an_old_peering_on_its_way_out(status):
    old = dict(PEER, id="o" * 24, statusName=status)
    client = ScriptedClient(peer_lists=[[old]], post_answers=[AtlasOutcomeUnknown("connection dropped", method="POST"), PEER])
    assert peerings.create(client, GROUP, BODY) is PEER
    assert [c[0] for c in client.calls] == ["POST", "GET", "POST"]
