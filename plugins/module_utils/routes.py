# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one route to a peered CIDR in a VPC's route tables: which tables are in scope, and what a table needs.

Used by vpc_peering_plan (which reads and plans), vpc_peering_aws and vpc_peering_routes (which write), so all judge a table alike.
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


def in_scope(table, vpc_id, route_table_ids=None, route_table_tags=None):
    """Whether a DescribeRouteTables answer is in scope: the VPC's, one of route_table_ids (when given), with every tag."""
    if table.get("VpcId") != vpc_id:
        return False
    if route_table_ids and table.get("RouteTableId") not in route_table_ids:
        return False
    tags = dict((tag.get("Key"), tag.get("Value")) for tag in table.get("Tags") or [])
    return all(tags.get(key) == str(value) for key, value in (route_table_tags or {}).items())


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


def apply_route(client, route_table_id, destination, pcx, action):
    """Create, replace or delete the one route to ``destination`` with amazon.aws's EC2 helpers; True when it changed something.

    A route that appeared meanwhile is replaced and one that went meanwhile counts as deleted: a rerun after an interruption
    ends in the same state.
    """
    from ansible_collections.amazon.aws.plugins.module_utils.ec2 import create_route, delete_route, replace_route  # pylint: disable=import-outside-toplevel
    from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code  # pylint: disable=import-outside-toplevel

    if action == "delete":
        return bool(delete_route(client, route_table_id, DestinationCidrBlock=destination))
    if action == "create":
        try:
            return bool(create_route(client, route_table_id, DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx))
        except is_ansible_aws_error_code("RouteAlreadyExists"):
            pass  # made meanwhile (another run, or this one before an interruption): make it point at pcx
    return bool(replace_route(client, route_table_id, DestinationCidrBlock=destination, VpcPeeringConnectionId=pcx))


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
