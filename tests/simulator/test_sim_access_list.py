"""The project IP access list: POST is an upsert of an array, `1.2.3.4` == `1.2.3.4/32`, URL-encoded CIDRs in paths,
PENDING -> ACTIVE, expiry rules."""

import datetime
import time

import pytest

from simulator_helpers import assert_error
from support.atlas import recorded


def later(**delta):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def listed(api, gid):
    return api.get(f"/groups/{gid}/accessList").json()["results"]


def test_post_returns_the_whole_list_and_is_an_upsert(api, gid, atlas_env):
    first = api.post(f"/groups/{gid}/accessList", json=[{"cidrBlock": "10.20.0.0/16", "comment": "app vpc"}])
    assert first.status_code == recorded("accessList-create-1.json")["status"] == 201
    body = first.json()
    assert body["totalCount"] == 1
    entry = body["results"][0]
    assert entry["cidrBlock"] == "10.20.0.0/16" and entry["comment"] == "app vpc" and entry["groupId"] == gid
    assert "ipAddress" not in entry
    assert entry["links"][0]["href"].endswith(f"/groups/{gid}/accessList/10.20.0.0%2F16")
    again = api.post(f"/groups/{gid}/accessList", json=[{"cidrBlock": "10.20.0.0/16", "comment": "app vpc"}]).json()
    assert again["results"] == body["results"]
    renamed = api.post(f"/groups/{gid}/accessList", json=[{"cidrBlock": "10.20.0.0/16", "comment": "renamed"}]).json()
    assert renamed["totalCount"] == 1 and renamed["results"][0]["comment"] == "renamed"
    kept = api.post(f"/groups/{gid}/accessList", json=[{"cidrBlock": "10.20.0.0/16"}]).json()
    assert kept["results"][0]["comment"] == "renamed"


def test_bare_ip_and_slash_32_are_one_entry(api, gid):
    api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4", "comment": "one"}])
    both = api.post(f"/groups/{gid}/accessList", json=[{"cidrBlock": "1.2.3.4/32", "comment": "one"}]).json()
    assert both["totalCount"] == 1
    expected = {"cidrBlock": "1.2.3.4/32", "comment": "one", "groupId": gid, "ipAddress": "1.2.3.4"}
    assert {k: v for k, v in both["results"][0].items() if k != "links"} == expected
    for value in ("1.2.3.4", "1.2.3.4%2F32", "1.2.3.4%2f32"):
        assert api.get(f"/groups/{gid}/accessList/{value}").json()["ipAddress"] == "1.2.3.4"
    assert api.delete(f"/groups/{gid}/accessList/1.2.3.4%2f32").status_code == 204
    assert listed(api, gid) == []


@pytest.mark.parametrize("encoded", ["10.20.0.0%2F16", "10.20.0.0%2f16"])
def test_get_status_delete_with_url_encoded_cidr(api, gid, encoded):
    api.post(f"/groups/{gid}/accessList", json=[{"cidrBlock": "10.20.0.0/16"}])
    assert api.get(f"/groups/{gid}/accessList/{encoded}").json()["cidrBlock"] == "10.20.0.0/16"
    assert api.get(f"/groups/{gid}/accessList/{encoded}/status").json() == {"STATUS": "ACTIVE"}
    assert api.delete(f"/groups/{gid}/accessList/{encoded}").status_code == 204
    body = assert_error(api.get(f"/groups/{gid}/accessList/{encoded}"), 404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND", ["10.20.0.0/16", gid])
    assert body["detail"] == f"IP Address 10.20.0.0/16 not on Atlas access list for group {gid}."
    assert_error(api.get(f"/groups/{gid}/accessList/{encoded}/status"), 404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND")
    assert_error(api.delete(f"/groups/{gid}/accessList/{encoded}"), 404, "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND")


def test_entries_go_pending_then_active(api, gid, atlas_env):
    atlas_env["sim"].config(access_list_delay=1.0)
    api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "5.6.7.8"}])
    assert api.get(f"/groups/{gid}/accessList/5.6.7.8/status").json() == {"STATUS": "PENDING"}
    time.sleep(1.1)
    assert api.get(f"/groups/{gid}/accessList/5.6.7.8/status").json() == {"STATUS": "ACTIVE"}


@pytest.mark.parametrize("entries, code, parameters", [
    ([{"comment": "nothing"}], "MISSING_ONE_OF_THREE_ATTRIBUTES", ["cidrBlock", "ipAddress", "awsSecurityGroup"]),
    ([{"ipAddress": "1.2.3.4", "cidrBlock": "1.2.3.4/32"}], "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY", []),
    ([{"ipAddress": "1.2.3.999"}], "INVALID_IP_ADDRESS_OR_CIDR_NOTATION", ["1.2.3.999"]),
    ([{"cidrBlock": "10.0.0.0/33"}], "INVALID_CIDR_BLOCK", ["10.0.0.0/33"]),
    ([{"cidrBlock": "10.0.0.1/16"}], "INVALID_CIDR_BLOCK", ["10.0.0.1/16"]),
    ([{"ipAddress": "1.2.3.4", "comment": "x" * 81}], "INVALID_NETWORK_PERMISSION_COMMENT", ["x" * 81]),
    ([{"ipAddress": "1.2.3.4"}, {"cidrBlock": "1.2.3.4/32"}], "DUPLICATE_ADDRESSES_IN_INPUT", ["1.2.3.4"]),
    ([{"cidrBlock": "10.0.0.0/16", "deleteAfterDate": later(days=1)}], "NETWORK_PERMISSION_EXPIRATION_NOT_SUPPORTED", []),
    ([{"ipAddress": "1.2.3.4", "deleteAfterDate": later(days=-1)}], "EXPIRATION_DATE_IN_PAST", []),
    ([{"ipAddress": "1.2.3.4", "deleteAfterDate": later(days=8)}], "EXPIRATION_DATE_EXCEEDS_MAX", [7]),
    ([{"awsSecurityGroup": "sg-0123abcd"}], "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION", []),
    ({"ipAddress": "1.2.3.4"}, "INVALID_JSON", []),
])
def test_entries_are_validated_like_atlas_and_nothing_is_half_stored(api, gid, entries, code, parameters):
    if isinstance(entries, list):
        entries = [{"ipAddress": "9.9.9.9"}] + entries
    assert_error(api.post(f"/groups/{gid}/accessList", json=entries), 400, code, parameters)
    assert listed(api, gid) == []


def test_exactly_80_character_comment_and_expiring_ip(api, gid):
    answer = api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4", "comment": "c" * 80, "deleteAfterDate": later(days=6)}])
    assert answer.status_code == 201  # recorded: accessList-create-2.json
    entry = answer.json()["results"][0]
    assert entry["comment"] == "c" * 80 and entry["deleteAfterDate"].endswith("Z")


def test_expired_entries_disappear(api, gid):
    # The date is cut to whole seconds, so it lies 1 to 2 s ahead: far enough not to be in the past on arrival.
    answer = api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4", "deleteAfterDate": later(seconds=2)}, {"ipAddress": "4.3.2.1"}])
    assert answer.json()["totalCount"] == 2
    time.sleep(2.1)
    assert [e["ipAddress"] for e in listed(api, gid)] == ["4.3.2.1"]


def test_list_pagination(api, gid):
    api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": f"10.0.0.{n}"} for n in range(1, 8)])
    page = api.get(f"/groups/{gid}/accessList", params={"itemsPerPage": 3, "pageNum": 3}).json()
    assert page["totalCount"] == 7 and [e["ipAddress"] for e in page["results"]] == ["10.0.0.7"]
    post_page = api.post(f"/groups/{gid}/accessList", params={"itemsPerPage": 2}, json=[{"ipAddress": "10.0.0.1"}]).json()
    assert post_page["totalCount"] == 7 and len(post_page["results"]) == 2
