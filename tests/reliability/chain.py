"""The whole peering chain as module tasks in one play (container, peering request, accept on AWS, AVAILABLE, routes,
access list), and the checks that a run converged without duplicating anything on either side."""

import boto3
import requests
from requests.auth import HTTPDigestAuth

from module_playbook import run_playbook

REGION = "us-east-1"
ATLAS_CIDR = "192.168.248.0/21"
VPC_CIDR = "10.30.0.0/16"


def moto_client(moto_url, service, region=REGION):
    """boto3 straight to moto (not through the proxy: the proxy's log is the runs' own)."""
    return boto3.client(service, endpoint_url=moto_url, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def make_vpc(moto_url, cidr=VPC_CIDR, tables=2):
    """A customer VPC with `tables` subnets, each with its own route table; returns (vpc id, [route table ids])."""
    ec2 = moto_client(moto_url, "ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    ids = []
    for index in range(tables):
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="%s.%s.%d.0/24" % (base[0], base[1], index + 1))["Subnet"]["SubnetId"]
        table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        ids.append(table)
    return vpc_id, ids


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
    return run_playbook(rel, workdir, chain_tasks(rel, vpc_id), extra_env=extra_env, **options)


def atlas_get(rel, path):
    answer = requests.get("%s/api/atlas/v2%s" % (rel["base_url"], path), timeout=30,
                          auth=HTTPDigestAuth(rel["public_key"], rel["private_key"]),
                          headers={"Accept": "application/vnd.atlas.2023-01-01+json"})
    answer.raise_for_status()
    return answer.json()


def atlas_counts(rel):
    """What Atlas holds for the project: containers, peerings (status), access-list entries."""
    project = rel["project_id"]
    return {
        "containers": atlas_get(rel, "/groups/%s/containers/all" % project)["results"],
        "peerings": atlas_get(rel, "/groups/%s/peers" % project)["results"],
        "entries": atlas_get(rel, "/groups/%s/accessList" % project)["results"],
    }


def assert_converged_once(rel, vpc_id, tables, vpc_cidr=VPC_CIDR, atlas_cidr=ATLAS_CIDR):
    """Exactly one container, one AVAILABLE peering for the VPC, one access-list entry for its CIDR, one active pcx on
    AWS and, in every route table, exactly one route to the Atlas CIDR through it."""
    seen = atlas_counts(rel)
    assert len(seen["containers"]) == 1, seen["containers"]
    mine = [p for p in seen["peerings"] if p["vpcId"] == vpc_id]
    assert len(mine) == 1 and mine[0]["statusName"] == "AVAILABLE", seen["peerings"]
    assert [e.get("cidrBlock") for e in seen["entries"]].count(vpc_cidr) == 1, seen["entries"]
    ec2 = moto_client(rel["moto"].url, "ec2")
    pcxs = ec2.describe_vpc_peering_connections(Filters=[{"Name": "accepter-vpc-info.vpc-id", "Values": [vpc_id]}])["VpcPeeringConnections"]
    live = [p["VpcPeeringConnectionId"] for p in pcxs if p["Status"]["Code"] not in ("deleted", "rejected", "failed")]
    assert live == [mine[0]["connectionId"]], pcxs
    assert pcxs and {p["Status"]["Code"] for p in pcxs if p["VpcPeeringConnectionId"] in live} == {"active"}, pcxs
    for table in ec2.describe_route_tables(RouteTableIds=tables)["RouteTables"]:
        routes = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == atlas_cidr]
        assert len(routes) == 1 and routes[0].get("VpcPeeringConnectionId") == live[0], table
    return seen
