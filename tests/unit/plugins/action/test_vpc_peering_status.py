# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering_status action plugin: one poll of a role wait, on the controller, against fake_atlas over HTTP (the
judgement of what a poll saw is tested in module_utils/test_polls.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_status
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import NO_CREDENTIALS
from ansible_collections.cloudwire.atlas.plugins.module_utils.sessions import AtlasSessions
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_status as documentation
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import (
    GROUP,
    atlas_connection as _connection,
    documented_and_taken,
    run_action,
)
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import api_error

PEER = "5f0123456789abcdef012345"


@pytest.fixture(autouse=True)
def fresh_sessions(monkeypatch):
    """No client kept from another test."""
    monkeypatch.setattr(vpc_peering_status, "_SESSIONS", AtlasSessions())


def poll(**args):
    return run_action(vpc_peering_status, **args)


def test_a_peering_that_reached_its_state(atlas):
    atlas.route("GET", "/groups/%s/peers/%s" % (GROUP, PEER), {"id": PEER, "statusName": "AVAILABLE", "connectionId": "pcx-1"})
    result = poll(**_connection(atlas, peering_id=PEER, wait_for="available"))
    assert not result.get("failed"), result
    assert result["changed"] is False and result["reached"] is True
    assert result["peering"]["status_name"] == "AVAILABLE" and result["summary"] == "AVAILABLE pcx-1"


def test_the_entries_statuses_and_one_client_for_every_poll(atlas):
    atlas.route("GET", "/groups/%s/accessList/10.0.0.0/16/status" % GROUP, {"STATUS": "PENDING"})
    first = poll(**_connection(atlas, entries=["10.0.0.0/16"], wait_for="active", poll=1, polls=3))
    assert not first.get("failed") and first["reached"] is False and first["pending"] == ["10.0.0.0/16"], first
    atlas.route("GET", "/groups/%s/accessList/10.0.0.0/16/status" % GROUP, {"STATUS": "ACTIVE"})
    second = poll(**_connection(atlas, entries=["10.0.0.0/16"], wait_for="active", poll=2, polls=3))
    assert second["reached"] is True and second["entries"] == {"10.0.0.0/16": "ACTIVE"}, second
    assert len([entry for entry in atlas.log if not entry["authenticated"]]) == 1, "the second poll paid a digest challenge again"


def test_the_last_poll_fails_with_what_it_waited_for(atlas):
    atlas.route("GET", "/groups/%s/peers/%s" % (GROUP, PEER), {"id": PEER, "statusName": "INITIATING"})
    result = poll(**_connection(atlas, peering_id=PEER, wait_for="connection", poll=5, polls=5, poll_seconds=2))
    assert result["failed"] is True and "still INITIATING after 5 polls 2 s apart" in result["msg"], result


def test_an_atlas_refusal_says_what_was_read(atlas):
    atlas.add(api_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP address 10.1.2.3 is not allowed to access this resource.", ["10.1.2.3"]))
    result = poll(**_connection(atlas, peering_id=PEER, wait_for="available"))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to read the status Atlas reports for %s: " % PEER), result["msg"]
    assert "IP_ADDRESS_NOT_ON_ACCESS_LIST" in result["msg"]


def test_missing_credentials_and_bad_options_fail_before_any_request(atlas):
    assert poll(peering_id=PEER, wait_for="available", project_id=GROUP, base_url=atlas.url) == dict(failed=True, msg=NO_CREDENTIALS)
    # A peering and its entries make one wait (main's "one wait for AVAILABLE and ACTIVE"); a cluster's string is a wait of its own.
    both = poll(**_connection(atlas, peering_id=PEER, cluster_name="shared-dev", wait_for="available"))
    assert both["failed"] is True and "peering_id" in both["msg"] and "cluster_name" in both["msg"], both
    no_cluster = poll(**_connection(atlas, peering_id=PEER, wait_for="private_srv"))
    assert no_cluster["failed"] is True and "cluster_name" in no_cluster["msg"], no_cluster
    unknown = poll(**_connection(atlas, peering_id=PEER, wait_for="forever"))
    assert unknown["failed"] is True and "wait_for" in unknown["msg"], unknown
    no_wait = poll(**_connection(atlas, peering_id=PEER, wait_for="available", timeout=0))
    assert no_wait["failed"] is True and no_wait["option"] == "timeout", no_wait
    assert no_wait["msg"] == "Invalid timeout: 0 is not a timeout: it must be a whole number of seconds greater than 0"
    args = _connection(atlas, peering_id=PEER, wait_for="available")
    args["project_id"] = "shop-dev"
    bad_project = poll(**args)
    assert bad_project["failed"] is True and bad_project["option"] == "project_id", bad_project
    assert bad_project["msg"] == "Invalid project_id: 'shop-dev' is not an Atlas project id: it must be 24 lower-case hex digits"
    args["project_id"], args["base_url"] = GROUP, atlas.url.split("://", 1)[1]
    no_scheme = poll(**args)
    assert no_scheme["failed"] is True and no_scheme["option"] == "base_url", no_scheme
    assert atlas.log == []


def test_the_polls_client_takes_the_retry_deadline_of_the_environment(monkeypatch, atlas):
    monkeypatch.setenv("CLOUDWIRE_ATLAS_RETRY_DEADLINE", "9")
    atlas.route("GET", "/groups/%s/peers/%s" % (GROUP, PEER), {"id": PEER, "statusName": "AVAILABLE", "connectionId": "pcx-1"})
    assert not poll(**_connection(atlas, peering_id=PEER, wait_for="available")).get("failed")
    clients = list(vpc_peering_status._SESSIONS._clients.values())
    assert len(clients) == 1 and clients[0].retry_policy.deadline == 9.0


class Clock:
    def __init__(self, now):
        self.now = now
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_the_first_poll_comes_one_interval_after_the_change_it_follows():
    for since, slept in ((None, []), (999.75, [0.75]), (990.0, []), (1004.0, [1.0])):
        # None: no change this run (poll at once); 0.25 s after the request: 0.75 s more; long after: at once; a time ahead of
        # this clock: never more than one interval.
        clock = Clock(1000.0)
        vpc_peering_status.first_poll_after(since, 1.0, clock=clock.time, sleep=clock.sleep)
        assert clock.sleeps == slept, (since, clock.sleeps)


def test_a_poll_given_the_time_of_the_change_reads_one_interval_after_it(atlas, monkeypatch):
    clock = Clock(1000.0)
    monkeypatch.setattr(vpc_peering_status.time, "time", clock.time)
    monkeypatch.setattr(vpc_peering_status.time, "sleep", clock.sleep)
    atlas.route("GET", "/groups/%s/peers/%s" % (GROUP, PEER), {"id": PEER, "statusName": "AVAILABLE", "connectionId": "pcx-1"})
    result = poll(**_connection(atlas, peering_id=PEER, wait_for="available", poll_seconds=2, since=999.5))
    assert result["reached"] is True and clock.sleeps == [1.5], (result, clock.sleeps)
    assert len(atlas.api_requests()) == 1


def test_the_documented_options_are_the_options_it_takes():
    documented, taken = documented_and_taken(documentation, vpc_peering_status.ARGUMENT_SPEC)
    assert documented == taken
