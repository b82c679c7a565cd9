# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering_atlas action plugin: the Atlas step of a plan, on the controller, against fake_atlas over HTTP (the role's
use of it is proven end to end in tests/e2e; the module_utils it calls have their own unit tests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_atlas
from ansible_collections.cloudwire.atlas.plugins.module_utils import atlas_step
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import NO_CREDENTIALS
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_atlas as documentation
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import (
    GROUP,
    atlas_connection as _connection,
    documented_and_taken,
    run_action,
)
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import api_error

CONTAINER = "5e57d85c854180642f7844bf"


def step(check_mode=False, **args):
    return run_action(vpc_peering_atlas, check_mode=check_mode, **args)


def _peering(vpc_id, cidr):
    return dict(request="create", vpc_id=vpc_id, aws_account_id="123456789012", route_table_cidr_block=cidr, accepter_region="us-east-1")


def _answer_peering(entry):
    body = json.loads(entry["body"])
    return dict(id="6%023x" % len(body["vpcId"]), statusName="INITIATING", connectionId=None, containerId=body["containerId"],
                vpcId=body["vpcId"])


def test_the_container_every_entry_in_one_request_then_each_peering(atlas):
    created = dict(id=CONTAINER, regionName="US_EAST_1", atlasCidrBlock="192.168.248.0/21", providerName="AWS")
    atlas.route("POST", "/groups/%s/containers" % GROUP, created, status=201)
    atlas.route("POST", "/groups/%s/accessList" % GROUP, {"results": []}, status=201)
    atlas.route("POST", "/groups/%s/peers" % GROUP, _answer_peering, status=201)
    container = dict(region="us-east-1", atlas_cidr_block="192.168.248.0/21")
    before = time.time()
    result = step(**_connection(atlas, vpcs=[
        dict(name="app", container=container, peering=_peering("vpc-0a1b2c3d", "10.1.0.0/16"), access_list=[{"cidr_block": "10.1.0.0/16"}]),
        dict(name="api", container=container, peering=_peering("vpc-0e5f6a7b8c", "10.2.0.0/16"), access_list=[{"cidr_block": "10.2.0.0/16"}]),
    ]))
    assert not result.get("failed") and result["changed"] is True, result
    for name, vpc_id, cidr in (("app", "vpc-0a1b2c3d", "10.1.0.0/16"), ("api", "vpc-0e5f6a7b8c", "10.2.0.0/16")):
        mine = result["vpcs"][name]
        assert mine["changed"] and mine["error"] is None and mine["container_id"] == CONTAINER, mine
        # The peering went into the container the same step created (the plan had no id for it).
        assert mine["peering"]["container_id"] == CONTAINER and mine["peering"]["vpc_id"] == vpc_id and mine["entries"] == [cidr], mine
        # When Atlas took the request: the wait for the pcx- id polls one interval after it.
        assert before <= mine["requested_at"] <= time.time(), mine
    writes = [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in atlas.api_requests()]
    assert writes == [("POST", "containers"), ("POST", "accessList"), ("POST", "peers"), ("POST", "peers")], writes
    posted = json.loads(next(e for e in atlas.api_requests() if e["path"].endswith("/accessList"))["body"])
    assert sorted(entry["cidrBlock"] for entry in posted) == ["10.1.0.0/16", "10.2.0.0/16"], posted
    assert len([entry for entry in atlas.log if not entry["authenticated"]]) == 1, "one digest challenge for the whole step"
    assert result["api_calls"], result
    assert atlas.private_key not in json.dumps(result)


def test_a_refused_peering_fails_its_vpc_after_the_others_are_done(atlas):
    atlas.route("POST", "/groups/%s/accessList" % GROUP, {"results": []}, status=201)
    atlas.add(api_error(400, "INVALID_ATTRIBUTE", "Invalid attribute vpcId specified.", ["vpcId"]))
    atlas.route("POST", "/groups/%s/peers" % GROUP, _answer_peering, status=201)
    first, second = _peering("vpc-0a1b2c3d", "10.1.0.0/16"), _peering("vpc-0e5f6a7b8c", "10.2.0.0/16")
    first["container_id"] = second["container_id"] = CONTAINER
    result = step(**_connection(atlas, vpcs=[dict(name="app", peering=first), dict(name="api", peering=second)]))
    assert result["failed"] is True and result["changed"] is True, result
    assert result["msg"].startswith("app: Failed to request the network peering to vpc-0a1b2c3d in account 123456789012: "), result["msg"]
    assert "INVALID_ATTRIBUTE" in result["msg"] and "api:" not in result["msg"], result["msg"]
    assert result["vpcs"]["app"]["error"] and result["vpcs"]["api"]["error"] is None and result["vpcs"]["api"]["peering"], result


def test_bad_input_fails_naming_the_field_before_any_request(atlas):
    bad_entry = step(**_connection(atlas, vpcs=[dict(name="app", access_list=[{"cidr_block": "10.0.0.0/33"}])]))
    assert bad_entry["failed"] is True and "vpcs[0].access_list[0]" in bad_entry["msg"] and "10.0.0.0/33" in bad_entry["msg"], bad_entry
    no_vpc = step(**_connection(atlas, vpcs=[dict(name="app", peering=dict(request="create"))]))
    assert no_vpc["failed"] is True and "vpc_id" in no_vpc["msg"], no_vpc
    wrong_request = step(**_connection(atlas, vpcs=[dict(name="app", peering=dict(_peering("vpc-0a1b2c3d", "10.1.0.0/16"), request="again"))]))
    assert wrong_request["failed"] is True and "request" in wrong_request["msg"] and "again" in wrong_request["msg"], wrong_request
    not_an_id = _connection(atlas, vpcs=[dict(name="app", access_list_remove=["10.1.0.0/16"])])
    not_an_id["project_id"] = "dev"
    bad_project = step(**not_an_id)
    assert bad_project["failed"] is True and "project_id" in bad_project["msg"] and "'dev'" in bad_project["msg"], bad_project
    no_pause = step(**_connection(atlas, vpcs=[dict(name="app")], poll_interval=0))
    assert no_pause["failed"] is True and no_pause["msg"] == "Invalid poll_interval 0.0: must be more than 0 seconds", no_pause
    past = step(**_connection(atlas, vpcs=[dict(name="app")], wait_timeout=-1))
    assert past["failed"] is True and past["msg"] == "Invalid wait_timeout -1: must be 0 or more seconds", past
    no_key = step(vpcs=[dict(name="app")], project_id=GROUP, base_url=atlas.url)
    assert no_key == dict(failed=True, msg=NO_CREDENTIALS)
    assert atlas.log == []


def test_check_mode_skips_without_a_request(atlas):
    result = step(check_mode=True, **_connection(atlas, vpcs=[dict(name="app", access_list=[{"cidr_block": "10.1.0.0/16"}])]))
    assert result["skipped"] is True and not result.get("changed"), result
    assert atlas.log == []


def test_the_credentials_from_the_controller_environment(atlas, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_KEY", atlas.public_key)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_KEY", atlas.private_key)
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", atlas.url)
    result = step(project_id=GROUP, vpcs=[dict(name="app", access_list_remove=["10.1.0.0/16"])])
    # DELETE of an entry that is not there: nothing to do, and no failure.
    assert not result.get("failed") and result["changed"] is False and result["vpcs"]["app"]["entries"] == ["10.1.0.0/16"], result
    assert [(e["method"], e["path"]) for e in atlas.api_requests()] == [
        ("DELETE", "/api/atlas/v2/groups/%s/accessList/10.1.0.0%%2F16" % GROUP)], atlas.api_requests()


def test_the_documented_options_are_the_options_it_takes():
    documented, taken = documented_and_taken(documentation, atlas_step.argument_spec())
    assert documented == taken
