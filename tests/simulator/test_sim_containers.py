"""Network peering containers: CRUD, Atlas's CIDR rules, one per region, locking once a peering exists, pagination."""

import pytest

from simulator_helpers import assert_error, create_container, create_peer, peer_body


def test_create_get_list_patch_delete(api, gid, atlas_env):
    made = create_container(api, gid)
    # An unprovisioned container says "vpcId": null, present (recorded: containers-list-7.json).
    assert made == {"atlasCidrBlock": "192.168.248.0/21", "id": made["id"], "providerName": "AWS", "provisioned": False, "regionName": "US_EAST_1",
                    "vpcId": None}
    assert len(made["id"]) == 24 and int(made["id"], 16) >= 0
    assert api.get(f"/groups/{gid}/containers/{made['id']}").json() == made
    listed = api.get(f"/groups/{gid}/containers", params={"providerName": "AWS"}).json()
    assert listed["results"] == [made] and listed["totalCount"] == 1
    assert api.get(f"/groups/{gid}/containers").json()["results"] == [made]  # providerName defaults to AWS
    assert api.get(f"/groups/{gid}/containers", params={"providerName": "GCP"}).json()["results"] == []
    assert api.get(f"/groups/{gid}/containers/all").json()["results"] == [made]
    change = {"atlasCidrBlock": "10.8.0.0/21", "providerName": "AWS", "regionName": "US_EAST_1"}
    patched = api.patch(f"/groups/{gid}/containers/{made['id']}", json=change)
    assert patched.status_code == 200 and patched.json()["atlasCidrBlock"] == "10.8.0.0/21"
    deleted = api.delete(f"/groups/{gid}/containers/{made['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert_error(api.get(f"/groups/{gid}/containers/{made['id']}"), 404, "CLOUD_PROVIDER_CONTAINER_NOT_FOUND", [made["id"]])
    assert [r["status"] for r in atlas_env["sim"].writes()] == [200, 200, 204]


@pytest.mark.parametrize("body, status, code, parameters", [
    ({"regionName": "US_EAST_1"}, 400, "MISSING_ATTRIBUTE", ["atlasCidrBlock"]),
    ({"atlasCidrBlock": "10.8.0.0/21"}, 400, "MISSING_ATTRIBUTE", ["regionName"]),
    ({"atlasCidrBlock": "10.8.0.0/21", "regionName": "MOON_1"}, 400, "INVALID_REGION", ["MOON_1", "AWS"]),
    ({"atlasCidrBlock": "10.8.0.0/21", "regionName": "US_EAST_1", "providerName": "ORACLE"}, 400, "INVALID_PROVIDER", ["ORACLE"]),
    ({"atlasCidrBlock": "10.8.0.0/16", "regionName": "US_EAST_1"}, 400, "ATLAS_INVALID_CIDR_BLOCK", ["10.8.0.0/16", "21 to /24", "AWS"]),
    ({"atlasCidrBlock": "10.8.0.0/25", "regionName": "US_EAST_1"}, 400, "ATLAS_INVALID_CIDR_BLOCK", ["10.8.0.0/25", "21 to /24", "AWS"]),
    ({"atlasCidrBlock": "11.8.0.0/21", "regionName": "US_EAST_1"}, 400, "ATLAS_INVALID_CIDR_RANGE", ["11.8.0.0/21"]),
    ({"atlasCidrBlock": "10.8.0.1/21", "regionName": "US_EAST_1"}, 400, "ATLAS_NON_CANONICAL_CIDR_BLOCK", ["10.8.0.1/21", "10.8.0.0/21"]),
    ({"atlasCidrBlock": "banana", "regionName": "US_EAST_1"}, 400, "INVALID_CIDR_BLOCK", ["banana"]),
])
def test_create_is_validated_like_atlas(api, gid, atlas_env, body, status, code, parameters):
    assert_error(api.post(f"/groups/{gid}/containers", json=body), status, code, parameters)
    assert atlas_env["sim"].state()["containers"] == []


def test_one_container_per_region_and_no_overlap(api, gid):
    create_container(api, gid, "US_EAST_1", "10.8.0.0/21")
    body = assert_error(api.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": "10.16.0.0/21", "regionName": "US_EAST_1"}),
                        409, "CONTAINER_ALREADY_EXISTS", [gid])
    assert body["detail"] == f"A container already exists for group {gid}."
    assert_error(api.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": "10.8.4.0/22", "regionName": "EU_WEST_1"}),
                 409, "OVERLAPPING_ATLAS_CIDR_BLOCK", ["10.8.4.0/22"])
    create_container(api, gid, "EU_WEST_1", "10.16.0.0/21")
    assert api.get(f"/groups/{gid}/containers").json()["totalCount"] == 2


def test_region_cannot_change(api, gid):
    made = create_container(api, gid)
    assert_error(api.patch(f"/groups/{gid}/containers/{made['id']}", json={"regionName": "US_WEST_2"}), 400, "CANNOT_CHANGE_CONTAINER_REGION")


def test_peering_locks_the_cidr_and_blocks_delete(api, gid, ec2, atlas_env):
    made = create_container(api, gid)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    peer = create_peer(api, gid, peer_body(made["id"], vpc))
    container = api.get(f"/groups/{gid}/containers/{made['id']}").json()
    assert container["provisioned"] is True and container["vpcId"].startswith("vpc-")
    # Atlas's VPC lives in Atlas's own AWS account, not the customer's.
    assert vpc != container["vpcId"]
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] == container["vpcId"]] == []
    body = assert_error(api.patch(f"/groups/{gid}/containers/{made['id']}", json={"atlasCidrBlock": "10.8.0.0/21"}),
                        409, "CONTAINERS_IN_USE", [made["id"]])
    assert body["detail"] == f"Cannot modify in use containers. {made['id']}."
    assert api.patch(f"/groups/{gid}/containers/{made['id']}", json={"atlasCidrBlock": "192.168.248.0/21"}).status_code == 200
    assert_error(api.delete(f"/groups/{gid}/containers/{made['id']}"), 409, "CONTAINERS_IN_USE")
    assert api.delete(f"/groups/{gid}/peers/{peer['id']}").status_code == 202
    assert api.delete(f"/groups/{gid}/containers/{made['id']}").status_code == 204
    assert atlas_env["sim"].state()["containers"] == []


def test_pagination_envelope_and_links(api, gid):
    regions = ["US_EAST_1", "US_EAST_2", "US_WEST_1", "US_WEST_2", "EU_WEST_1"]
    for index, region in enumerate(regions):
        create_container(api, gid, region, f"10.{8 + index * 8}.0.0/21")
    first = api.get(f"/groups/{gid}/containers", params={"itemsPerPage": 2}).json()
    assert first["totalCount"] == 5 and len(first["results"]) == 2
    assert [link["rel"] for link in first["links"]] == ["self", "next"]
    second = api.get(first["links"][1]["href"]).json()
    assert [link["rel"] for link in second["links"]] == ["self", "next", "previous"]
    last = api.get(f"/groups/{gid}/containers", params={"itemsPerPage": 2, "pageNum": 3, "includeCount": "false"}).json()
    assert "totalCount" not in last and len(last["results"]) == 1
    assert [link["rel"] for link in last["links"]] == ["self", "previous"]
    seen = first["results"] + second["results"] + last["results"]
    assert sorted(c["regionName"] for c in seen) == sorted(regions)
    assert_error(api.get(f"/groups/{gid}/containers", params={"itemsPerPage": 501}), 400, "VALIDATION_ERROR")
    assert api.get(f"/groups/{gid}/containers", params={"itemsPerPage": 500}).json()["totalCount"] == 5


def test_malformed_json_and_unknown_container(api, gid):
    answer = api.post(f"/groups/{gid}/containers", data="{not json", headers={"Content-Type": "application/json"})
    assert_error(answer, 400, "MALFORMED_JSON")
    answer = api.post(f"/groups/{gid}/containers", data='{"atlasCidrBlock": "10.8.0.0/21", "regionName": "US_EAST_1"}',
                      headers={"Content-Type": "application/vnd.atlas.2023-01-01+json"})
    assert answer.status_code == 200
    assert_error(api.delete(f"/groups/{gid}/containers/aaaaaaaaaaaaaaaaaaaaaaaa"), 404, "CLOUD_PROVIDER_CONTAINER_NOT_FOUND")
