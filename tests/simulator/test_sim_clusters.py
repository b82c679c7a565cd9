"""Clusters seeded and removed through the control API, and what they do to containers as recorded: the first cluster in a
region provisions its container with an Atlas VPC, the last one going unprovisions it (vpcId null), a later one brings a
new VPC id; and the connection strings a cluster record composes."""

import re

import boto3
import pytest
import requests

from simulator_helpers import assert_error, create_container, create_peer, peer_body
from support.atlas import recorded

VPC_ID = re.compile(r"^vpc-[0-9a-f]{17}$")


def aws_containers(api, gid):
    return api.get(f"/groups/{gid}/containers", params={"providerName": "AWS"}).json()["results"]


def same_as_recorded(ours, file_name):
    """Containers as in the recording, ids aside: regions, CIDRs, provisioned, a vpcId exactly when provisioned."""
    theirs = recorded(file_name)["response_body"]["results"]
    assert [sorted(c) for c in ours] == [sorted(c) for c in theirs]
    compared = ("atlasCidrBlock", "providerName", "provisioned")
    for mine, real in zip(ours, theirs):
        assert {k: mine[k] for k in compared} == {k: real[k] for k in compared}
        assert mine.get("regionName", mine.get("region")) == real.get("regionName", real.get("region"))
        if "vpcId" in real:
            assert (mine["vpcId"] is None) == (real["vpcId"] is None) and (real["vpcId"] is None or VPC_ID.match(mine["vpcId"]))


def atlas_vpc_ids(atlas_env, region="us-east-1"):
    """The VPCs in Atlas's own AWS account inside moto (not the customer's)."""
    account = atlas_env["sim"].config()["atlas_account_id"]
    sts = boto3.client("sts", endpoint_url=atlas_env["aws_endpoint"], region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/any", RoleSessionName="test")["Credentials"]
    ec2 = boto3.client("ec2", endpoint_url=atlas_env["aws_endpoint"], region_name=region, aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    return {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")}


def test_clusters_provision_and_unprovision_containers_as_recorded(atlas_env, api, gid):
    sim = atlas_env["sim"]
    sim.add_cluster(gid, "europe", regionName="EU_WEST_1")
    first = sim.add_cluster(atlas_env["project_name"], "virginia", regionName="US_EAST_1")
    assert first["regions"] == ["US_EAST_1"] and first["stateName"] == "IDLE" and first["instanceSize"] == "M10"
    same_as_recorded(aws_containers(api, gid), "containers-list-6.json")  # both provisioned: 192.168.248.0/21 first, then .240
    old_vpc = aws_containers(api, gid)[1]["vpcId"]
    assert old_vpc in atlas_vpc_ids(atlas_env)

    sim.remove_cluster(gid, "virginia")
    same_as_recorded(aws_containers(api, gid), "containers-list-7.json")  # US_EAST_1: provisioned false, "vpcId": null
    assert old_vpc not in atlas_vpc_ids(atlas_env)  # Atlas really tore its VPC down

    sim.add_cluster(gid, "virginia-again", regionName="US_EAST_1")
    again = aws_containers(api, gid)[1]
    assert again["provisioned"] is True and VPC_ID.match(again["vpcId"]) and again["vpcId"] != old_vpc  # a new VPC (recorded README 6)
    assert api.get(f"/groups/{gid}").json()["clusterCount"] == 2


def test_a_multi_region_cluster_makes_a_container_per_region(atlas_env, api, gid):
    atlas_env["sim"].add_cluster(gid, "two-regions", regions=["US_EAST_1", "US_WEST_2"])
    same_as_recorded(aws_containers(api, gid), "containers-list-3.json")


def test_an_explicit_container_is_used_by_a_later_cluster(atlas_env, api, gid):
    made = create_container(api, gid, "US_EAST_1", "10.8.0.0/21")
    atlas_env["sim"].add_cluster(gid, "c0", regionName="US_EAST_1")
    [container] = aws_containers(api, gid)
    assert container["id"] == made["id"] and container["atlasCidrBlock"] == "10.8.0.0/21" and container["provisioned"] is True
    assert_error(api.delete(f"/groups/{gid}/containers/{made['id']}"), 409, "CONTAINERS_IN_USE")
    assert_error(api.patch(f"/groups/{gid}/containers/{made['id']}", json={"atlasCidrBlock": "10.16.0.0/21"}), 409, "CONTAINERS_IN_USE")


def test_shared_tier_clusters_touch_no_container(atlas_env, api, gid):
    atlas_env["sim"].add_cluster(gid, "free", regionName="US_EAST_1", instanceSize="M0")
    assert aws_containers(api, gid) == []
    assert api.get(f"/groups/{gid}").json()["clusterCount"] == 1


def test_an_azure_cluster_makes_an_azure_container(atlas_env, api, gid):
    atlas_env["sim"].add_cluster(gid, "azure", providerName="AZURE", regionName="US_EAST_2")
    azure = api.get(f"/groups/{gid}/containers", params={"providerName": "AZURE"}).json()["results"]
    same_as_recorded(azure, "containers-list-9.json")
    assert re.match(rf"^vnet_{azure[0]['id']}_[a-z0-9]{{8}}$", azure[0]["vnetName"]) and re.match(r"^[a-f0-9]{24}$", azure[0]["azureSubscriptionId"])
    assert aws_containers(api, gid) == [] and api.get(f"/groups/{gid}/containers/all").json()["results"] == azure


def test_peerings_keep_the_vpc_without_clusters(atlas_env, api, gid, ec2):
    """GUESS (no recording shows a container with peerings and no cluster): the peering's VPC stays while the peering does."""
    made = create_container(api, gid)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    peer = create_peer(api, gid, peer_body(made["id"], vpc))
    built = aws_containers(api, gid)[0]["vpcId"]
    assert built is not None
    atlas_env["sim"].add_cluster(gid, "c0", regionName="US_EAST_1")
    atlas_env["sim"].remove_cluster(gid, "c0")
    after = aws_containers(api, gid)[0]
    assert after["provisioned"] is True and after["vpcId"] == built  # the peering still uses the VPC
    assert api.delete(f"/groups/{gid}/peers/{peer['id']}").status_code == 202
    assert aws_containers(api, gid)[0]["vpcId"] is None  # nothing uses it any more, as when the last cluster goes


def test_connection_strings_are_composed_as_atlas_does(atlas_env, api, gid, ec2):
    cluster = atlas_env["sim"].add_cluster(gid, "Cluster0", regionName="US_EAST_1", mongoDBVersion="7.0.12", nodeCount=3)
    strings = cluster["connectionStrings"]
    match = re.match(r"^mongodb\+srv://cluster0\.([a-z0-9]{5})\.mongodb\.net$", strings["standardSrv"])
    assert match, strings
    domain = f"{match.group(1)}.mongodb.net"
    hosts = ",".join(f"cluster0-shard-00-0{n}.{domain}:27017" for n in range(3))
    assert re.match(rf"^mongodb://{re.escape(hosts)}/\?ssl=true&authSource=admin&replicaSet=atlas-[a-z0-9]{{6}}-shard-0$", strings["standard"])
    assert set(strings) == {"standard", "standardSrv"}  # no peering yet: no private strings
    container = aws_containers(api, gid)[0]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    peer = create_peer(api, gid, peer_body(container["id"], vpc))
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=api.get(f"/groups/{gid}/peers/{peer['id']}").json()["connectionId"])
    [peered] = atlas_env["sim"].clusters()
    assert peered["connectionStrings"]["privateSrv"] == f"mongodb+srv://cluster0-pri.{domain}"
    assert peered["connectionStrings"]["private"] == strings["standard"].replace(f".{domain}", f"-pri.{domain}")
    assert peered["mongoDBVersion"] == "7.0.12" and peered["name"] == "Cluster0"


@pytest.mark.parametrize("spec, message", [
    ({"name": "bad name"}, "cluster name"),
    ({"name": "c1", "regionName": "MOON_1"}, "region"),
    ({"name": "c1", "providerName": "GCP"}, "providerName"),
    ({"name": "c1", "instanceSize": "huge"}, "instanceSize"),
    ({"name": "c1", "colour": "blue"}, "unknown cluster fields"),
])
def test_control_api_refuses_bad_cluster_seeds(atlas_env, gid, spec, message):
    answer = requests.post(f"{atlas_env['base_url']}/_sim/clusters", json=dict(spec, project=gid), timeout=10)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert atlas_env["sim"].clusters() == []


def test_control_api_refuses_twins_and_unknown_removals(atlas_env, gid):
    atlas_env["sim"].add_cluster(gid, "c0")
    with pytest.raises(RuntimeError, match="already has a cluster named"):
        atlas_env["sim"].add_cluster(gid, "c0")
    with pytest.raises(RuntimeError, match="no cluster named"):
        atlas_env["sim"].remove_cluster(gid, "nope")
