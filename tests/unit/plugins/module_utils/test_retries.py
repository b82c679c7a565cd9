# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""retries.py: what is tried again and how long the client waits (over HTTP with fake_atlas, and the pure pieces)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import time

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError
from ansible_collections.cloudwire.atlas.plugins.module_utils.retries import (
    RetryPolicy,
    is_retried_status,
    may_resend,
    retry_after_seconds,
)
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply, api_error

GROUP = "5e2211c17a3e5a48f5497de3"


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


@pytest.mark.parametrize("status, retried", [(429, True), (500, True), (502, True), (503, True), (504, True), (400, False),
                                             (401, False), (404, False), (409, False), (501, False)])
def test_only_throttling_and_server_errors_are_retried(status, retried):
    assert is_retried_status(status) is retried


@pytest.mark.parametrize("method, resent", [("GET", True), ("POST", False), ("PATCH", False), ("DELETE", False)])
def test_only_reads_are_resent_after_they_may_have_arrived(method, resent):
    assert may_resend(method) is resent
