"""Peerings are real: the simulator requests a VPC peering connection in moto from Atlas's own AWS account, and boto3,
playing the customer, accepts or rejects it. statusName follows the real pcx."""

import time

import pytest

from simulator_helpers import assert_error, create_container, create_peer, peer_body
from support.aws import customer_ec2


@pytest.fixture
def container(api, gid):
    return create_container(api, gid)


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]


def pcx(ec2, pcx_id):
    found = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"]
    return found[0]


def test_request_accept_available_delete_gone(api, gid, ec2, container, vpc_id, atlas_env):
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    assert made["statusName"] == "INITIATING"
    assert "connectionId" not in made and "errorStateName" not in made
    assert "accepterRegionName" not in made  # same region as the container: Atlas leaves it out
    pending = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert pending["statusName"] == "PENDING_ACCEPTANCE"
    connection = pcx(ec2, pending["connectionId"])
    assert connection["Status"]["Code"] == "pending-acceptance"
    assert connection["AccepterVpcInfo"]["VpcId"] == vpc_id and connection["AccepterVpcInfo"]["OwnerId"] == atlas_env["aws_account_id"]
    atlas_account = atlas_env["sim"].config()["atlas_account_id"]
    assert connection["RequesterVpcInfo"]["OwnerId"] == atlas_account != atlas_env["aws_account_id"]
    container_now = api.get(f"/groups/{gid}/containers/{container['id']}").json()
    assert connection["RequesterVpcInfo"]["VpcId"] == container_now["vpcId"]
    assert connection["RequesterVpcInfo"]["CidrBlock"] == container["atlasCidrBlock"]

    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pending["connectionId"])
    available = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert available["statusName"] == "AVAILABLE" and available["connectionId"] == pending["connectionId"]

    assert api.delete(f"/groups/{gid}/peers/{made['id']}").json() == {}
    assert_error(api.get(f"/groups/{gid}/peers/{made['id']}"), 404, "PEER_NOT_FOUND", [made["id"], gid])
    assert pcx(ec2, pending["connectionId"])["Status"]["Code"] == "deleted"
    assert api.get(f"/groups/{gid}/peers").json() == {"links": api.get(f"/groups/{gid}/peers").json()["links"], "results": [], "totalCount": 0}


def test_rejected_request_fails(api, gid, ec2, container, vpc_id):
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    connection_id = api.get(f"/groups/{gid}/peers/{made['id']}").json()["connectionId"]
    ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=connection_id)
    failed = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert (failed["statusName"], failed["errorStateName"]) == ("FAILED", "REJECTED")


def test_missing_customer_vpc_fails_with_invalid_argument(api, gid, container):
    made = create_peer(api, gid, peer_body(container["id"], "vpc-0123456789abcdef0"))
    failed = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert (failed["statusName"], failed["errorStateName"]) == ("FAILED", "INVALID_ARGUMENT")
    assert "connectionId" not in failed
    assert api.delete(f"/groups/{gid}/peers/{made['id']}").status_code == 202


def test_wrong_account_fails_with_invalid_argument(api, gid, container, vpc_id):
    made = create_peer(api, gid, peer_body(container["id"], vpc_id, account="111122223333"))
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["errorStateName"] == "INVALID_ARGUMENT"


def test_customer_vpc_overlapping_atlas_cidr_fails(api, gid, ec2, container):
    vpc = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    made = create_peer(api, gid, peer_body(container["id"], vpc, cidr="192.168.0.0/21"))
    failed = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert (failed["statusName"], failed["errorStateName"]) == ("FAILED", "INVALID_ARGUMENT")


def test_cross_region_peering_is_accepted_in_the_customer_region(api, gid, container, atlas_env):
    west = customer_ec2(atlas_env, "eu-west-1")
    vpc = west.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    made = create_peer(api, gid, peer_body(container["id"], vpc, cidr="10.30.0.0/16", region="eu-west-1"))
    assert made["accepterRegionName"] == "eu-west-1"
    connection_id = api.get(f"/groups/{gid}/peers/{made['id']}").json()["connectionId"]
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=connection_id)
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["statusName"] == "AVAILABLE"


def test_timed_states_initiating_finalizing_terminating(api, gid, ec2, container, vpc_id, atlas_env):
    atlas_env["sim"].config(initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=1.0)
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["statusName"] == "INITIATING"
    assert ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    time.sleep(1.1)
    pending = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert pending["statusName"] == "PENDING_ACCEPTANCE"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pending["connectionId"])
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["statusName"] == "FINALIZING"
    assert_error(api.patch(f"/groups/{gid}/peers/{made['id']}", json={"routeTableCidrBlock": "10.20.0.0/17", "providerName": "AWS"}),
                 409, "PEER_INVALID_STATE", [made["id"], gid])
    time.sleep(1.1)
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["statusName"] == "AVAILABLE"
    assert api.delete(f"/groups/{gid}/peers/{made['id']}").status_code == 202
    terminating = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert terminating["statusName"] == "TERMINATING"
    assert_error(api.delete(f"/groups/{gid}/peers/{made['id']}"), 409, "PEER_ALREADY_REQUESTED_DELETION", [made["id"]])
    time.sleep(1.1)
    assert_error(api.get(f"/groups/{gid}/peers/{made['id']}"), 404, "PEER_NOT_FOUND")
    assert pcx(ec2, pending["connectionId"])["Status"]["Code"] == "deleted"


def test_unaccepted_request_expires(api, gid, container, vpc_id, atlas_env):
    atlas_env["sim"].config(peering_expiry=0.3)
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["statusName"] == "PENDING_ACCEPTANCE"
    time.sleep(0.4)
    expired = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert (expired["statusName"], expired["errorStateName"]) == ("FAILED", "EXPIRED")


@pytest.mark.parametrize("change, status, code", [
    ({"vpcId": None}, 400, "MISSING_ATTRIBUTE"),
    ({"accepterRegionName": None}, 400, "MISSING_ATTRIBUTE"),
    ({"providerName": None}, 400, "MISSING_ATTRIBUTE"),
    ({"awsAccountId": "12345"}, 400, "INVALID_ATTRIBUTE"),
    ({"vpcId": "vpc-xyz"}, 400, "INVALID_ATTRIBUTE"),
    ({"accepterRegionName": "US_EAST_1"}, 400, "INVALID_REGION"),
    ({"routeTableCidrBlock": "8.8.0.0/16"}, 400, "INVALID_ROUTE_TABLE_CIDR"),
    ({"routeTableCidrBlock": "10.20.0.0"}, 400, "INVALID_ROUTE_TABLE_CIDR"),
    ({"routeTableCidrBlock": "10.20.0.1/16"}, 400, "INVALID_CIDR_BLOCK"),
    ({"routeTableCidrBlock": "192.168.0.0/16"}, 409, "OVERLAPPING_CIDR_BLOCK"),
    ({"containerId": "aaaaaaaaaaaaaaaaaaaaaaaa"}, 404, "CLOUD_PROVIDER_CONTAINER_NOT_FOUND"),
])
def test_peer_requests_are_validated_like_atlas(api, gid, container, vpc_id, change, status, code):
    body = peer_body(container["id"], vpc_id)
    body.update(change)
    assert_error(api.post(f"/groups/{gid}/peers", json={k: v for k, v in body.items() if v is not None}), status, code)
    assert api.get(f"/groups/{gid}/peers").json()["totalCount"] == 0


def test_route_table_cidr_accepts_what_the_broken_spec_pattern_rejects(api, gid, container, vpc_id):
    # FACTS.md section 8: the spec's routeTableCidrBlock pattern only matches bare IPs; Atlas takes CIDRs.
    assert create_peer(api, gid, peer_body(container["id"], vpc_id, cidr="10.20.0.0/16"))["routeTableCidrBlock"] == "10.20.0.0/16"


def test_duplicates_and_overlapping_peers(api, gid, ec2, container, vpc_id):
    create_peer(api, gid, peer_body(container["id"], vpc_id))
    body = assert_error(api.post(f"/groups/{gid}/peers", json=peer_body(container["id"], vpc_id, cidr="10.21.0.0/16")), 409,
                        "PEER_ALREADY_EXISTS", ["123456789012", vpc_id])
    assert body["detail"] == f"The peer with AWS Account ID 123456789012 and VPC ID {vpc_id} already exists."
    other = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    assert_error(api.post(f"/groups/{gid}/peers", json=peer_body(container["id"], other)), 409, "OVERLAPPING_CIDR_BLOCK", ["10.20.0.0/16"])


def test_patch_updates_and_retargets(api, gid, ec2, container, vpc_id):
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    first = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    patched = api.patch(f"/groups/{gid}/peers/{made['id']}", json=dict(peer_body(container["id"], vpc_id, cidr="10.20.0.0/17")))
    assert patched.status_code == 200 and patched.json()["routeTableCidrBlock"] == "10.20.0.0/17"
    assert patched.json()["connectionId"] == first["connectionId"]
    other = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    retargeted = api.patch(f"/groups/{gid}/peers/{made['id']}", json=peer_body(container["id"], other, cidr="10.40.0.0/16")).json()
    assert retargeted["vpcId"] == other and retargeted["id"] == made["id"]
    now = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    assert now["connectionId"] != first["connectionId"] and now["statusName"] == "PENDING_ACCEPTANCE"
    assert pcx(ec2, first["connectionId"])["Status"]["Code"] == "deleted"
    assert_error(api.patch(f"/groups/{gid}/peers/ffffffffffffffffffffffff", json={}), 404, "PEER_NOT_FOUND")


def test_last_peering_deleted_removes_security_group_entries(api, gid, ec2, container, vpc_id):
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    sg_entry = [{"awsSecurityGroup": "sg-0123456789abcdef0"}]
    assert_error(api.post(f"/groups/{gid}/accessList", json=sg_entry), 400, "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION")
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=api.get(f"/groups/{gid}/peers/{made['id']}").json()["connectionId"])
    answer = api.post(f"/groups/{gid}/accessList", json=sg_entry + [{"cidrBlock": "10.20.0.0/16"}])
    assert answer.status_code == 201 and answer.json()["totalCount"] == 2  # recorded: accessList-create-1.json
    assert api.delete(f"/groups/{gid}/peers/{made['id']}").status_code == 202
    remaining = api.get(f"/groups/{gid}/accessList").json()["results"]
    assert [e.get("cidrBlock") for e in remaining] == ["10.20.0.0/16"]


def test_seeded_peering_and_clusters(atlas_env, api, gid, ec2):
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    made = atlas_env["sim"].seed({
        "containers": [{"project": atlas_env["project_name"], "regionName": "US_WEST_2", "atlasCidrBlock": "10.8.0.0/21", "clusters": True}],
        "peerings": [{"project": atlas_env["project_name"], "regionName": "US_WEST_2", "vpcId": vpc, "awsAccountId": "123456789012",
                      "routeTableCidrBlock": "10.50.0.0/16", "accepterRegionName": "us-east-1"}],
    })
    container_id = made["containers"][0]["id"]
    assert made["containers"][0]["provisioned"] is True
    peer = api.get(f"/groups/{gid}/peers/{made['peerings'][0]['id']}").json()
    assert peer["statusName"] == "PENDING_ACCEPTANCE" and peer["accepterRegionName"] == "us-east-1"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peer["connectionId"])
    assert api.delete(f"/groups/{gid}/peers/{peer['id']}").status_code == 202
    # Clusters still use the container: it stays locked.
    assert_error(api.delete(f"/groups/{gid}/containers/{container_id}"), 409, "CONTAINERS_IN_USE")


def test_finalizing_counts_from_the_accept_not_from_the_next_read(api, gid, ec2, container, vpc_id, atlas_env):
    # Atlas notices the accept on its own: a client that first reads after finalizing_delay sees AVAILABLE at once.
    atlas_env["sim"].config(finalizing_delay=1.0)
    made = create_peer(api, gid, peer_body(container["id"], vpc_id))
    pending = api.get(f"/groups/{gid}/peers/{made['id']}").json()
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pending["connectionId"])
    time.sleep(1.5)
    assert api.get(f"/groups/{gid}/peers/{made['id']}").json()["statusName"] == "AVAILABLE"
