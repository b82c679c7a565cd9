# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_container: what state=present plans for a region."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.modules.atlas_container import plan_container

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
