# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_vpc_peering: identity, drift, waiting conditions, failure remedies, and the lost-POST rule."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.api import AtlasApiError, AtlasOutcomeUnknown
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import accepter_region_of, find_peering, peering_drift, peering_result
from ansible_collections.cloudwire.atlas.plugins.modules.atlas_vpc_peering import PeeringRun, failure_message, request_body, wait_reached

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


@pytest.mark.parametrize("error_state, words", [
    ("REJECTED", ["REJECTED", "rejected the peering request in AWS account 123456789012"]),
    ("EXPIRED", ["EXPIRED", "within 7 days", "recreate_failed=true"]),
    ("INVALID_ARGUMENT", ["INVALID_ARGUMENT", "vpc-0123456789abcdef0", "us-east-1", "overlap"]),
    (None, ["UNKNOWN", "recreate_failed=true"]),
])
def test_failure_messages_name_the_state_and_the_remedy(error_state, words):
    message = failure_message(dict(PEER, statusName="FAILED", errorStateName=error_state), "us-east-1")
    for word in words:
        assert word in message


def test_request_body_and_result_shape():
    body = request_body("c" * 24, "123456789012", "vpc-0123456789abcdef0", "10.20.0.0/16", "us-east-1")
    assert body == {"containerId": "c" * 24, "providerName": "AWS", "accepterRegionName": "us-east-1", "awsAccountId": "123456789012",
                    "routeTableCidrBlock": "10.20.0.0/16", "vpcId": "vpc-0123456789abcdef0"}
    assert peering_result(PEER, CONTAINER) == {
        "id": "p" * 24, "connection_id": "pcx-0123456789abcdef0", "status_name": "PENDING_ACCEPTANCE", "error_state_name": None,
        "container_id": "c" * 24, "vpc_id": "vpc-0123456789abcdef0", "aws_account_id": "123456789012",
        "route_table_cidr_block": "10.20.0.0/16", "accepter_region": "us-east-1", "atlas_cidr_block": "192.168.248.0/21",
        "region_name": "US_EAST_1", "aws_region": "us-east-1"}


class Failed(Exception):
    pass


class StubModule:
    check_mode = False

    def __init__(self, client):
        self.client = client
        self.project_id = "f" * 24
        self.params = {"vpc_id": PEER["vpcId"], "aws_account_id": PEER["awsAccountId"], "route_table_cidr_block": "10.20.0.0/16",
                       "container_id": None, "wait_timeout": 5}

    def fail_on_error(self, exc, doing=None):
        raise Failed("%s: %s" % (doing, exc))

    def fail_json(self, **result):
        raise Failed(result["msg"])


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


def run_with(client):
    run = PeeringRun(StubModule(client))
    run.container = CONTAINER
    run.accepter_region = "us-east-1"
    return run


def test_a_lost_post_that_was_committed_is_adopted_without_a_second_post():
    client = ScriptedClient(peer_lists=[[PEER]], post_answers=[AtlasOutcomeUnknown("connection dropped", method="POST")])
    assert run_with(client).create() is PEER
    assert [c[0] for c in client.calls] == ["POST", "GET"]


def test_a_lost_post_that_never_arrived_is_sent_again_once():
    client = ScriptedClient(peer_lists=[[]], post_answers=[AtlasOutcomeUnknown("connection dropped", method="POST"), PEER])
    assert run_with(client).create() is PEER
    assert [c[0] for c in client.calls] == ["POST", "GET", "POST"]


def test_a_concurrent_create_is_adopted():
    exists = AtlasApiError(409, error_code="PEER_ALREADY_EXISTS", method="POST", path="/groups/x/peers")
    client = ScriptedClient(peer_lists=[[PEER]], post_answers=[exists])
    assert run_with(client).create() is PEER


def test_other_refusals_fail_with_the_error_code():
    refused = AtlasApiError(409, error_code="PEER_MAXIMUM_REACHED", detail="The maximum number of peering connections (50) has been reached.",
                            method="POST", path="/groups/x/peers")
    client = ScriptedClient(peer_lists=[], post_answers=[refused])
    with pytest.raises(Failed, match="PEER_MAXIMUM_REACHED"):
        run_with(client).create()


def test_a_deletion_requested_by_someone_else_is_not_an_error():
    already = AtlasApiError(409, error_code="PEER_ALREADY_REQUESTED_DELETION", method="DELETE", path="/groups/x/peers/p")
    client = ScriptedClient(peer_lists=[], post_answers=[already])
    assert run_with(client).delete(PEER) is False
    gone = AtlasApiError(404, error_code="PEER_NOT_FOUND", method="DELETE", path="/groups/x/peers/p")
    assert run_with(ScriptedClient(peer_lists=[], post_answers=[gone])).delete(PEER) is False


def test_a_lost_delete_answer_is_resolved_by_reading_the_peering():
    lost = AtlasOutcomeUnknown("connection dropped", method="DELETE")
    client = ScriptedClient(peer_lists=[dict(PEER, statusName="TERMINATING")], post_answers=[lost])
    assert run_with(client).delete(PEER) is True
    assert [c[0] for c in client.calls] == ["DELETE", "GET"]
    client = ScriptedClient(peer_lists=[PEER], post_answers=[lost, {}])
    assert run_with(client).delete(PEER) is True
    assert [c[0] for c in client.calls] == ["DELETE", "GET", "DELETE"], "not deleted yet: asked again"
