# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/routes.py (vpc_peering_routes): what each route table needs for one destination (the writes are covered end
to end in tests/e2e)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import plan, route_summary

ATLAS = "192.168.248.0/21"
PCX = "pcx-0123456789abcdef0"
LOCAL = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active", "Origin": "CreateRouteTable"}
DEFAULT = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0abc", "State": "active", "Origin": "CreateRoute"}


def table(*routes):
    return {"RouteTableId": "rtb-0a", "Routes": [LOCAL, DEFAULT] + list(routes)}


def to_atlas(target_key, target, state="active"):
    return {"DestinationCidrBlock": ATLAS, target_key: target, "State": state, "Origin": "CreateRoute"}


def test_a_missing_route_is_created():
    assert plan(table(), ATLAS, PCX, "present") == ("create", "route rtb-0a: missing")


def test_the_right_active_route_needs_nothing():
    assert plan(table(to_atlas("VpcPeeringConnectionId", PCX)), ATLAS, PCX, "present") == (None, None)


def test_a_blackholed_route_is_replaced_even_through_the_same_pcx():
    action, line = plan(table(to_atlas("VpcPeeringConnectionId", PCX, "blackhole")), ATLAS, PCX, "present")
    assert action == "replace" and line == "route rtb-0a: blackhole via %s" % PCX


def test_a_route_through_another_target_is_replaced():
    action, line = plan(table(to_atlas("VpcPeeringConnectionId", "pcx-old")), ATLAS, PCX, "present")
    assert action == "replace" and line == "route rtb-0a: target pcx-old instead of %s" % PCX
    action, line = plan(table(to_atlas("GatewayId", "igw-1")), ATLAS, PCX, "present")
    assert action == "replace" and "target igw-1" in line


def test_absent_deletes_only_a_route_through_a_peering():
    assert plan(table(to_atlas("VpcPeeringConnectionId", "pcx-old")), ATLAS, None, "absent") == ("delete", "route rtb-0a: present")
    # Someone else's route to the same CIDR (a gateway, not a peering) is not ours to remove.
    assert plan(table(to_atlas("GatewayId", "vgw-1")), ATLAS, None, "absent") == (None, None)
    assert plan(table(), ATLAS, None, "absent") == (None, None)


def test_other_routes_are_never_planned():
    assert plan(table(to_atlas("VpcPeeringConnectionId", PCX)), "10.0.0.0/16", PCX, "absent") == (None, None)


def test_route_summary_names_the_target_and_state():
    assert route_summary(None) is None
    assert route_summary(DEFAULT) == {"target": "nat-0abc", "state": "active"}
    assert route_summary(to_atlas("VpcPeeringConnectionId", PCX, "blackhole")) == {"target": PCX, "state": "blackhole"}
