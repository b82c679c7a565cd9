# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""containers.py (owned by the modules part): result shape, region lookup, CIDR equality and the lock rule."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import (
    atlas_to_aws_region,
    cidr_lock_reason,
    container_path,
    container_result,
    find_container,
    list_aws_containers,
    peerings_in_container,
    same_cidr,
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
    assert list_aws_containers(client, "f" * 24) == [UNPROVISIONED]
    assert client.calls == [("/groups/%s/containers" % ("f" * 24), {"providerName": "AWS"})]
    assert container_path("f" * 24, "c" * 24) == "/groups/%s/containers/%s" % ("f" * 24, "c" * 24)
