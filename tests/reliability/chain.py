"""The whole peering chain as module tasks in one play (container, peering request, accept on AWS, AVAILABLE, routes,
access list), and the checks that a run converged without duplicating anything on either side."""

from support.atlas import atlas_api
from support.aws import REGION, aws_client
from support.playbooks import run_tasks

ATLAS_CIDR = "192.168.248.0/21"
VPC_CIDR = "10.30.0.0/16"


def chain_tasks(rel, vpc_id, vpc_cidr=VPC_CIDR, atlas_cidr=ATLAS_CIDR):
    aws = {"group/amazon.aws.aws": {"endpoint_url": rel["aws_endpoint"], "region": REGION}}
    return [
        {"name": "container", "cloudwire.atlas.atlas_container": {"region": REGION, "atlas_cidr_block": atlas_cidr},
         "register": "container"},
        {"name": "peering request", "cloudwire.atlas.atlas_vpc_peering": {
            "container_id": "{{ container.container.id }}", "aws_account_id": rel["aws_account_id"], "vpc_id": vpc_id,
            "route_table_cidr_block": vpc_cidr, "accepter_region": REGION, "wait_for": "connection", "wait_timeout": 120},
         "register": "peering"},
        {"name": "accept", "amazon.aws.ec2_vpc_peering": {"peering_id": "{{ peering.peering.connection_id }}", "state": "accept"},
         "module_defaults": aws},
        {"name": "available", "cloudwire.atlas.atlas_vpc_peering": {
            "container_id": "{{ container.container.id }}", "aws_account_id": rel["aws_account_id"], "vpc_id": vpc_id,
            "route_table_cidr_block": vpc_cidr, "accepter_region": REGION, "wait_for": "available", "wait_timeout": 120}},
        {"name": "routes", "cloudwire.atlas.vpc_peering_routes": {
            "region": REGION, "endpoint_url": rel["aws_endpoint"], "vpc_id": vpc_id, "destination_cidr_block": atlas_cidr,
            "vpc_peering_connection_id": "{{ peering.peering.connection_id }}"}},
        {"name": "access list", "cloudwire.atlas.atlas_access_list": {
            "entries": [{"cidr_block": vpc_cidr, "comment": "reliability"}], "wait": True, "wait_timeout": 120}},
    ]


def run_chain(rel, workdir, vpc_id, extra_env=None, **options):
    return run_tasks(rel, workdir, chain_tasks(rel, vpc_id), extra_env=extra_env, **options)


def atlas_counts(rel):
    """What Atlas holds for the project: containers, peerings (status), access-list entries."""
    project = rel["project_id"]
    return {
        "containers": atlas_api(rel, "GET", "/groups/%s/containers/all" % project)["results"],
        "peerings": atlas_api(rel, "GET", "/groups/%s/peers" % project)["results"],
        "entries": atlas_api(rel, "GET", "/groups/%s/accessList" % project)["results"],
    }


def assert_converged_once(rel, vpc_id, tables, vpc_cidr=VPC_CIDR, atlas_cidr=ATLAS_CIDR):
    """Exactly one container, one AVAILABLE peering for the VPC, one access-list entry for its CIDR, one active pcx on
    AWS and, in every route table, exactly one route to the Atlas CIDR through it."""
    seen = atlas_counts(rel)
    assert len(seen["containers"]) == 1, seen["containers"]
    mine = [p for p in seen["peerings"] if p["vpcId"] == vpc_id]
    assert len(mine) == 1 and mine[0]["statusName"] == "AVAILABLE", seen["peerings"]
    assert [e.get("cidrBlock") for e in seen["entries"]].count(vpc_cidr) == 1, seen["entries"]
    # boto3 straight to moto (not through the proxy: the proxy's log is the runs' own).
    ec2 = aws_client(rel["moto"].url, "ec2")
    pcxs = ec2.describe_vpc_peering_connections(Filters=[{"Name": "accepter-vpc-info.vpc-id", "Values": [vpc_id]}])["VpcPeeringConnections"]
    live = [p["VpcPeeringConnectionId"] for p in pcxs if p["Status"]["Code"] not in ("deleted", "rejected", "failed")]
    assert live == [mine[0]["connectionId"]], pcxs
    assert pcxs and {p["Status"]["Code"] for p in pcxs if p["VpcPeeringConnectionId"] in live} == {"active"}, pcxs
    for table in ec2.describe_route_tables(RouteTableIds=tables)["RouteTables"]:
        routes = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == atlas_cidr]
        assert len(routes) == 1 and routes[0].get("VpcPeeringConnectionId") == live[0], table
    return seen
