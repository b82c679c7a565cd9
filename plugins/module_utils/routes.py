# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one route to a peered CIDR in a VPC's route tables: which tables are in scope, and what a table needs.

Used by vpc_peering_routes (which writes) and vpc_peering_info (which only reads), so both judge a table alike.
Works on DescribeRouteTables answers; no Ansible or boto3 imports: unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def route_table_filters(vpc_id, route_table_ids=None, route_table_tags=None):
    """The DescribeRouteTables filters (as a dict for ansible_dict_to_boto3_filter_list) of the tables in scope."""
    filters = {"vpc-id": vpc_id}
    if route_table_ids:
        filters["route-table-id"] = list(route_table_ids)
    for key, value in (route_table_tags or {}).items():
        filters["tag:%s" % key] = str(value)
    return filters


_TARGET_KEYS = ("VpcPeeringConnectionId", "GatewayId", "NatGatewayId", "TransitGatewayId", "NetworkInterfaceId",
                "InstanceId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn")


def route_summary(route):
    """The route's target and state as the module reports them, or None."""
    if route is None:
        return None
    target = next((route[k] for k in _TARGET_KEYS if route.get(k)), None)
    return {"target": target, "state": route.get("State", "active")}


def find_route(table, destination):
    for route in table.get("Routes", []):
        if route.get("DestinationCidrBlock") == destination:
            return route
    return None


def plan(table, destination, pcx, state):
    """What to do with one table: (action, drift line) with action None, 'create', 'replace' or 'delete'."""
    rtb = table["RouteTableId"]
    route = find_route(table, destination)
    if state == "absent":
        if route is not None and route.get("VpcPeeringConnectionId"):
            return "delete", "route %s: present" % rtb
        return None, None
    if route is None:
        return "create", "route %s: missing" % rtb
    if route.get("State") == "blackhole":
        return "replace", "route %s: blackhole via %s" % (rtb, route_summary(route)["target"])
    if route.get("VpcPeeringConnectionId") != pcx:
        return "replace", "route %s: target %s instead of %s" % (rtb, route_summary(route)["target"], pcx)
    return None, None
