"""Least privilege, proven on moto server with IAM enforcement on: the IAM policies of docs/permissions.md (read from
that page) and the Atlas roles it names are enough for converge, drift check and teardown of inventories/local, and the
drift check's credentials (Describe/Get/List only, Atlas Project Read Only) cannot write."""

import json
import os
import re

import boto3
import pytest
import requests

from rel_helpers import accepted_atlas_writes, accepted_aws_writes, host_failures
from support.aws import HOSTS, OTHER_ACCOUNT, create_existing_vpc
from support.fault_proxy import FaultProxy
from support.paths import REPO_ROOT
from support.playbooks import playbook_env, run_playbook
from support.servers import AtlasSimulator, MotoServer, environment, seed_project

pytestmark = pytest.mark.slow
DOC = os.path.join(REPO_ROOT, "docs", "permissions.md")
ATLAS_ACCOUNT = "536727724300"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST_ANYONE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}


def documented_policies():
    """name -> policy document, from the `<!-- policy: name -->` JSON blocks of docs/permissions.md."""
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    found = {name: json.loads(body) for name, body in re.findall(r"<!-- policy: (\w+) -->\s*```json\n(.*?)```", text, re.S)}
    assert set(found) == {"peer", "drift", "unpeer"}, found.keys()
    return found


def without_assume_role(policy):
    return dict(policy, Statement=[s for s in policy["Statement"] if s.get("Sid") != "OtherAccounts"])


def _client(moto_url, service, key=("testing", "testing"), token=None):
    return boto3.client(service, endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id=key[0], aws_secret_access_key=key[1],
                        aws_session_token=token)


def _assumed(moto_url, account, role, key=("testing", "testing")):
    creds = _client(moto_url, "sts", key).assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (account, role), RoleSessionName="setup")["Credentials"]
    return (creds["AccessKeyId"], creds["SecretAccessKey"]), creds["SessionToken"]


def _user(iam, name, policy):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=name, PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _role(iam, name, policy):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ANYONE))
    iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps(policy))


@pytest.fixture(scope="module")
def enforced(tmp_path_factory):
    """Own moto (IAM enforced after set-up), proxy and simulator; users per job; the other account's role."""
    policies = documented_policies()
    with MotoServer() as moto:
        iam = _client(moto.url, "iam")
        users = {name: _user(iam, "cloudwire-" + name, policy) for name, policy in policies.items()}
        sim_key = _user(iam, "atlas-simulator", ADMIN)
        admin_key = _user(iam, "test-admin", ADMIN)
        # Atlas's account: the role the simulator assumes to request peerings.
        atlas_key, atlas_token = _assumed(moto.url, ATLAS_ACCOUNT, "any")
        _role(_client(moto.url, "iam", atlas_key, atlas_token), "any", ADMIN)
        # The second customer account: "any" is the role the inventory assumes (its policy is set per job), "admin" the test's.
        other_key, other_token = _assumed(moto.url, OTHER_ACCOUNT, "admin")
        other_iam = _client(moto.url, "iam", other_key, other_token)
        _role(other_iam, "admin", ADMIN)
        _role(other_iam, "any", without_assume_role(policies["drift"]))
        vpc_id = create_existing_vpc(moto.url)
        requests.post(moto.url + "/moto-api/reset-auth", data="0", headers={"Content-Type": "text/plain"}, timeout=10).raise_for_status()
        # Enforcement is on: the setup keys no longer work.
        with pytest.raises(Exception, match="AuthFailure|InvalidClientTokenId|AccessDenied"):
            _client(moto.url, "ec2").describe_vpcs()
        with FaultProxy(moto.url) as proxy, AtlasSimulator(
                aws_endpoint=moto.url, initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=1.0, access_list_delay=0.5,
                env={"ATLAS_SIMULATOR_AWS_ACCESS_KEY_ID": sim_key[0], "ATLAS_SIMULATOR_AWS_SECRET_ACCESS_KEY": sim_key[1]}) as sim:
            atlas = seed_project(sim, "cloudwire-least-privilege")
            yield {"moto": moto, "proxy": proxy, "sim": sim, "atlas": atlas, "users": users, "admin": admin_key, "vpc_id": vpc_id,
                   "policies": policies}


def set_other_account_role(world, policy):
    """The policy of the role inventories/local assumes in the second account, set by the test's admin there."""
    key, token = _assumed(world["moto"].url, OTHER_ACCOUNT, "admin", world["admin"])
    _client(world["moto"].url, "iam", key, token).put_role_policy(RoleName="any", PolicyName="any",
                                                                  PolicyDocument=json.dumps(without_assume_role(world["policies"][policy])))


def job_env(world, policy, readonly=False):
    atlas = dict(world["atlas"])
    if readonly:
        atlas.update(public_key=atlas["readonly_public_key"], private_key=atlas["readonly_private_key"])
    env = environment(atlas, world["proxy"].url)
    key = world["users"][policy]
    env.update(AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1], CLOUDWIRE_LOCAL_EXISTING_VPC_ID=world["vpc_id"])
    return playbook_env(env)


def test_peer_policy_and_project_owner_converge(enforced, figures):
    set_other_account_role(enforced, "peer")
    result = run_playbook(job_env(enforced, "peer"), "peer.yml")
    assert result.rc == 0, (host_failures(result), result.explain()[-3000:])
    assert all(result.failed(host) == 0 and result.changed(host) > 0 for host in HOSTS), result.stats
    denied = [c for c in enforced["proxy"].calls() if c["status"] == 403]
    assert denied == [], denied
    figures.add("least_privilege", jobs_proven=1, aws_calls_checked=len(enforced["proxy"].calls()))


def test_drift_check_with_read_only_credentials_writes_nothing(enforced, figures):
    set_other_account_role(enforced, "drift")
    enforced["sim"].clear_requests()
    enforced["proxy"].clear()
    result = run_playbook(job_env(enforced, "drift", readonly=True), "peer.yml", "--check", "--diff")
    assert result.rc == 0, (host_failures(result), result.explain()[-3000:])
    assert all(result.changed(host) == 0 for host in HOSTS), result.drift
    assert enforced["sim"].writes() == [] and enforced["proxy"].writes() == []
    principals = {r["principal"] for r in enforced["sim"].requests() if not r["challenge"]}
    assert principals == {enforced["atlas"]["readonly_public_key"]}, principals
    figures.add("least_privilege", jobs_proven=1, aws_calls_checked=len(enforced["proxy"].calls()))


def test_read_only_credentials_cannot_repair_a_drift(enforced, figures):
    """The same read-only credentials in a normal run: AWS refuses the route write, nothing is written anywhere."""
    moto_url = enforced["moto"].url
    ec2 = _client(moto_url, "ec2", enforced["admin"])
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [enforced["vpc_id"]]}])["RouteTables"]
    target = next(t for t in tables if any(r.get("DestinationCidrBlock") == "192.168.248.0/21" for r in t["Routes"]))
    ec2.delete_route(RouteTableId=target["RouteTableId"], DestinationCidrBlock="192.168.248.0/21")
    set_other_account_role(enforced, "drift")
    enforced["sim"].clear_requests()
    enforced["proxy"].clear()
    result = run_playbook(job_env(enforced, "drift", readonly=True), "peer.yml", "--limit", "local-legacy-east")
    assert result.rc != 0
    failures = host_failures(result)
    assert "local-legacy-east" in failures, failures
    task, msg, _assertion, _loop = failures["local-legacy-east"]
    assert "UnauthorizedOperation" in msg or "AccessDenied" in msg or "not authorized" in msg, (task, msg)
    refused = [c for c in enforced["proxy"].calls() if c["status"] >= 400 and c["action"] == "CreateRoute"]
    assert refused, enforced["proxy"].calls()
    assert accepted_aws_writes(enforced["proxy"]) == [] and accepted_atlas_writes(enforced["sim"]) == []
    # Atlas side: a write with the read-only key is refused too.
    answer = requests.post("%s/api/atlas/v2/groups/%s/accessList" % (enforced["atlas"]["base_url"], enforced["atlas"]["project_id"]),
                           json=[{"cidrBlock": "10.99.0.0/16"}], timeout=30, headers={"Accept": "application/vnd.atlas.2023-01-01+json"},
                           auth=requests.auth.HTTPDigestAuth(enforced["atlas"]["readonly_public_key"], enforced["atlas"]["readonly_private_key"]))
    assert answer.status_code == 401 and answer.json()["errorCode"] == "USER_UNAUTHORIZED", answer.text
    # Put the route back (as the test's admin) for the teardown.
    pcx = next(r["VpcPeeringConnectionId"] for t in tables for r in t["Routes"] if r.get("DestinationCidrBlock") == "192.168.248.0/21"
               and r.get("VpcPeeringConnectionId"))
    ec2.create_route(RouteTableId=target["RouteTableId"], DestinationCidrBlock="192.168.248.0/21", VpcPeeringConnectionId=pcx)
    figures.add("least_privilege", writes_refused=len(refused) + 1)


def test_unpeer_policy_and_project_owner_tear_down(enforced, figures):
    set_other_account_role(enforced, "unpeer")
    enforced["proxy"].clear()
    result = run_playbook(job_env(enforced, "unpeer"), "unpeer.yml")
    assert result.rc == 0, (host_failures(result), result.explain()[-3000:])
    state = enforced["sim"].state()
    project = enforced["atlas"]["project_id"]
    assert [p for p in state.get("peerings", []) if p.get("groupId") == project] == [], state.get("peerings")
    assert state.get("access_lists", {}).get(project, []) == []
    assert [c for c in enforced["proxy"].calls() if c["status"] == 403] == []
    figures.add("least_privilege", jobs_proven=1, aws_calls_checked=len(enforced["proxy"].calls()))
    figures.note("least_privilege", "atlas_roles", {"peer": "Project Owner", "drift": "Project Read Only", "unpeer": "Project Owner"})
