# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""errors.py: the message a person sees for each error Atlas answers (over HTTP and from the recorded answers), the ``doing``
decorator, and the hints for what Atlas holds (FAILED peerings, locked CIDRs, conflicts). None may contain a secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import errors
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import (
    AtlasApiError,
    AtlasError,
    AtlasOutcomeUnknown,
    AtlasStateError,
    doing,
    error_from_answer,
)
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import (
    UNAUTHORIZED_BODY,
    Reply,
    api_error,
    recorded_names,
    recorded_reply,
    recording,
)

GROUP = "5e2211c17a3e5a48f5497de3"
SECRETS = ("priv-secret-123", "definitely-wrong-secret", "sa-secret-456")


def test_wrong_private_key_says_which_options_and_never_the_secret(atlas, make_client):
    client = make_client(private_key="definitely-wrong-secret")
    with pytest.raises(AtlasApiError) as caught:
        client.get("/groups/%s" % GROUP)
    error = caught.value
    assert error.status == 401
    assert "public_key and private_key" in str(error) and "MONGODB_ATLAS_PRIVATE_KEY" in str(error)
    assert "definitely-wrong-secret" not in str(error)
    assert atlas.private_key not in str(error)
    assert client.stats["requests"] == 2  # the challenge and one authenticated try, no retry loop on 401


def test_client_errors_are_not_retried(atlas, make_client, fake_clock):
    atlas.add(api_error(409, "CONTAINER_ALREADY_EXISTS", "A container already exists for group x.", [GROUP]))
    client = make_client()
    with pytest.raises(AtlasApiError) as caught:
        client.post("/groups/%s/containers" % GROUP, {})
    assert caught.value.error_code == "CONTAINER_ALREADY_EXISTS"
    assert caught.value.parameters == [GROUP]
    assert fake_clock.sleeps == []


def test_non_json_error_body_is_reported_briefly(atlas, make_client):
    atlas.add(Reply(400, "<html>" + "x" * 1000))
    client = make_client()
    with pytest.raises(AtlasApiError) as caught:
        client.get("/groups/%s" % GROUP)
    assert caught.value.error_code is None
    assert len(caught.value.detail) <= 200


# -- Error mapping ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reply, method, path, expected", [
    (api_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP address 198.51.100.7 is not allowed to access this resource.",
               ["198.51.100.7"]), "GET", "/groups/%s/peers" % GROUP,
     ["403 IP_ADDRESS_NOT_ON_ACCESS_LIST", "198.51.100.7", "API Access List", "Organization Access Manager"]),
    (api_error(403, "ORG_REQUIRES_ACCESS_LIST", "This organization requires access through an access list of ip ranges.",
               ["203.0.113.9"]), "GET", "/groups/%s" % GROUP, ["ORG_REQUIRES_ACCESS_LIST", "add 203.0.113.9", "API Access List"]),
    (api_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP address 192.0.2.44 is not allowed to access this resource."),
     "GET", "/groups/%s" % GROUP, ["add 192.0.2.44"]),
    (api_error(403, "ORG_REQUIRES_ACCESS_LIST", "This organization requires access through an access list of ip ranges."),
     "GET", "/groups/%s" % GROUP, ["this machine's public address", "add that address"]),
    (api_error(403, "RESOURCE_REQUIRES_ACCESS_LIST", "This resource requires access through an access list of ip ranges.",
               ["2001:db8::1"]), "GET", "/groups/%s" % GROUP, ["add 2001:db8::1"]),
    (api_error(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action."), "POST",
     "/groups/%s/peers" % GROUP, ["USER_UNAUTHORIZED", "Project Network Access Manager"]),
    (api_error(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action."), "DELETE",
     "/groups/%s/containers/x" % GROUP, ["Project Owner on the project"]),
    (api_error(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action."), "GET",
     "/groups/%s/peers" % GROUP, ["Project Read Only"]),
    (api_error(404, "GROUP_NAME_NOT_FOUND", 'No group with name "shop-dev" exists.', ["shop-dev"]), "GET",
     "/groups/byName/shop-dev", ["GROUP_NAME_NOT_FOUND", "project_id / project_name", "invite"]),
    (api_error(401, "NOT_IN_GROUP", "The current user is not in the group, or the group does not exist."), "GET",
     "/groups/%s" % GROUP, ["NOT_IN_GROUP", "not a member"]),
    (api_error(406, "INVALID_VERSION_DATE", "Invalid accept header or version date."), "GET", "/groups/%s" % GROUP,
     ["INVALID_VERSION_DATE", "2023-01-01", "base_url"]),
])
def test_common_errors_say_what_to_do(atlas, make_client, reply, method, path, expected):
    atlas.add(reply)
    client = make_client()
    with pytest.raises(AtlasApiError) as caught:
        client.request(method, path, body={} if method == "POST" else None)
    message = str(caught.value)
    assert message.startswith("Atlas refused %s %s: " % (method, path))
    for fragment in expected:
        assert fragment in message
    assert atlas.private_key not in message
    assert caught.value.to_dict()["status"] == reply.status


def test_service_account_refused_with_atlas_401_names_its_options():
    error = error_from_answer(401, '{"error": 401, "errorCode": "UNEXPECTED_ERROR", "detail": "You are not authorized for this resource."}',
                              {"Content-Type": "application/json"}, method="GET", path="/groups/x", auth_kind="service_account")
    assert "client_id and client_secret" in str(error) and "MONGODB_ATLAS_CLIENT_SECRET" in str(error)
    assert "public_key" not in str(error)


# -- every recorded error answer -----------------------------------------------------------------------------------------
RECORDED_ERRORS = [name for name in recorded_names() if recording(name)["status"] >= 400]

# What the person reads for each: the words the message must hold.
EXPECTED = {
    "accessList-create-401-1.json": ["401 UNEXPECTED_ERROR: You are not authorized for this resource.", "public_key and private_key",
                                     "MONGODB_ATLAS_PUBLIC_KEY / MONGODB_ATLAS_PRIVATE_KEY"],
    "other-databaseUsers-create-401-1.json": ["401 UNEXPECTED_ERROR", "public_key and private_key", "MONGODB_ATLAS_PRIVATE_KEY"],
    "other-clusters-get-404-1.json": ["404 CLUSTER_NOT_FOUND: No cluster named cluster-29 exists in group 6a793f7fc0eb9e7a17716153."],
    "other-databaseUsers-create-404-1.json": ["404 GROUP_NOT_FOUND", "check project_id / project_name"],
    "other-groups-delete-409-1.json": ["409 CANNOT_CLOSE_GROUP_ACTIVE_PEERING_CONNECTIONS", "Delete the project's network peering connections first"],
    "other-liveMigrations-linkTokens-delete-404-1.json": ["404 UNEXPECTED_ERROR: Could not find the requested external organization link."],
    "other-onlineArchives-pause-409-1.json": ["409 ONLINE_ARCHIVE_MUST_BE_ACTIVE_TO_PAUSE: An archive must be in an active state"],
    "peers-get-v1-400-1.json": ["400 PATH_PARAM_PARSE_ERROR", "An id in the request path is malformed"],
}


def _api_path(answer):
    path = answer["path"].replace("{groupId}", GROUP)
    for prefix in ("/api/atlas/v2", "/api/atlas/v1.0"):
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def test_every_recorded_error_has_its_expected_message():
    assert sorted(EXPECTED) == RECORDED_ERRORS


@pytest.mark.parametrize("name", RECORDED_ERRORS)
def test_recorded_error_answers_read_as_atlas_meant(name):
    answer = recording(name)
    body = answer["response_body"]
    headers = dict(answer["response_headers"], **(answer["source"].get("other_response_headers") or {}))
    error = error_from_answer(answer["status"], json.dumps(body, indent=2), headers, method=answer["method"], path=_api_path(answer))
    assert error.status == answer["status"] and error.error_code == body["errorCode"]
    assert error.detail == body["detail"]
    assert error.parameters == list(body.get("parameters") or [])  # [] and null alike
    message = str(error)
    assert message.startswith("Atlas refused %s %s: " % (answer["method"], _api_path(answer)))
    for words in EXPECTED[name]:
        assert words in message, (name, words, message)
    assert not any(secret in message for secret in SECRETS)


@pytest.mark.parametrize("name", [n for n in RECORDED_ERRORS if recording(n)["status"] != 401])
def test_recorded_error_answers_over_http(atlas, make_client, name):
    answer = recording(name)
    atlas.add(recorded_reply(name))
    with pytest.raises(AtlasApiError) as caught:
        make_client().request(answer["method"], _api_path(answer), body=answer.get("request_body"))
    assert caught.value.error_code == answer["response_body"]["errorCode"]
    for words in EXPECTED[name]:
        assert words in str(caught.value)


@pytest.mark.parametrize("name", [n for n in RECORDED_ERRORS if "X-Error-Code" in (recording(n)["source"].get("other_response_headers") or {})])
def test_the_error_code_header_names_the_error_when_the_body_is_not_json(atlas, make_client, name):
    answer = recording(name)
    code = answer["source"]["other_response_headers"]["X-Error-Code"]
    atlas.add(Reply(answer["status"], b"<html><body>Bad gateway page of a proxy</body></html>",
                    headers={"Content-Type": "text/html", "X-Error-Code": code}))
    with pytest.raises(AtlasApiError) as caught:
        make_client().request(answer["method"], _api_path(answer))
    assert caught.value.error_code == code == answer["response_body"]["errorCode"]
    assert "%d %s" % (answer["status"], code) in str(caught.value)


def test_the_digest_challenge_of_the_fake_is_the_recorded_one():
    assert UNAUTHORIZED_BODY == recording("accessList-create-401-1.json")["response_body"]
    assert UNAUTHORIZED_BODY == recording("other-databaseUsers-create-401-1.json")["response_body"]


def test_a_json_error_body_without_a_code_takes_the_header():
    error = error_from_answer(409, '{"detail": "busy", "error": 409}', {"x-error-code": "PEER_INVALID_STATE"}, method="PATCH", path="/p")
    assert error.error_code == "PEER_INVALID_STATE" and "PENDING_ACCEPTANCE or AVAILABLE" in str(error)


@pytest.mark.parametrize("code, words", [
    ("CONTAINERS_IN_USE", ["delete the peerings (atlas_vpc_peering state=absent)", "terminate the clusters"]),
    ("PEER_INVALID_STATE", ["PENDING_ACCEPTANCE or AVAILABLE", "run again"]),
    ("CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION", ["request the peering first", "CIDR block instead"]),
])
def test_refusals_the_modules_explained_themselves_have_their_hint_here(code, words):
    message = str(AtlasApiError(409, error_code=code, detail="x.", method="DELETE", path="/groups/g/containers/c"))
    for word in words:
        assert word in message


# -- doing: what was being done ------------------------------------------------------------------------------------------
@doing("read network peering connection {peer_id} of {project_id}")
def _read(client, project_id, peer_id, fail_with=None):
    raise fail_with


@doing(lambda entries, **_: "add %d entries" % len(entries))
def _add(client, project_id, entries):
    return _read(client, project_id, "inner", fail_with=AtlasOutcomeUnknown("lost"))


def test_doing_names_the_call_with_its_arguments():
    with pytest.raises(AtlasApiError) as caught:
        _read(None, "g" * 24, peer_id="p1", fail_with=AtlasApiError(404, error_code="PEER_NOT_FOUND"))
    assert caught.value.doing == "read network peering connection p1 of %s" % ("g" * 24)


def test_doing_keeps_the_innermost_description_and_takes_functions():
    with pytest.raises(AtlasOutcomeUnknown) as caught:
        _add(None, "g", [1, 2])
    assert caught.value.doing == "read network peering connection inner of g"
    with pytest.raises(AtlasError) as caught:
        doing(lambda entries, **_: "add %d entries" % len(entries))(lambda client, entries: _raise())(None, [1, 2, 3])
    assert caught.value.doing == "add 3 entries"


def _raise():
    raise AtlasError("boom")


def test_doing_leaves_other_exceptions_alone():
    with pytest.raises(KeyError):
        _read(None, "g", "p", fail_with=KeyError("statusName"))


# -- what Atlas holds ----------------------------------------------------------------------------------------------------
PEER = {"id": "p" * 24, "containerId": "c" * 24, "vpcId": "vpc-0123456789abcdef0", "awsAccountId": "123456789012",
        "routeTableCidrBlock": "10.20.0.0/16", "statusName": "FAILED", "connectionId": None}


@pytest.mark.parametrize("error_state, words", [
    ("REJECTED", ["REJECTED", "rejected the peering request in AWS account 123456789012"]),
    ("EXPIRED", ["EXPIRED", "within 7 days", "recreate_failed=true"]),
    ("INVALID_ARGUMENT", ["INVALID_ARGUMENT", "vpc-0123456789abcdef0", "us-east-1", "overlap"]),
    (None, ["UNKNOWN", "recreate_failed=true"]),
])
def test_failure_messages_name_the_state_and_the_remedy(error_state, words):
    failure = errors.peering_failed(dict(PEER, errorStateName=error_state), "us-east-1", peering={"id": PEER["id"]})
    message = str(failure)
    for word in words:
        assert word in message
    assert failure.result == {"error_state_name": error_state, "peering": {"id": PEER["id"]}}


def test_a_wait_for_acceptance_says_where_to_accept():
    pending = dict(PEER, statusName="PENDING_ACCEPTANCE", connectionId="pcx-0123456789abcdef0")
    message = str(errors.peering_wait_timeout(PEER["id"], pending, 30, "AVAILABLE", "eu-west-1"))
    assert "still PENDING_ACCEPTANCE after 30 s" in message
    assert "Accept pcx-0123456789abcdef0 in AWS account 123456789012, region eu-west-1." in message
    assert "still gone after" in str(errors.peering_wait_timeout(PEER["id"], None, 5, "its deletion", "eu-west-1"))


def test_state_failures_carry_their_result_fields():
    locked = errors.container_cidr_locked({"id": "c1", "atlasCidrBlock": "10.8.0.0/21"}, "US_EAST_1", "10.9.0.0/21", "it is provisioned",
                                          container={"id": "c1"})
    assert isinstance(locked, AtlasStateError)
    assert "has CIDR 10.8.0.0/21 and atlas_cidr_block asks for 10.9.0.0/21" in str(locked) and "Use atlas_cidr_block=10.8.0.0/21" in str(locked)
    assert locked.result == {"current_cidr": "10.8.0.0/21", "wanted_cidr": "10.9.0.0/21", "container": {"id": "c1"}}
    conflict = errors.access_list_conflict(["192.0.2.99/32"], GROUP, 4)
    assert "192.0.2.99/32" in str(conflict) and "in 4 attempts" in str(conflict) and "throttle: 1" in str(conflict)
    assert errors.access_list_failed(["10.0.0.0/16"]).result == {"failed": ["10.0.0.0/16"]}
    assert errors.access_list_not_active(["10.0.0.0/16"], 60).result == {"pending": ["10.0.0.0/16"]}
    assert "create it first with cloudwire.atlas.atlas_container" in str(errors.no_container(GROUP, "US_EAST_1"))
    assert errors.peering_gone("for it").result == {"peering": None}
    elsewhere = errors.container_created_elsewhere("US_EAST_1", "10.8.0.0/21", "10.9.0.0/21")
    assert "use atlas_cidr_block=10.8.0.0/21" in str(elsewhere)
