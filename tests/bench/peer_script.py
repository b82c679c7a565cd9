"""The chain this collection replaces, written by hand the way a platform team writes it: requests with digest auth and
boto3, one thread per VPC, polling every second. `make bench` runs it on the same servers as playbooks/peer.yml, for the
same existing VPCs, and shows both side by side. No Ansible, no code of the collection.

    MONGODB_ATLAS_BASE_URL=... MONGODB_ATLAS_PUBLIC_KEY=... MONGODB_ATLAS_PRIVATE_KEY=... MONGODB_ATLAS_PROJECT_ID=... \\
    AWS_ENDPOINT_URL=... python tests/bench/peer_script.py --region us-east-1 --atlas-cidr 192.168.248.0/21 vpc-0123 vpc-0456

It does the whole chain for VPCs that exist: the region's container (created when missing), a peering request per VPC, the
acceptance, a route to the Atlas CIDR in every route table, DNS support and hostnames, the VPC's CIDR on the project access
list (one POST at a time: Atlas refuses concurrent additions), then waits for AVAILABLE and ACTIVE.
"""

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import requests
from requests.auth import HTTPDigestAuth

ACCEPT = "application/vnd.atlas.2023-01-01+json"


class Atlas:
    def __init__(self):
        self.base = os.environ.get("MONGODB_ATLAS_BASE_URL", "https://cloud.mongodb.com") + "/api/atlas/v2"
        self.project = os.environ["MONGODB_ATLAS_PROJECT_ID"]
        self.local = threading.local()

    def session(self):
        # requests.Session is not thread-safe: one per thread, each with its own digest nonce.
        if not hasattr(self.local, "session"):
            session = requests.Session()
            session.auth = HTTPDigestAuth(os.environ["MONGODB_ATLAS_PUBLIC_KEY"], os.environ["MONGODB_ATLAS_PRIVATE_KEY"])
            session.headers.update({"Accept": ACCEPT, "Content-Type": "application/json"})
            self.local.session = session
        return self.local.session

    def call(self, method, path, body=None):
        answer = self.session().request(method, "%s/groups/%s%s" % (self.base, self.project, path), json=body, timeout=30)
        if answer.status_code >= 400:
            raise RuntimeError("%s %s: %s %s" % (method, path, answer.status_code, answer.text[:300]))
        return answer.json() if answer.content else {}


def wait(what, read, done, timeout):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for %s: %s" % (what, value))
        time.sleep(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", required=True)
    parser.add_argument("--atlas-cidr", required=True)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("vpc_ids", nargs="+")
    args = parser.parse_args(argv)
    atlas_region = args.region.upper().replace("-", "_")
    atlas = Atlas()
    ec2 = boto3.client("ec2", region_name=args.region, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
    access_list = threading.Lock()

    containers = atlas.call("GET", "/containers?providerName=AWS")["results"]
    container = next((c for c in containers if c["regionName"] == atlas_region), None)
    if container is None:
        container = atlas.call("POST", "/containers", {"atlasCidrBlock": args.atlas_cidr, "providerName": "AWS", "regionName": atlas_region})

    def peer(vpc_id):
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        peering = atlas.call("POST", "/peers", {"containerId": container["id"], "providerName": "AWS", "accepterRegionName": args.region,
                                                "awsAccountId": vpc["OwnerId"], "routeTableCidrBlock": vpc["CidrBlock"], "vpcId": vpc_id})
        path = "/peers/%s" % peering["id"]
        peering = wait("the pcx of %s" % vpc_id, lambda: atlas.call("GET", path), lambda p: p.get("connectionId"), args.timeout)
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering["connectionId"])
        for table in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]:
            ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock=args.atlas_cidr,
                             VpcPeeringConnectionId=peering["connectionId"])
        for attribute in ("enableDnsSupport", "enableDnsHostnames"):
            key = attribute[0].upper() + attribute[1:]
            if not ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]:
                ec2.modify_vpc_attribute(VpcId=vpc_id, **{key: {"Value": True}})
        with access_list:
            atlas.call("POST", "/accessList", [{"cidrBlock": vpc["CidrBlock"], "comment": "VPC peering %s" % vpc_id}])
        wait("%s AVAILABLE" % vpc_id, lambda: atlas.call("GET", path), lambda p: p["statusName"] == "AVAILABLE", args.timeout)
        entry = "/accessList/%s/status" % vpc["CidrBlock"].replace("/", "%2F")
        wait("%s ACTIVE" % vpc["CidrBlock"], lambda: atlas.call("GET", entry), lambda s: s["STATUS"] == "ACTIVE", args.timeout)
        return vpc_id, peering["connectionId"]

    with ThreadPoolExecutor(max_workers=len(args.vpc_ids)) as pool:
        for vpc_id, pcx in pool.map(peer, args.vpc_ids):
            print("%s peered through %s" % (vpc_id, pcx))
    return 0


if __name__ == "__main__":
    sys.exit(main())
