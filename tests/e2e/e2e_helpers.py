"""Helpers of the end-to-end tests: the local inventory's AWS side, playbook runs and state snapshots."""

import json
import os
import re
import subprocess
import sys
import time

import boto3

from support.servers import LOOPBACK

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
INVENTORY = os.path.join(REPO_ROOT, "inventories", "local")
CUSTOMER_ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
# What inventories/local describes: host -> (region, account, stack or None).
HOSTS = {
    "local-app-east": ("us-east-1", CUSTOMER_ACCOUNT, "cloudwire-local-app-east"),
    "local-app-west": ("eu-west-1", OTHER_ACCOUNT, "cloudwire-local-app-west"),
    "local-legacy-east": ("us-east-1", CUSTOMER_ACCOUNT, None),
}
ATLAS_CIDR = {"us-east-1": "192.168.248.0/21", "eu-west-1": "192.168.240.0/21"}
EXISTING_VPC_CIDR = "10.30.0.0/16"
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", re.M)


def aws_client(moto_url, service, region, account=CUSTOMER_ACCOUNT):
    """A boto3 client on moto as the customer account or, through sts:AssumeRole, as another account."""
    kwargs = dict(endpoint_url=moto_url, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
    if account != CUSTOMER_ACCOUNT:
        creds = boto3.client("sts", **kwargs).assume_role(RoleArn=f"arn:aws:iam::{account}:role/any",
                                                          RoleSessionName="e2e")["Credentials"]
        kwargs.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                      aws_session_token=creds["SessionToken"])
    return boto3.client(service, **kwargs)


def create_existing_vpc(moto_url):
    """The "existing VPC" of local-legacy-east: a VPC with two subnets, each with its own route table."""
    ec2 = aws_client(moto_url, "ec2", "us-east-1")
    vpc_id = ec2.create_vpc(CidrBlock=EXISTING_VPC_CIDR)["Vpc"]["VpcId"]
    for cidr in ("10.30.1.0/24", "10.30.2.0/24"):
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]
        table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return vpc_id


class Run:
    """One finished ansible-playbook run: its output, exit code, recap per host and the run's published stats."""

    def __init__(self, argv, proc, seconds):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.result = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
        self.stats = (self.result or {}).get("stats", {})
        self.custom = (self.result or {}).get("global_custom_stats", {})

    @property
    def drift(self):
        """host -> findings, as published with set_stats for AWX."""
        return self.custom.get("vpc_peering_drift", {})

    def changed(self, host):
        return self.stats[host]["changed"]

    def failed(self, host):
        return self.stats[host]["failures"] + self.stats[host]["unreachable"]

    def task_results(self, name_part):
        """host -> result of every task whose name contains name_part."""
        found = []
        for play in (self.result or {}).get("plays", []):
            for task in play["tasks"]:
                if name_part in task["task"]["name"]:
                    found.append(task["hosts"])
        return found

    def explain(self):
        text = self.stdout if self.result is None else json.dumps(self.stats, indent=1)
        return f"{' '.join(self.argv)} -> rc {self.rc} in {self.seconds:.0f} s\n{text[-6000:]}\n{self.stderr[-3000:]}"


def playbook_env(atlas_env, existing_vpc_id, json_output=True):
    env = dict(os.environ)
    env.update(atlas_env["env"])
    env.update({
        "CLOUDWIRE_LOCAL_EXISTING_VPC_ID": existing_vpc_id,
        "ANSIBLE_CONFIG": os.path.join(REPO_ROOT, "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_SHOW_CUSTOM_STATS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if json_output:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    return env


def fresh_world(moto_server, atlas_simulator, project_name):
    """Reset servers, a seeded project with its keys and the customer's AWS keys, the existing VPC and the environment
    playbooks run with: what a test module's `world` fixture starts from."""
    from support.servers import CUSTOMER_ACCESS_KEY_ID, CUSTOMER_SECRET_ACCESS_KEY, environment, seed_project  # pylint: disable=import-outside-toplevel

    moto_server.reset()
    atlas_simulator.reset()
    atlas = seed_project(atlas_simulator, project_name)
    atlas.update(aws_access_key_id=CUSTOMER_ACCESS_KEY_ID, aws_secret_access_key=CUSTOMER_SECRET_ACCESS_KEY)
    atlas["env"] = environment(atlas, moto_server.url)
    vpc_id = create_existing_vpc(moto_server.url)
    return {"sim": atlas_simulator, "moto": moto_server, "atlas": atlas, "vpc_id": vpc_id, "env": playbook_env(atlas, vpc_id)}


def run_playbook(env, playbook, *args, timeout=600):
    argv = [ANSIBLE_PLAYBOOK, os.path.join("playbooks", playbook), "-i", INVENTORY, *args]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return Run(argv, proc, time.monotonic() - started)


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


__all__ = ["LOOPBACK"]


def atlas_api(atlas, method, path, body=None):
    """A call to the simulator's Atlas API as the project owner (digest auth), like an operator doing something by hand."""
    import requests  # pylint: disable=import-outside-toplevel
    from requests.auth import HTTPDigestAuth  # pylint: disable=import-outside-toplevel

    answer = requests.request(method, f"{atlas['base_url']}/api/atlas/v2{path}", json=body, timeout=30,
                              auth=HTTPDigestAuth(atlas["public_key"], atlas["private_key"]),
                              headers={"Accept": "application/vnd.atlas.2023-01-01+json"})
    assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
    return answer.json() if answer.content else {}


def wait_until(what, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")
