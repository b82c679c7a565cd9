# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_access_list: the set comparison of access-list entries (examples and hypothesis properties)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudwire.atlas.plugins.module_utils.networks import normalize_access_list_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import (
    access_list_path,
    entry_from_api,
    needs_update,
    plan_access_list,
    public,
)
from ansible_collections.cloudwire.atlas.plugins.modules.atlas_access_list import AccessListRun


def want(**entry):
    return normalize_access_list_entry(entry, check_expiry=False)


def have(**api_entry):
    return entry_from_api(api_entry)


CURRENT = [
    have(cidrBlock="10.20.0.0/16", comment="app VPC"),
    have(ipAddress="203.0.113.7", cidrBlock="203.0.113.7/32", comment="office"),
    have(awsSecurityGroup="sg-0123456789abcdef0"),
]


def keys(entries):
    return [e["key"] for e in entries]


def test_nothing_to_do_when_every_wanted_entry_is_there_in_any_form():
    plan = plan_access_list(CURRENT, [want(cidr_block="203.0.113.7/32", comment="office"), want(aws_security_group="sg-0123456789abcdef0"),
                                      want(cidr_block="10.20.0.0/16")], "present", purge=True)
    assert plan["added"] == plan["updated"] == plan["removed"] == []
    assert plan["after"] == plan["before"] == CURRENT


def test_additions_and_comment_updates_are_planned_together():
    plan = plan_access_list(CURRENT, [want(ip_address="198.51.100.1"), want(ip_address="203.0.113.7", comment="office (moved)"),
                                      want(cidr_block="10.20.0.0/16")], "present", purge=False)
    assert keys(plan["added"]) == ["198.51.100.1/32"]
    assert [(e["key"], e["comment"]) for e in plan["updated"]] == [("203.0.113.7/32", "office (moved)")]
    assert plan["removed"] == []
    assert keys(plan["after"]) == ["10.20.0.0/16", "203.0.113.7/32", "sg-0123456789abcdef0", "198.51.100.1/32"]
    assert plan["after"][1]["comment"] == "office (moved)"
    assert [(e["key"], e["comment"]) for e in plan["post"]] == [("198.51.100.1/32", None), ("203.0.113.7/32", "office (moved)")]


def test_an_update_posts_only_what_was_given_not_the_stored_expiry():
    current = [have(ipAddress="198.51.100.1", deleteAfterDate="2026-11-27T10:00:00Z", comment="old")]
    plan = plan_access_list(current, [want(ip_address="198.51.100.1", comment="new")], "present", purge=False)
    assert plan["updated"][0]["delete_after_date"] == "2026-11-27T10:00:00Z" and plan["updated"][0]["comment"] == "new"
    assert plan["post"][0]["delete_after_date"] is None and plan["post"][0]["comment"] == "new"


def test_an_omitted_comment_keeps_the_existing_one():
    assert not needs_update(CURRENT[0], want(cidr_block="10.20.0.0/16"))
    assert needs_update(CURRENT[0], want(cidr_block="10.20.0.0/16", comment=""))
    assert not needs_update(have(cidrBlock="10.1.0.0/16"), want(cidr_block="10.1.0.0/16", comment=""))


def test_a_different_expiry_is_an_update_and_the_same_one_is_not():
    current = have(ipAddress="198.51.100.1", deleteAfterDate="2026-11-27T10:00:00Z")
    assert not needs_update(current, want(ip_address="198.51.100.1", delete_after_date="2026-11-27T10:00:00+00:00"))
    assert needs_update(current, want(ip_address="198.51.100.1", delete_after_date="2026-11-28T10:00:00Z"))


def test_purge_removes_only_unlisted_entries():
    plan = plan_access_list(CURRENT, [want(cidr_block="10.20.0.0/16")], "present", purge=True)
    assert keys(plan["removed"]) == ["203.0.113.7/32", "sg-0123456789abcdef0"]
    assert keys(plan["after"]) == ["10.20.0.0/16"]


def test_purge_with_no_entries_empties_the_list():
    plan = plan_access_list(CURRENT, [], "present", purge=True)
    assert keys(plan["removed"]) == keys(CURRENT) and plan["after"] == []


def test_absent_removes_the_listed_entries_that_exist():
    plan = plan_access_list(CURRENT, [want(ip_address="203.0.113.7"), want(cidr_block="10.99.0.0/16")], "absent", purge=False)
    assert keys(plan["removed"]) == ["203.0.113.7/32"] and plan["added"] == [] and plan["updated"] == []
    assert keys(plan["after"]) == ["10.20.0.0/16", "sg-0123456789abcdef0"]


def test_an_entry_this_collection_cannot_parse_keeps_its_raw_value():
    odd = have(awsSecurityGroup="123456789012/sg-1234")
    assert odd["key"] == "123456789012/sg-1234" and odd["aws_security_group"] == "123456789012/sg-1234"
    plan = plan_access_list([odd], [], "present", purge=True)
    assert plan["removed"] == [odd]


def test_public_form_and_entry_urls():
    assert public(CURRENT[1]) == {"cidr_block": "203.0.113.7/32", "ip_address": "203.0.113.7", "aws_security_group": None,
                                  "comment": "office", "delete_after_date": None}
    assert access_list_path("0123456789abcdef01234567", "10.0.0.0/16") == "/groups/0123456789abcdef01234567/accessList/10.0.0.0%2F16"
    assert access_list_path("0123456789abcdef01234567") == "/groups/0123456789abcdef01234567/accessList"


networks = st.builds(lambda address, prefix: ipaddress.ip_network("%s/%d" % (ipaddress.IPv4Address(address), prefix), strict=False),
                     st.integers(min_value=0, max_value=2 ** 32 - 1), st.integers(min_value=16, max_value=32))
comments = st.none() | st.text(alphabet="abc ", max_size=5)


@st.composite
def wanted_entries(draw):
    entries = []
    for network, comment in draw(st.lists(st.tuples(networks, comments), max_size=6, unique_by=lambda t: t[0])):
        if network.prefixlen == 32 and draw(st.booleans()):
            entries.append(want(ip_address=str(network.network_address), comment=comment))
        else:
            entries.append(want(cidr_block=str(network), comment=comment))
    return entries


def api_form(entry):
    body = {"cidrBlock": entry["cidr_block"], "comment": entry["comment"]}
    if entry["ip_address"]:
        body["ipAddress"] = entry["ip_address"]
    return body


@settings(max_examples=150, deadline=None)
@given(current=wanted_entries(), wanted=wanted_entries(), purge=st.booleans(), state=st.sampled_from(["present", "absent"]))
def test_applying_a_plan_converges(current, wanted, purge, state):
    """After the planned writes the same comparison finds nothing more to do, and the result is what was asked."""
    current = [entry_from_api(api_form(e)) for e in current]
    plan = plan_access_list(current, wanted, state, purge and state == "present")
    applied = [entry_from_api(api_form(e)) for e in plan["after"]]
    again = plan_access_list(applied, wanted, state, purge and state == "present")
    assert again["added"] == again["updated"] == again["removed"] == []
    after_keys = set(keys(plan["after"]))
    if state == "present":
        assert set(keys(wanted)) <= after_keys
        if purge:
            assert after_keys == set(keys(wanted))
    else:
        assert not set(keys(wanted)) & after_keys
    assert len(plan["after"]) == len(after_keys), "no entry twice"


class Failed(Exception):
    pass


class StatusModule:
    check_mode = False

    def __init__(self, statuses):
        self.client = self
        self.project_id = "f" * 24
        self.statuses = statuses  # entry value -> list of STATUS answers in turn
        self.failure = None

    def get(self, path):
        value = path.split("/accessList/")[1][:-len("/status")]
        return {"STATUS": self.statuses[value].pop(0)}

    def fail_on_error(self, exc, doing=None):
        raise Failed(doing)

    def fail_json(self, **result):
        self.failure = result
        raise Failed(result["msg"])


def instant_poll(monkeypatch):
    from ansible_collections.cloudwire.atlas.plugins.modules import atlas_access_list  # pylint: disable=import-outside-toplevel
    original = atlas_access_list.poll
    monkeypatch.setattr(atlas_access_list, "poll", lambda fetch, done, timeout, **intervals: original(
        fetch, done, timeout, sleep=lambda s: None, **intervals))


def test_waiting_polls_each_entry_until_active(monkeypatch):
    instant_poll(monkeypatch)
    module = StatusModule({"10.0.0.0%2F16": ["PENDING", "PENDING", "ACTIVE"], "sg-0123456789abcdef0": ["ACTIVE"]})
    AccessListRun(module).wait_active([want(cidr_block="10.0.0.0/16"), want(aws_security_group="sg-0123456789abcdef0")], timeout=60)
    assert module.statuses == {"10.0.0.0%2F16": [], "sg-0123456789abcdef0": []}


def test_a_failed_entry_fails_the_wait(monkeypatch):
    instant_poll(monkeypatch)
    module = StatusModule({"10.0.0.0%2F16": ["PENDING", "FAILED"]})
    with pytest.raises(Failed, match="FAILED"):
        AccessListRun(module).wait_active([want(cidr_block="10.0.0.0/16")], timeout=60)
    assert module.failure["failed"] == ["10.0.0.0/16"]
