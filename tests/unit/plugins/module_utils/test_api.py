# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AtlasClient against a real HTTP server on 127.0.0.1 with real Digest challenges (fake_atlas.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import socket
import time

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.api import (
    ACCEPT,
    AtlasApiError,
    AtlasClient,
    AtlasError,
    AtlasOutcomeUnknown,
    AtlasTransportError,
    RetryPolicy,
    retry_after_seconds,
)
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply, api_error

GROUP = "5e2211c17a3e5a48f5497de3"


def _free_closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# -- Digest: one challenge, then one round trip per call ---------------------------------------------------------------
def test_digest_reuses_the_nonce_one_round_trip_per_call(atlas, make_client):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    client = make_client()
    for _call in range(10):
        assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    assert client.stats["challenges"] == 1
    assert client.stats["requests"] == 11
    assert len(atlas.log) == 11
    assert len(atlas.api_requests()) == 10
    # The server refuses a repeated nonce count, so ten successes also prove nc increments.
    counts = [json.dumps(entry["headers"].get("Authorization")) for entry in atlas.api_requests()]
    assert len(set(counts)) == 10


def test_digest_writes_carry_json_and_the_versioned_accept(atlas, make_client):
    atlas.route("POST", "/groups/%s/containers" % GROUP, lambda entry: json.loads(entry["body"]))
    atlas.route("DELETE", "/groups/%s/containers/abc" % GROUP, None, status=204)
    client = make_client()
    created = client.post("/groups/%s/containers" % GROUP, {"regionName": "US_EAST_1", "atlasCidrBlock": "10.8.0.0/21"})
    assert created == {"regionName": "US_EAST_1", "atlasCidrBlock": "10.8.0.0/21"}
    assert client.delete("/groups/%s/containers/abc" % GROUP) == {}
    post, delete = atlas.api_requests()
    assert post["headers"]["Accept"] == ACCEPT == "application/vnd.atlas.2023-01-01+json"
    assert post["headers"]["Content-Type"] == "application/json"
    assert "cloudwire.atlas" in post["headers"]["User-Agent"]
    assert "Content-Type" not in delete["headers"]
    assert client.stats == {"requests": 3, "challenges": 1, "retries": 0, "tokens": 0}


def test_stale_nonce_is_answered_with_one_new_challenge(atlas, make_client):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    client = make_client()
    client.get("/groups/%s" % GROUP)
    client.get("/groups/%s" % GROUP)
    atlas.expire_nonces()
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    client.get("/groups/%s" % GROUP)
    assert client.stats["challenges"] == 2
    assert client.stats["requests"] == 6  # 2 + (stale 401 + resend) + 1
    stale = [e for e in atlas.log if not e["authenticated"]]
    assert len(stale) == 2


def test_stale_nonce_on_a_write_resends_the_same_body_once(atlas, make_client):
    atlas.route("POST", "/groups/%s/accessList" % GROUP, lambda entry: {"results": json.loads(entry["body"]), "totalCount": 1})
    client = make_client()
    client.post("/groups/%s/accessList" % GROUP, [{"cidrBlock": "10.0.0.0/16"}])
    atlas.expire_nonces()
    answer = client.post("/groups/%s/accessList" % GROUP, [{"cidrBlock": "10.1.0.0/16", "comment": "second"}])
    assert answer["results"] == [{"cidrBlock": "10.1.0.0/16", "comment": "second"}]
    posts = [e for e in atlas.log if e["method"] == "POST"]
    assert [e["authenticated"] for e in posts] == [False, True, False, True]
    assert posts[2]["body"] == posts[3]["body"]
    assert len(atlas.api_requests()) == 2  # the write reached the API exactly twice: once per call


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


# -- Service accounts ---------------------------------------------------------------------------------------------------
def test_service_account_fetches_one_token_and_sends_bearer(atlas, make_client):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    client = make_client(auth="service_account")
    for _call in range(5):
        client.get("/groups/%s" % GROUP)
    assert atlas.tokens == ["tok-1"]
    assert client.stats["tokens"] == 1
    assert client.stats["requests"] == 6
    token_request = atlas.log[0]
    assert token_request["path"] == "/api/oauth/token" and token_request["method"] == "POST"
    assert token_request["headers"]["Accept"] == "application/json"
    assert token_request["headers"]["Authorization"].startswith("Basic ")
    assert token_request["body"] == b"grant_type=client_credentials"
    assert all(e["headers"]["Authorization"] == "Bearer tok-1" for e in atlas.api_requests())


def test_service_account_token_is_renewed_only_when_it_expires(atlas, make_client, fake_clock):
    atlas.token_ttl = 120
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    client = make_client(auth="service_account")
    client.get("/groups/%s" % GROUP)
    fake_clock.now += 59
    client.get("/groups/%s" % GROUP)
    assert atlas.tokens == ["tok-1"]
    fake_clock.now += 2  # past expires_in - 60 s
    client.get("/groups/%s" % GROUP)
    assert atlas.tokens == ["tok-1", "tok-2"]


def test_service_account_bad_secret(atlas, make_client):
    client = make_client(auth="service_account", client_secret="wrong-sa-secret")
    with pytest.raises(AtlasApiError) as caught:
        client.get("/groups/%s" % GROUP)
    assert caught.value.status == 401
    assert caught.value.error_code == "invalid_client"
    assert "client_id and client_secret" in str(caught.value)
    assert "wrong-sa-secret" not in str(caught.value)


def test_token_endpoint_throttling_is_retried(atlas, make_client, fake_clock):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    atlas.add(Reply(429, {"error": 429, "errorCode": "RATE_LIMITED", "parameters": ["/api/oauth/token", 50, 1]},
                    headers={"Retry-After": "3"}, match=("POST", "/api/oauth/token")))
    client = make_client(auth="service_account")
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    assert fake_clock.sleeps == [3.5]
    assert atlas.tokens == ["tok-1"]


def test_no_credentials_is_refused_before_any_call():
    with pytest.raises(AtlasError, match="public_key and private_key"):
        AtlasClient(base_url="http://127.0.0.1:9", public_key="only-half")


# -- Pagination ---------------------------------------------------------------------------------------------------------
def _paged(items, total=True):
    def answer(entry):
        page = int(entry["query"]["pageNum"][0])
        size = int(entry["query"]["itemsPerPage"][0])
        body = {"results": items[(page - 1) * size:page * size], "links": []}
        if total:
            body["totalCount"] = len(items)
        return body
    return answer


@pytest.mark.parametrize("count, pages", [(0, 1), (3, 1), (500, 1), (1203, 3)])
def test_list_all_reads_every_page_at_500(atlas, make_client, count, pages):
    items = [{"id": "%024x" % i} for i in range(count)]
    atlas.route("GET", "/groups/%s/peers" % GROUP, _paged(items))
    client = make_client()
    assert client.list_all("/groups/%s/peers" % GROUP, params={"providerName": "AWS"}) == items
    requests_seen = atlas.api_requests()
    assert len(requests_seen) == pages
    assert [e["query"]["pageNum"] for e in requests_seen] == [[str(n)] for n in range(1, pages + 1)]
    assert all(e["query"]["itemsPerPage"] == ["500"] and e["query"]["providerName"] == ["AWS"] for e in requests_seen)


def test_list_all_without_total_count_stops_at_an_empty_page(atlas, make_client):
    items = [{"id": "%024x" % i} for i in range(1000)]
    atlas.route("GET", "/groups/%s/accessList" % GROUP, _paged(items, total=False))
    client = make_client()
    assert client.list_all("/groups/%s/accessList" % GROUP) == items
    assert len(atlas.api_requests()) == 3


def test_list_all_trusts_total_count_when_the_server_pages_smaller(atlas, make_client):
    items = [{"id": "%024x" % i} for i in range(250)]

    def capped_at_100(entry):
        page = int(entry["query"]["pageNum"][0])
        return {"results": items[(page - 1) * 100:page * 100], "totalCount": len(items)}

    atlas.route("GET", "/groups/%s/peers" % GROUP, capped_at_100)
    client = make_client()
    assert client.list_all("/groups/%s/peers" % GROUP) == items
    assert len(atlas.api_requests()) == 3


# -- Retries, Retry-After, deadline -------------------------------------------------------------------------------------
def test_server_errors_are_retried_with_exponential_backoff(atlas, make_client, fake_clock):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    atlas.add(api_error(503, "SERVICE_UNAVAILABLE"), Reply(502, None), api_error(500, "UNEXPECTED_ERROR"))
    client = make_client()
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    # full jitter with rand=0.5: half of 1, 2, 4
    assert fake_clock.sleeps == [0.5, 1.0, 2.0]
    assert client.stats["retries"] == 3


def test_backoff_is_capped_at_max_delay(atlas, make_client, fake_clock):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    atlas.add(*[api_error(500, "UNEXPECTED_ERROR") for _attempt in range(6)])
    client = make_client(max_delay=4.0)
    client.get("/groups/%s" % GROUP)
    assert fake_clock.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]


def test_retry_after_header_is_honoured(atlas, make_client, fake_clock):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    atlas.add(Reply(429, {"error": 429, "errorCode": "RATE_LIMITED"}, headers={"Retry-After": "7"}))
    client = make_client()
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    assert fake_clock.sleeps == [7.5]  # Retry-After plus at most 1 s of jitter


def test_token_bucket_retry_after_parameter_is_honoured(atlas, make_client, fake_clock):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    atlas.add(api_error(429, "RATE_LIMITED_TOKEN_BUCKET", "Rate limit exceeded. Please retry after 42 seconds.",
                        ["api/atlas/v2/groups", 42, 10, 5, 60]))
    client = make_client()
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    assert fake_clock.sleeps == [42.5]


def test_retry_after_beyond_the_deadline_fails_at_once(atlas, make_client, fake_clock):
    atlas.add(Reply(429, {"error": 429, "errorCode": "RATE_LIMITED_TOKEN_BUCKET", "parameters": ["x", 120, 10, 5, 60]},
                    headers={"Retry-After": "120"}))
    client = make_client(deadline=60)
    with pytest.raises(AtlasApiError) as caught:
        client.get("/groups/%s" % GROUP)
    assert caught.value.status == 429
    assert "rate limited" in str(caught.value).lower()
    assert fake_clock.sleeps == []


def test_retries_stop_at_the_deadline(atlas, make_client, fake_clock):
    atlas.add(*[api_error(503, "SERVICE_UNAVAILABLE") for _attempt in range(50)])
    client = make_client(deadline=20, max_delay=8.0)
    with pytest.raises(AtlasApiError) as caught:
        client.get("/groups/%s" % GROUP)
    assert caught.value.status == 503
    assert "kept failing for 20 s" in str(caught.value)
    assert sum(fake_clock.sleeps) < 20
    assert fake_clock.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]  # 19.5 s slept; 4 s more would cross the deadline
    assert len(atlas.api_requests()) == 8


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


# -- Outcome unknown: writes are never blindly re-sent -------------------------------------------------------------------
@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_write_dropped_after_sending_is_outcome_unknown(atlas, make_client, fake_clock, method):
    atlas.add(Reply(action="drop"))
    client = make_client()
    with pytest.raises(AtlasOutcomeUnknown) as caught:
        client.request(method, "/groups/%s/peers" % GROUP, body={"vpcId": "vpc-0123456789abcdef0"} if method != "DELETE" else None)
    assert caught.value.method == method
    assert "not re-sent" in str(caught.value)
    assert [e["method"] for e in atlas.api_requests()] == [method]
    assert fake_clock.sleeps == []


def test_read_dropped_after_sending_is_retried(atlas, make_client, fake_clock):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    atlas.add(Reply(action="drop"))
    client = make_client()
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}
    assert len(atlas.api_requests()) == 2
    assert fake_clock.sleeps == [0.5]


def test_write_read_timeout_is_outcome_unknown_and_read_timeout_is_retried(atlas, make_client):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    client = make_client(timeout=0.3)
    client.get("/groups/%s" % GROUP)  # take the challenge first so the slow answer is the scripted one
    atlas.add(Reply(200, {}, delay=1.0))
    with pytest.raises(AtlasOutcomeUnknown):
        client.post("/groups/%s/accessList" % GROUP, [{"cidrBlock": "10.0.0.0/16"}])
    atlas.add(Reply(200, {}, delay=1.0))
    assert client.get("/groups/%s" % GROUP) == {"id": GROUP}


def test_an_attempt_does_not_outlive_the_deadline(atlas, make_client):
    client = make_client(timeout=30, deadline=0.5)
    atlas.add(Reply(200, {}, delay=2.5))
    started = time.monotonic()
    with pytest.raises(AtlasOutcomeUnknown):
        client.post("/groups/%s/accessList" % GROUP, [])
    assert time.monotonic() - started < 2.0  # cut at max(1 s, remaining deadline), not at the 30 s timeout


def test_connection_refused_is_retried_for_writes_too_and_bounded(fake_clock):
    policy = RetryPolicy(deadline=10, base_delay=1, max_delay=4, sleep=fake_clock.sleep, clock=fake_clock.clock, rand=lambda: 0.5)
    client = AtlasClient(base_url="http://127.0.0.1:%d" % _free_closed_port(), public_key="k", private_key="s", retry_policy=policy)
    with pytest.raises(AtlasTransportError) as caught:
        client.post("/groups/%s/peers" % GROUP, {})
    assert not isinstance(caught.value, AtlasOutcomeUnknown)
    assert "no answer" in str(caught.value)
    assert fake_clock.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]  # 9.5 s slept; 2 s more would cross the deadline
    assert client.stats["requests"] == 7


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


def test_get_or_none_is_none_only_for_a_missing_resource(atlas, make_client):
    client = make_client()
    assert client.get_or_none("/groups/%s/peers/%s" % (GROUP, "0" * 24)) is None
    atlas.add(api_error(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % GROUP, [GROUP]))
    with pytest.raises(AtlasApiError) as caught:
        client.get_or_none("/groups/%s/peers/%s" % (GROUP, "0" * 24))
    assert caught.value.error_code == "GROUP_NOT_FOUND"


# -- Pure pieces --------------------------------------------------------------------------------------------------------
class _Response:
    def __init__(self, headers=None, body=None):
        self.headers = headers or {}
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body


@pytest.mark.parametrize("headers, body, expected", [
    ({"Retry-After": "12"}, None, 12.0),
    ({"Retry-After": "-3"}, None, 0.0),
    ({}, {"errorCode": "RATE_LIMITED_TOKEN_BUCKET", "parameters": ["api/atlas/v2/orgs", 55, 10, 5, 60]}, 55.0),
    ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, {"errorCode": "RATE_LIMITED_TOKEN_BUCKET", "parameters": ["x", 9]}, 0.0),
    ({"Retry-After": "soon"}, {"errorCode": "RATE_LIMITED_TOKEN_BUCKET", "parameters": ["x", 9]}, 9.0),
    ({}, {"errorCode": "RATE_LIMITED", "parameters": ["/api/oauth/token", 50, 1]}, None),
    ({}, {"errorCode": "RATE_LIMITED_TOKEN_BUCKET", "parameters": ["x"]}, None),
    ({}, None, None),
])
def test_retry_after_seconds(headers, body, expected):
    assert retry_after_seconds(_Response(headers, body)) == expected


def test_retry_after_as_an_http_date():
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= retry_after_seconds(_Response({"Retry-After": in_a_minute})) <= 60


def test_retry_budget_full_jitter_bounds():
    now = [0.0]
    low = RetryPolicy(deadline=100, base_delay=2, max_delay=10, clock=lambda: now[0], rand=lambda: 0.0).start()
    high = RetryPolicy(deadline=100, base_delay=2, max_delay=10, clock=lambda: now[0], rand=lambda: 0.999999).start()
    for retries, cap in enumerate([2, 4, 8, 10, 10]):
        low.retries = high.retries = retries
        assert low.next_delay() == 0.0
        assert cap * 0.99 < high.next_delay() < cap
    now[0] = 95.0
    assert high.next_delay() is None  # 10 s more would pass the 100 s deadline
    assert high.next_delay(retry_after=1) == pytest.approx(2.0, abs=0.01)
