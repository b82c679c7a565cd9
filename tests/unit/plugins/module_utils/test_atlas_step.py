# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_step: the Atlas step of a vpc_peering plan against fake_atlas over HTTP: the access list's retries on 409, a FAILED
peering requested again only once the old one is gone, a container still in use left in place (the action plugin's own tests
cover the common case: tests/unit/plugins/action/test_vpc_peering_atlas.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import atlas_step
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply, api_error

GROUP = "5e2211c17a3e5a48f5497de3"
API = "/api/atlas/v2/groups/" + GROUP
CONTAINER = "5e57d85c854180642f7844bf"
OLD_PEER = "5f0123456789abcdef012345"
NEW_PEER = "5f0123456789abcdef0123ff"


class Ended(Exception):
    def __init__(self, result):
        super(Ended, self).__init__()
        self.result = result


class StepModule:
    """What atlas_step.apply needs of a module; exit_json and fail_json end the step with its result."""

    def __init__(self, client, vpcs):
        self.client = client
        self.project_id = GROUP
        self.params = dict(vpcs=vpcs, wait_timeout=30, poll_interval=0.01)

    def fail_json(self, msg, **result):
        raise Ended(dict(result, failed=True, msg=msg))

    def exit_json(self, **result):
        raise Ended(result)

    def fail_on_error(self, exc, doing=None, **result):
        raise Ended(dict(result, failed=True, msg="Failed to %s: %s" % (doing, exc)))


def apply(client, vpcs):
    with pytest.raises(Ended) as ended:
        atlas_step.apply(StepModule(client, [dict(dict(access_list=[], access_list_remove=[]), **vpc) for vpc in vpcs]))
    return ended.value.result


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(atlas_step.time, "sleep", lambda seconds: None)


def _conflict():
    return api_error(409, "ATLAS_NETWORK_PERMISSION_ENTRY_CONCURRENT_MODIFICATION", "Another operation is modifying the access list.")


def _posts(atlas, suffix):
    return [entry for entry in atlas.api_requests() if entry["method"] == "POST" and entry["path"].endswith(suffix)]


def test_the_entries_are_posted_again_after_a_conflict(atlas, make_client):
    atlas.add(_conflict())
    atlas.route("POST", "/groups/%s/accessList" % GROUP, {"results": []}, status=201)
    result = apply(make_client(), [dict(name="app", access_list=[{"cidr_block": "10.1.0.0/16"}]),
                                   dict(name="api", access_list=[{"cidr_block": "10.2.0.0/16"}, {"cidr_block": "10.1.0.0/16"}])])
    assert not result.get("failed") and result["changed"] is True, result
    assert result["vpcs"]["app"]["entries"] == ["10.1.0.0/16"] and sorted(result["vpcs"]["api"]["entries"]) == ["10.1.0.0/16", "10.2.0.0/16"]
    posts = _posts(atlas, "/accessList")
    # The same one request twice: every entry of the project once (10.1.0.0/16 is wanted by both VPCs).
    assert len(posts) == 2 and posts[0]["body"] == posts[1]["body"], posts
    assert sorted(entry["cidrBlock"] for entry in json.loads(posts[1]["body"])) == ["10.1.0.0/16", "10.2.0.0/16"]


def test_conflicts_at_every_attempt_fail_each_vpc_that_wanted_an_entry(atlas, make_client):
    atlas.add(*[_conflict() for _attempt in range(atlas_step.ACCESS_LIST_ATTEMPTS)])
    result = apply(make_client(), [dict(name="app", access_list=[{"cidr_block": "10.1.0.0/16"}]), dict(name="other")])
    assert result["failed"] is True and result["changed"] is False, result
    assert result["msg"].startswith("app: Failed to add 10.1.0.0/16 to the project's IP access list: Could not add 10.1.0.0/16"), result["msg"]
    assert "in %d attempts" % atlas_step.ACCESS_LIST_ATTEMPTS in result["msg"] and "throttle: 1" in result["msg"]
    assert result["vpcs"]["other"]["error"] is None
    assert len(_posts(atlas, "/accessList")) == atlas_step.ACCESS_LIST_ATTEMPTS


def test_a_failed_peering_is_requested_again_only_once_the_old_one_is_gone(atlas, make_client):
    atlas.route("DELETE", "/groups/%s/peers/%s" % (GROUP, OLD_PEER), {}, status=202)
    # Atlas still shows the old peering TERMINATING at the first read, then no more.
    old = ("GET", "%s/peers/%s" % (API, OLD_PEER))
    atlas.add(Reply(200, {"id": OLD_PEER, "statusName": "TERMINATING"}, match=old))
    gone = api_error(404, "PEER_NOT_FOUND", "Peer %s not found." % OLD_PEER)
    gone.match = old
    atlas.add(gone)
    created = {"id": NEW_PEER, "statusName": "INITIATING", "containerId": CONTAINER, "vpcId": "vpc-0a1b2c3d"}
    atlas.route("POST", "/groups/%s/peers" % GROUP, created, status=201)
    peering = dict(request="recreate", id=OLD_PEER, container_id=CONTAINER, vpc_id="vpc-0a1b2c3d", aws_account_id="123456789012",
                   route_table_cidr_block="10.1.0.0/16", accepter_region="us-east-1")
    result = apply(make_client(), [dict(name="app", peering=peering)])
    assert not result.get("failed") and result["changed"] is True and result["vpcs"]["app"]["peering"]["id"] == NEW_PEER, result
    calls = [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in atlas.api_requests()]
    assert calls[0] == ("DELETE", OLD_PEER) and calls[-1] == ("POST", "peers"), calls
    assert calls[1:-1] == [("GET", OLD_PEER), ("GET", OLD_PEER)], "the new request went out before the old peering was gone: %s" % calls


def test_a_container_still_in_use_stays_and_a_missing_one_is_gone(atlas, make_client):
    atlas.route("GET", "/groups/%s/containers" % GROUP, {"results": [{"id": CONTAINER, "regionName": "US_EAST_1", "providerName": "AWS",
                                                                      "atlasCidrBlock": "192.168.248.0/21"}], "totalCount": 1})
    in_use = api_error(409, "CONTAINERS_IN_USE", "Cannot delete container %s: it is in use." % CONTAINER)
    in_use.match = ("DELETE", "%s/containers/%s" % (API, CONTAINER))
    atlas.add(in_use)
    result = apply(make_client(), [dict(name="app", remove_container="us-east-1"), dict(name="west", remove_container="us-west-2")])
    assert not result.get("failed") and result["changed"] is False, result
    assert result["containers"] == {"US_EAST_1": "in use", "US_WEST_2": "gone"}, result
