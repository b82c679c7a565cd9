# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""containers.py: result shape, region lookup, CIDR equality, the lock rule, what state=present plans, the calls (a lost or
concurrent create), and every recorded containers answer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import containers
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import (
    atlas_to_aws_region,
    cidr_lock_reason,
    container_path,
    container_result,
    find_container,
    peerings_in_container,
    plan_container,
    request_body,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasOutcomeUnknown, AtlasStateError
from ansible_collections.cloudwire.atlas.plugins.module_utils.validators import same_cidr
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import (
    Reply,
    api_error,
    recorded_names,
    recorded_reply,
    recording,
)

UNPROVISIONED = {"atlasCidrBlock": "192.168.248.0/21", "id": "5e44" + "0" * 20, "providerName": "AWS", "provisioned": False,
                 "regionName": "US_EAST_1"}
PROVISIONED = {"atlasCidrBlock": "10.8.0.0/21", "id": "1112269b3bf99403840e8934", "provisioned": True, "regionName": "EU_WEST_1",
               "vpcId": "vpc-0b555d3b0d9cb783b"}


def test_result_has_both_region_forms_and_defaults():
    assert container_result(UNPROVISIONED) == {"id": UNPROVISIONED["id"], "atlas_cidr_block": "192.168.248.0/21", "region_name": "US_EAST_1",
                                               "aws_region": "us-east-1", "provider_name": "AWS", "provisioned": False, "vpc_id": None}
    # The legacy docs' example omits providerName.
    assert container_result(PROVISIONED)["provider_name"] == "AWS" and container_result(PROVISIONED)["vpc_id"] == "vpc-0b555d3b0d9cb783b"


def test_region_lookup_uses_the_atlas_form():
    assert find_container([UNPROVISIONED, PROVISIONED], "EU_WEST_1") is PROVISIONED
    assert find_container([UNPROVISIONED], "EU_WEST_1") is None
    assert atlas_to_aws_region("AP_SOUTHEAST_2") == "ap-southeast-2"
    assert atlas_to_aws_region("GLOBAL") is None and atlas_to_aws_region(None) is None


def test_cidr_equality_ignores_spelling_not_networks():
    assert same_cidr("10.8.0.0/21", " 10.8.0.0/21")
    assert not same_cidr("10.8.0.0/21", "10.8.0.0/22")
    assert same_cidr(None, None) and not same_cidr(None, "10.8.0.0/21")


def test_lock_reason_names_peerings_and_clusters():
    peers = [{"id": "b" * 24, "containerId": UNPROVISIONED["id"]}, {"id": "a" * 24, "containerId": "x"}]
    using = peerings_in_container(peers, UNPROVISIONED["id"])
    assert using == peers[:1]
    assert cidr_lock_reason(UNPROVISIONED, []) is None
    assert cidr_lock_reason(UNPROVISIONED, using) == "network peering connection(s) %s use it" % ("b" * 24)
    assert "provisioned" in cidr_lock_reason(PROVISIONED, [])


class ListingClient:
    def __init__(self, results):
        self.results = results
        self.calls = []

    def list_all(self, path, params=None):
        self.calls.append((path, params))
        return self.results


def test_listing_asks_for_aws_and_keeps_only_aws():
    client = ListingClient([UNPROVISIONED, dict(PROVISIONED, providerName="AZURE")])
    assert containers.list_aws(client, "f" * 24) == [UNPROVISIONED]
    assert client.calls == [("/groups/%s/containers" % ("f" * 24), {"providerName": "AWS"})]
    assert container_path("f" * 24, "c" * 24) == "/groups/%s/containers/%s" % ("f" * 24, "c" * 24)


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
    assert containers.create(client, "f" * 24, request_body("US_EAST_1", "192.168.248.0/21")) is EXISTING
    assert client.calls == ["POST", "GET"]


def test_a_lost_create_that_did_not_arrive_is_sent_once_more():
    client = ScriptedClient(posts=[lost(), EXISTING], lists=[[]])
    assert containers.create(client, "f" * 24, request_body("US_EAST_1", "192.168.248.0/21")) is EXISTING
    assert client.calls == ["POST", "GET", "POST"]


def test_two_lost_answers_fail_saying_so():
    client = ScriptedClient(posts=[lost(), lost()], lists=[[], []])
    with pytest.raises(AtlasOutcomeUnknown) as caught:
        containers.create(client, "f" * 24, request_body("US_EAST_1", "192.168.248.0/21"))
    assert caught.value.doing == "create the AWS container in US_EAST_1 with CIDR 192.168.248.0/21"
    assert client.calls == ["POST", "GET", "POST", "GET"]


def already_exists():
    return AtlasApiError(409, error_code="CONTAINER_ALREADY_EXISTS", detail="A container already exists for group x.", method="POST",
                         path="/groups/x/containers")


def test_a_container_another_run_created_with_the_wanted_cidr_is_adopted():
    client = ScriptedClient(posts=[already_exists()], lists=[[EXISTING]])
    assert containers.create(client, "f" * 24, request_body("US_EAST_1", "192.168.248.0/21")) is EXISTING


def test_a_container_another_run_created_with_another_cidr_fails_naming_both():
    client = ScriptedClient(posts=[already_exists()], lists=[[EXISTING]])
    with pytest.raises(AtlasStateError) as caught:
        containers.create(client, "f" * 24, request_body("US_EAST_1", "10.8.0.0/21"))
    assert "with CIDR 192.168.248.0/21 while this one wanted 10.8.0.0/21: use atlas_cidr_block=192.168.248.0/21" in str(caught.value)
    assert caught.value.result["container"] == container_result(EXISTING)
    assert caught.value.doing == "create the AWS container in US_EAST_1 with CIDR 10.8.0.0/21"


def test_already_exists_without_a_container_to_adopt_is_raised_as_atlas_said():
    client = ScriptedClient(posts=[already_exists()], lists=[[]])
    with pytest.raises(AtlasApiError, match="CONTAINER_ALREADY_EXISTS"):
        containers.create(client, "f" * 24, request_body("US_EAST_1", "10.8.0.0/21"))


def test_an_update_whose_answer_was_lost_is_confirmed_by_reading(atlas, make_client):
    group = "f" * 24
    updated = dict(EXISTING, atlasCidrBlock="10.8.0.0/22")
    atlas.add(Reply(action="drop", match=("PATCH", "/api/atlas/v2/groups/%s/containers/" % group)))
    atlas.route("GET", "/groups/%s/containers" % group, {"results": [updated], "totalCount": 1})
    assert containers.update(make_client(), group, EXISTING["id"], request_body("US_EAST_1", "10.8.0.0/22")) == updated
    assert [e["method"] for e in atlas.api_requests()] == ["PATCH", "GET"]


def test_delete_in_use_names_the_remedy(atlas, make_client):
    atlas.add(api_error(409, "CONTAINERS_IN_USE", "Cannot modify in use containers. The container is in use by peers.", []))
    with pytest.raises(AtlasApiError) as caught:
        containers.delete(make_client(), "f" * 24, EXISTING["id"])
    assert caught.value.doing == "delete the AWS container %s" % EXISTING["id"]
    assert "delete the peerings (atlas_vpc_peering state=absent)" in str(caught.value)
    assert containers.delete(make_client(), "f" * 24, EXISTING["id"]) is False, "404: gone already"


def test_get_is_none_for_an_unknown_id(atlas, make_client):
    atlas.add(api_error(404, "CLOUD_PROVIDER_CONTAINER_NOT_FOUND", "An invalid cloud provider container ID x was specified."))
    assert containers.get(make_client(), "f" * 24, "0123456789abcdef01234567") is None


# -- every recorded containers answer ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", recorded_names("containers-list-"))
def test_recorded_container_lists_read_as_aws_containers(atlas, make_client, name):
    answer = recording(name)
    body = answer["response_body"]
    raw = body if isinstance(body, list) else body["results"]
    atlas.add(recorded_reply(name))
    listed = containers.list_aws(make_client(), "f" * 24)
    assert listed == [c for c in raw if c["providerName"] == "AWS"], "Azure containers (region, vnetName) are never AWS ones"
    assert len(atlas.api_requests()) == 1
    for container in listed:
        result = container_result(container)
        assert result["provider_name"] == "AWS" and result["aws_region"] == atlas_to_aws_region(container["regionName"])
        assert result["vpc_id"] == container.get("vpcId"), "vpcId null (not provisioned) or absent reads as None"
        assert find_container(listed, container["regionName"]) is container


def test_recorded_unprovisioned_container_has_a_null_vpc_and_may_change_its_cidr():
    unprovisioned = recording("containers-list-7.json")["response_body"]["results"][1]
    assert "vpcId" in unprovisioned and unprovisioned["vpcId"] is None and unprovisioned["provisioned"] is False
    assert container_result(unprovisioned)["vpc_id"] is None
    assert cidr_lock_reason(unprovisioned, []) is None
    assert "provisioned" in cidr_lock_reason(recording("containers-list-7.json")["response_body"]["results"][0], [])


def test_a_lost_delete_is_sent_again_only_when_the_container_is_still_there(atlas, make_client):
    group = "f" * 24
    atlas.add(Reply(action="drop", match=("DELETE", "/api/atlas/v2/groups/%s/containers/" % group)))
    atlas.add(api_error(404, "CLOUD_PROVIDER_CONTAINER_NOT_FOUND", "An invalid cloud provider container ID was specified."))
    assert containers.delete(make_client(), group, EXISTING["id"]) is True
    assert [e["method"] for e in atlas.api_requests()] == ["DELETE", "GET"], "the read found it gone: the first DELETE did it"
