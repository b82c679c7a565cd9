# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the unit tests: `atlas` (fake_atlas.FakeAtlas on a free 127.0.0.1 port), `fake_clock`, `make_client`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.retries import RetryPolicy
from ansible_collections.cloudwire.atlas.plugins.module_utils.transport import AtlasClient
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import FakeAtlas


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def atlas():
    server = FakeAtlas().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def make_client(atlas, fake_clock):
    """Build clients against the fake Atlas whose retries sleep on the fake clock (rand fixed at 0.5)."""
    clients = []

    def factory(auth="digest", deadline=60.0, base_delay=1.0, max_delay=8.0, timeout=5, **overrides):
        policy = RetryPolicy(deadline=deadline, base_delay=base_delay, max_delay=max_delay, sleep=fake_clock.sleep,
                             clock=fake_clock.clock, rand=lambda: 0.5)
        if auth == "digest":
            credentials = dict(public_key=atlas.public_key, private_key=atlas.private_key)
        else:
            credentials = dict(client_id=atlas.client_id, client_secret=atlas.client_secret)
        credentials.update(overrides)
        client = AtlasClient(base_url=atlas.url, timeout=timeout, retry_policy=policy, **credentials)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
