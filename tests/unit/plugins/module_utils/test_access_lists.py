# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""access_lists.py: entry normalisation to and from the API, the set comparison (examples and hypothesis properties), the calls
over HTTP, and every recorded accessList answer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import json

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import (
    access_list_key,
    access_list_path,
    entry_from_api,
    entry_to_api,
    needs_update,
    normalize_access_list_entry,
    plan_access_list,
    public,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import (
    Reply,
    api_error,
    recorded_names,
    recorded_reply,
    recording,
)

NOW = datetime.datetime(2026, 11, 26, 12, 0, 0, tzinfo=datetime.timezone.utc)
ipv4_addresses = st.integers(min_value=0, max_value=2 ** 32 - 1).map(ipaddress.IPv4Address)
GROUP = "5e2211c17a3e5a48f5497de3"


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


# -- normalisation ------------------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(ipv4_addresses)
def test_single_address_equals_its_slash_32(address):
    plain = normalize_access_list_entry({"ip_address": str(address)})
    slash = normalize_access_list_entry({"cidr_block": "%s/32" % address})
    assert plain == slash
    assert plain["key"] == "%s/32" % address
    assert access_list_key(str(address)) == plain["key"]


@settings(max_examples=200, deadline=None)
@given(ipv4_addresses, st.integers(min_value=0, max_value=31), st.text(max_size=80))
def test_access_list_entries_survive_the_api_round_trip(address, prefix, comment):
    entry = normalize_access_list_entry({"cidr_block": "%s/%d" % (address, prefix), "comment": comment})
    body = entry_to_api(entry)
    assert entry_from_api(body) == entry
    assert entry["cidr_block"] == str(ipaddress.ip_network("%s/%d" % (address, prefix), strict=False))


def test_access_list_entry_rules():
    sg = normalize_access_list_entry({"aws_security_group": "sg-903004f8", "comment": "app"})
    assert sg == dict(key="sg-903004f8", cidr_block=None, ip_address=None, aws_security_group="sg-903004f8", comment="app",
                      delete_after_date=None)
    assert entry_to_api(sg) == {"awsSecurityGroup": "sg-903004f8", "comment": "app"}
    wide = normalize_access_list_entry({"cidr_block": "10.1.2.3/16"})
    assert wide["key"] == wide["cidr_block"] == "10.1.0.0/16" and wide["ip_address"] is None
    host = normalize_access_list_entry({"ip_address": "203.0.113.5"})
    assert entry_to_api(host) == {"ipAddress": "203.0.113.5"}
    assert normalize_access_list_entry({"ip_address": "2001:db8::1"})["key"] == "2001:db8::1/128"

    with pytest.raises(ValueError, match="exactly one of"):
        normalize_access_list_entry({"ip_address": "1.2.3.4", "cidr_block": "1.2.3.4/32"})
    with pytest.raises(ValueError, match="exactly one of"):
        normalize_access_list_entry({"comment": "nothing"})
    with pytest.raises(ValueError, match="81 characters"):
        normalize_access_list_entry({"ip_address": "1.2.3.4", "comment": "x" * 81})
    with pytest.raises(ValueError, match="use cidr_block"):
        normalize_access_list_entry({"ip_address": "10.0.0.0/16"})
    with pytest.raises(ValueError, match="security group entry"):
        normalize_access_list_entry({"aws_security_group": "sg-903004f8", "delete_after_date": "2026-11-27T00:00:00Z"}, now=NOW)


@pytest.mark.parametrize("value, expected", [
    ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z"),
    ("2026-11-27T12:00:00+02:00", "2026-11-27T10:00:00Z"),
    ("2026-11-27T10:00:00", "2026-11-27T10:00:00Z"),
    ("2026-12-03T12:00:00Z", "2026-12-03T12:00:00Z"),  # exactly 7 days
    (datetime.datetime(2026, 11, 26, 13, 0, tzinfo=datetime.timezone.utc), "2026-11-26T13:00:00Z"),
])
def test_delete_after_date_accepted(value, expected):
    assert validators.delete_after_date(value, now=NOW) == expected
    entry = normalize_access_list_entry({"ip_address": "1.2.3.4", "delete_after_date": value}, now=NOW)
    assert entry["delete_after_date"] == expected
    assert entry_to_api(entry)["deleteAfterDate"] == expected


def test_entries_read_back_from_atlas_compare_equal_to_what_was_asked():
    asked = normalize_access_list_entry({"ip_address": "203.0.113.5", "comment": "ci"})
    listed = entry_from_api({"cidrBlock": "203.0.113.5/32", "ipAddress": "203.0.113.5", "comment": "ci",
                             "groupId": "5e2211c17a3e5a48f5497de3", "links": []})
    assert listed == asked
    expired = entry_from_api({"ipAddress": "203.0.113.6", "deleteAfterDate": "2020-01-01T00:00:00Z"})
    assert expired["delete_after_date"] == "2020-01-01T00:00:00Z"  # read-back never fails on a past date


# -- the calls over HTTP ---------------------------------------------------------------------------------------------------
def test_add_posts_one_array_and_says_when_to_read_again(atlas, make_client):
    client = make_client()
    entries = [normalize_access_list_entry({"ip_address": "198.51.100.1", "comment": "office"}),
               normalize_access_list_entry({"cidr_block": "10.20.0.0/16"})]
    atlas.add(Reply(201, {"results": [], "totalCount": 0}))
    assert access_lists.add(client, GROUP, entries) is True
    posted = atlas.api_requests()[-1]
    assert posted["path"] == "/api/atlas/v2/groups/%s/accessList" % GROUP
    assert json.loads(posted["body"]) == [{"ipAddress": "198.51.100.1", "comment": "office"}, {"cidrBlock": "10.20.0.0/16"}]
    atlas.add(api_error(409, "CONFLICT", "another writer"))
    assert access_lists.add(client, GROUP, entries) is False, "a concurrent writer: read again, then post what is missing"
    atlas.add(Reply(action="drop"))
    assert access_lists.add(client, GROUP, entries) is False, "a lost answer: read again (POST is an upsert)"
    assert len([e for e in atlas.api_requests() if e["method"] == "POST"]) == 3, "never re-sent by the client itself"


def test_add_failures_say_what_was_added(atlas, make_client):
    atlas.add(api_error(400, "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION", "Cannot use aws security groups."))
    with pytest.raises(AtlasApiError) as caught:
        access_lists.add(make_client(), GROUP, [normalize_access_list_entry({"aws_security_group": "sg-903004f8"})])
    assert caught.value.doing == "add 1 entry to the project's IP access list"
    assert "request the peering first" in str(caught.value)


def test_delete_and_status_use_the_quoted_entry(atlas, make_client):
    client = make_client()
    atlas.add(Reply(204, None), Reply(200, {"STATUS": "PENDING"}))
    assert access_lists.delete(client, GROUP, "10.0.0.0/16") is True
    assert access_lists.status(client, GROUP, "10.0.0.0/16") == "PENDING"
    assert [e["path"] for e in atlas.api_requests()] == ["/api/atlas/v2/groups/%s/accessList/10.0.0.0%%2F16" % GROUP,
                                                         "/api/atlas/v2/groups/%s/accessList/10.0.0.0%%2F16/status" % GROUP]
    assert access_lists.delete(client, GROUP, "10.9.0.0/16") is False, "gone already (404) is what was wanted"


def test_list_entries_reads_every_page_and_normalises(atlas, make_client):
    listed = [{"cidrBlock": "10.%d.0.0/16" % i} for i in range(3)] + [{"ipAddress": "203.0.113.5", "cidrBlock": "203.0.113.5/32"}]
    atlas.route("GET", "/groups/%s/accessList" % GROUP, {"results": listed, "totalCount": 4})
    entries = access_lists.list_entries(make_client(), GROUP)
    assert [e["key"] for e in entries] == ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "203.0.113.5/32"]
    assert entries[3]["ip_address"] == "203.0.113.5"


# -- every recorded accessList answer ---------------------------------------------------------------------------------------
def _asked(name):
    return [entry_from_api(entry) for entry in recording(name)["request_body"]]


@pytest.mark.parametrize("name", [n for n in recorded_names("accessList-create-") if recording(n)["status"] < 400])
def test_recorded_additions_201_are_taken_and_read_back_as_asked(atlas, make_client, name):
    answer = recording(name)
    assert answer["status"] == 201 and "charset=utf-8" in answer["response_headers"]["Content-Type"]
    asked = _asked(name)
    atlas.add(recorded_reply(name))
    assert access_lists.add(make_client(), GROUP, asked) is True
    sent = json.loads(atlas.api_requests()[-1]["body"])
    assert sent == [dict((k, v) for k, v in entry.items() if k != "groupId") for entry in answer["request_body"]]
    listed = [entry_from_api(entry) for entry in answer["response_body"]["results"]]
    plan = plan_access_list(listed, asked, "present", purge=False)
    assert plan["added"] == plan["updated"] == [], "the <ip>/32 cidrBlock and the echoed deleteAfterDate are the entry asked for"


@pytest.mark.parametrize("name", recorded_names("accessList-delete-"))
def test_recorded_deletions_204_with_a_content_type(atlas, make_client, name):
    answer = recording(name)
    assert answer["status"] == 204 and answer["response_body"] is None
    atlas.add(recorded_reply(name))
    entry = answer["path"].rsplit("/", 1)[1]
    assert access_lists.delete(make_client(), GROUP, access_list_key(entry)) is True
    assert atlas.api_requests()[-1]["path"].endswith("/accessList/%s%%2F32" % entry)


@pytest.mark.parametrize("name", recorded_names("accessList-list-"))
def test_recorded_lists_parse_to_their_entries(atlas, make_client, name):
    answer = recording(name)
    atlas.add(recorded_reply(name))
    entries = access_lists.list_entries(make_client(), GROUP)
    results = answer["response_body"]["results"]
    assert len(entries) == answer["response_body"]["totalCount"] == len(results)
    for entry, raw in zip(entries, results):
        assert entry["key"] == raw["cidrBlock"] and entry["ip_address"] == raw["ipAddress"] and entry["comment"] == raw["comment"]
    assert len(atlas.api_requests()) == 1, "totalCount says there is no second page"


def test_recorded_entry_and_its_self_link_name_the_same_key():
    answer = recording("accessList-get-1.json")
    entry = entry_from_api(answer["response_body"])
    assert entry == normalize_access_list_entry({"ip_address": "192.168.0.243", "comment": "test"})
    self_link = answer["response_body"]["links"][0]["href"]
    assert self_link.endswith(access_list_path(answer["response_body"]["groupId"], entry["key"]))
