# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_container: what state=present plans for a region."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.api import AtlasOutcomeUnknown
from ansible_collections.cloudwire.atlas.plugins.modules.atlas_container import plan_container, write_container

EXISTING = {"id": "c" * 24, "atlasCidrBlock": "192.168.248.0/21", "regionName": "US_EAST_1", "providerName": "AWS", "provisioned": False}


def test_no_container_is_created_with_the_wanted_cidr():
    action, after = plan_container(None, "EU_WEST_1", "10.8.0.0/21")
    assert action == "create"
    assert after == {"atlasCidrBlock": "10.8.0.0/21", "providerName": "AWS", "regionName": "EU_WEST_1", "provisioned": False}


def test_an_existing_container_is_adopted_when_no_cidr_is_wanted_or_it_matches():
    assert plan_container(EXISTING, "US_EAST_1", None) == ("none", EXISTING)
    assert plan_container(EXISTING, "US_EAST_1", "192.168.248.0/21") == ("none", EXISTING)


def test_a_different_cidr_is_an_update_that_leaves_the_rest():
    action, after = plan_container(EXISTING, "US_EAST_1", "10.8.0.0/22")
    assert action == "update"
    assert after == dict(EXISTING, atlasCidrBlock="10.8.0.0/22")
    assert EXISTING["atlasCidrBlock"] == "192.168.248.0/21", "the current container is not modified"


class Failed(Exception):
    pass


class StubModule:
    def fail_on_error(self, exc, doing=None):
        raise Failed("%s: %s" % (doing, exc))


class ScriptedClient:
    """POST answers in turn (an exception is raised); list_all answers in turn."""

    def __init__(self, posts, lists):
        self.posts = list(posts)
        self.lists = list(lists)
        self.calls = []

    def post(self, path, body):
        self.calls.append("POST")
        answer = self.posts.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def list_all(self, path, params=None):
        self.calls.append("GET")
        return self.lists.pop(0)


def lost():
    return AtlasOutcomeUnknown("connection dropped after sending", method="POST")


def test_a_lost_create_that_took_effect_is_adopted():
    client = ScriptedClient(posts=[lost()], lists=[[EXISTING]])
    assert write_container(StubModule(), client, "f" * 24, "US_EAST_1", "create", None, "192.168.248.0/21") is EXISTING
    assert client.calls == ["POST", "GET"]


def test_a_lost_create_that_did_not_arrive_is_sent_once_more():
    client = ScriptedClient(posts=[lost(), EXISTING], lists=[[]])
    assert write_container(StubModule(), client, "f" * 24, "US_EAST_1", "create", None, "192.168.248.0/21") is EXISTING
    assert client.calls == ["POST", "GET", "POST"]


def test_two_lost_answers_fail_saying_so():
    client = ScriptedClient(posts=[lost(), lost()], lists=[[], []])
    with pytest.raises(Failed, match="create the AWS container in US_EAST_1"):
        write_container(StubModule(), client, "f" * 24, "US_EAST_1", "create", None, "192.168.248.0/21")
    assert client.calls == ["POST", "GET", "POST", "GET"]
