"""The AWS side of the tests, on moto: clients as either account, customer VPCs, and what inventories/local describes.

    ec2 = aws_client(moto.url, "ec2", "eu-west-1", account=OTHER_ACCOUNT)   # through sts:AssumeRole for the other account
    vpc_id, route_tables = make_vpc(moto.url, "10.40.0.0/16", tables=3)
    vpc_id = create_existing_vpc(moto.url)      # the existing VPC of local-legacy-east
    before = aws_snapshot(moto.url); ...; assert aws_snapshot(moto.url) == before
"""

import boto3

from support.servers import CUSTOMER_ACCESS_KEY_ID, CUSTOMER_ACCOUNT_ID, CUSTOMER_SECRET_ACCESS_KEY

CUSTOMER_ACCOUNT = CUSTOMER_ACCOUNT_ID
OTHER_ACCOUNT = "210987654321"
REGION = "us-east-1"
# What inventories/local describes: host -> (region, account, stack or None).
HOSTS = {
    "local-app-east": ("us-east-1", CUSTOMER_ACCOUNT, "cloudwire-local-app-east"),
    "local-app-west": ("eu-west-1", OTHER_ACCOUNT, "cloudwire-local-app-west"),
    "local-legacy-east": ("us-east-1", CUSTOMER_ACCOUNT, None),
}
ATLAS_CIDR = {"us-east-1": "192.168.248.0/21", "eu-west-1": "192.168.240.0/21"}
EXISTING_VPC_CIDR = "10.30.0.0/16"


def aws_client(moto_url, service, region=REGION, account=CUSTOMER_ACCOUNT):
    """A boto3 client on moto as the customer account or, through sts:AssumeRole, as another account."""
    kwargs = dict(endpoint_url=moto_url, region_name=region, aws_access_key_id=CUSTOMER_ACCESS_KEY_ID,
                  aws_secret_access_key=CUSTOMER_SECRET_ACCESS_KEY)
    if account != CUSTOMER_ACCOUNT:
        creds = boto3.client("sts", **kwargs).assume_role(RoleArn=f"arn:aws:iam::{account}:role/any",
                                                          RoleSessionName="e2e")["Credentials"]
        kwargs.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                      aws_session_token=creds["SessionToken"])
    return boto3.client(service, **kwargs)


def customer_ec2(env, region=REGION):
    """EC2 at an atlas_env's AWS endpoint with its keys (moto's default account)."""
    return boto3.client("ec2", endpoint_url=env["aws_endpoint"], region_name=region, aws_access_key_id=env["aws_access_key_id"],
                        aws_secret_access_key=env["aws_secret_access_key"])


def make_vpc(moto_url, cidr=EXISTING_VPC_CIDR, tables=2):
    """A customer VPC in us-east-1 with `tables` subnets (x.y.1.0/24, x.y.2.0/24, ...), each with its own route table;
    returns (vpc id, [route table ids])."""
    ec2 = aws_client(moto_url, "ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    ids = []
    for index in range(tables):
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="%s.%s.%d.0/24" % (base[0], base[1], index + 1))["Subnet"]["SubnetId"]
        table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        ids.append(table)
    return vpc_id, ids


def create_existing_vpc(moto_url):
    """The "existing VPC" of local-legacy-east: a VPC with two subnets, each with its own route table."""
    return make_vpc(moto_url)[0]


def aws_snapshot(moto_url):
    """Everything the role can write on AWS, in both accounts and regions: stacks (status, parameters, change sets), VPCs with
    their DNS attributes, route tables with their routes, peering connections with their status."""
    snap = {}
    for region, account in (("us-east-1", CUSTOMER_ACCOUNT), ("eu-west-1", OTHER_ACCOUNT), ("eu-west-1", CUSTOMER_ACCOUNT)):
        ec2 = aws_client(moto_url, "ec2", region, account)
        cfn = aws_client(moto_url, "cloudformation", region, account)
        key = f"{account}/{region}"
        vpcs = {}
        for vpc in ec2.describe_vpcs()["Vpcs"]:
            attrs = {a: ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=a)[a[0].upper() + a[1:]]["Value"]
                     for a in ("enableDnsSupport", "enableDnsHostnames")}
            vpcs[vpc["VpcId"]] = dict(cidr=vpc["CidrBlock"], **attrs)
        stacks = cfn.describe_stacks()["Stacks"]
        snap[key] = {
            "stacks": {s["StackName"]: (s["StackStatus"], sorted((p["ParameterKey"], p["ParameterValue"]) for p in s.get("Parameters", [])))
                       for s in stacks},
            "change_sets": {s["StackName"]: [c["ChangeSetName"] for c in cfn.list_change_sets(StackName=s["StackName"])["Summaries"]]
                            for s in stacks},
            "vpcs": vpcs,
            "routes": {t["RouteTableId"]: sorted((r.get("DestinationCidrBlock", ""), r.get("VpcPeeringConnectionId") or r.get("GatewayId") or "",
                                                  r.get("State", "")) for r in t["Routes"])
                       for t in ec2.describe_route_tables()["RouteTables"]},
            "peerings": {p["VpcPeeringConnectionId"]: p["Status"]["Code"] for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]},
        }
    return snap


def stack_outputs(moto_url, host):
    region, account, stack = HOSTS[host]
    cfn = aws_client(moto_url, "cloudformation", region, account)
    return {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]}
