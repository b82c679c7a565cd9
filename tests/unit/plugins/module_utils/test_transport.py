# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""transport.py: AtlasClient against a real HTTP server on 127.0.0.1 with real Digest challenges (fake_atlas.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import time

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import ACCEPT, COLLECTION_VERSION
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import (
    AtlasApiError,
    AtlasError,
    AtlasOutcomeUnknown,
    AtlasTransportError,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.retries import RetryPolicy
from ansible_collections.cloudwire.atlas.plugins.module_utils.transport import AtlasClient
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


def test_get_or_none_is_none_only_for_a_missing_resource(atlas, make_client):
    client = make_client()
    assert client.get_or_none("/groups/%s/peers/%s" % (GROUP, "0" * 24)) is None
    atlas.add(api_error(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % GROUP, [GROUP]))
    with pytest.raises(AtlasApiError) as caught:
        client.get_or_none("/groups/%s/peers/%s" % (GROUP, "0" * 24))
    assert caught.value.error_code == "GROUP_NOT_FOUND"


# -- Answers as real Atlas gives them ---------------------------------------------------------------------------------
def test_user_agent_names_the_collection_version(atlas, make_client):
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    make_client().get("/groups/%s" % GROUP)
    assert atlas.api_requests()[0]["headers"]["User-Agent"].startswith("cloudwire.atlas/%s " % COLLECTION_VERSION)


@pytest.mark.parametrize("status", [200, 201, 202])
def test_any_2xx_of_a_write_is_success_whatever_the_charset(atlas, make_client, status):
    atlas.add(Reply(status, b'{"results": [{"cidrBlock": "10.0.0.0/16"}], "totalCount": 1}',
                    headers={"Content-Type": "application/vnd.atlas.2023-01-01+json;charset=utf-8"}))
    answer = make_client().post("/groups/%s/accessList" % GROUP, [{"cidrBlock": "10.0.0.0/16"}])
    assert answer == {"results": [{"cidrBlock": "10.0.0.0/16"}], "totalCount": 1}


def test_an_empty_answer_with_a_content_type_is_an_empty_dict(atlas, make_client):
    atlas.add(Reply(204, b"", headers={"Content-Type": "application/vnd.atlas.2023-01-01+json;charset=utf-8"}))
    assert make_client().delete("/groups/%s/accessList/10.0.0.0%%2F16" % GROUP) == {}


def test_a_success_that_is_not_json_is_an_error_naming_the_call(atlas, make_client):
    atlas.add(Reply(200, b"<html>maintenance</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(AtlasApiError) as caught:
        make_client().get("/groups/%s" % GROUP)
    assert "GET /groups/%s" % GROUP in str(caught.value) and "not JSON" in str(caught.value)


def test_list_all_takes_an_answer_without_the_envelope_as_the_whole_list(atlas, make_client):
    items = [{"id": "%024x" % i} for i in range(3)]
    atlas.route("GET", "/groups/%s/peers" % GROUP, items)
    assert make_client().list_all("/groups/%s/peers" % GROUP) == items
    assert len(atlas.api_requests()) == 1


def test_delete_if_present_says_whether_this_call_removed_it(atlas, make_client):
    path = "/groups/%s/accessList/10.0.0.0%%2F16" % GROUP
    client = make_client()
    atlas.add(Reply(204, None))
    assert client.delete_if_present(path) is True
    assert client.delete_if_present(path) is False  # the fake answers 404 RESOURCE_NOT_FOUND: gone already
    atlas.add(Reply(action="drop"))
    assert client.delete_if_present(path) is True, "a lost answer then a 404: the first DELETE did it"
    assert [e["method"] for e in atlas.api_requests()] == ["DELETE"] * 4


def test_delete_if_present_raises_other_refusals_and_a_missing_project(atlas, make_client):
    client = make_client()
    atlas.add(api_error(409, "CONTAINERS_IN_USE", "Cannot modify in use containers."))
    with pytest.raises(AtlasApiError, match="CONTAINERS_IN_USE"):
        client.delete_if_present("/groups/%s/containers/%s" % (GROUP, "c" * 24))
    atlas.add(api_error(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % GROUP, [GROUP]))
    with pytest.raises(AtlasApiError, match="GROUP_NOT_FOUND"):
        client.delete_if_present("/groups/%s/containers/%s" % (GROUP, "c" * 24))
    atlas.add(Reply(action="drop"), Reply(action="drop"))
    with pytest.raises(AtlasOutcomeUnknown):
        client.delete_if_present("/groups/%s/containers/%s" % (GROUP, "c" * 24))


def test_delete_if_present_with_a_read_sends_again_only_when_the_resource_is_still_there(atlas, make_client):
    path = "/groups/%s/containers/%s" % (GROUP, "c" * 24)
    client = make_client()
    reads = []
    atlas.add(Reply(action="drop"))
    assert client.delete_if_present(path, still_there=lambda: reads.append("gone") or False) is True
    assert reads == ["gone"] and [e["method"] for e in atlas.api_requests()] == ["DELETE"]
    atlas.add(Reply(action="drop"), Reply(204, None))
    assert client.delete_if_present(path, still_there=lambda: True) is True
    assert [e["method"] for e in atlas.api_requests()] == ["DELETE"] * 3
