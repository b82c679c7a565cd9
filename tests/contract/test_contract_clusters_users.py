"""The clusters and database-users operations against the official schemas: every answer the simulator gives, success and
error, in the resource version asked for (clusters: 2024-08-05 through contract_schemas.LATER_VERSIONS, and the deprecated
2023-01-01 one from the spec file; database users: 2023-01-01, their only one)."""

import datetime


from contract_schemas import schema_errors
from contract_session import ContractSession
from support.atlas import digest_auth

GID_UNKNOWN = "0123456789abcdef01234567"
CURRENT = "application/vnd.atlas.2024-08-05+json"


def test_clusters_in_both_versions(owner, atlas_env, customer):
    gid, sim = atlas_env["project_id"], atlas_env["sim"]
    sim.add_cluster(gid, "shared", regions=["US_EAST_1", "EU_WEST_1"], nodeCount=5)
    sim.add_cluster(gid, "free", regionName="US_EAST_1", instanceSize="M0")
    sim.add_cluster(gid, "azure", providerName="AZURE", regionName="EUROPE_WEST")
    with ContractSession(atlas_env["base_url"], digest_auth(atlas_env), accept=CURRENT) as current:
        for name in ("shared", "free", "azure", "no-such-cluster"):
            current.get(f"/groups/{gid}/clusters/{name}")
        current.get(f"/groups/{gid}/clusters")
        current.get(f"/groups/{gid}/clusters", params={"itemsPerPage": 1, "pageNum": 2})
        current.get(f"/groups/{GID_UNKNOWN}/clusters")
    # The private pair too, once a peering in a region of the cluster is AVAILABLE.
    container = owner.get(f"/groups/{gid}/containers", params={"providerName": "AWS"}).json()["results"][0]
    vpc = customer.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    body = {"containerId": container["id"], "providerName": "AWS", "accepterRegionName": "us-east-1", "awsAccountId": "123456789012",
            "routeTableCidrBlock": "10.20.0.0/16", "vpcId": vpc}
    peer = owner.post(f"/groups/{gid}/peers", json=body).json()
    customer.accept_vpc_peering_connection(VpcPeeringConnectionId=owner.get(f"/groups/{gid}/peers/{peer['id']}").json()["connectionId"])
    with ContractSession(atlas_env["base_url"], digest_auth(atlas_env), accept=CURRENT) as peered:
        assert peered.get(f"/groups/{gid}/clusters/shared").json()["connectionStrings"]["privateSrv"]
    assert current.seen == {("getCluster", 200), ("getCluster", 404), ("listClusters", 200), ("listClusters", 404)}
    assert peered.seen == {("getCluster", 200)}


def test_clusters_in_the_deprecated_version(owner, reader, atlas_env):
    # Single-region clusters: LegacyAtlasCluster's electableNodes enum (0, 3, 5, 7 per region) cannot describe a multi-region
    # replica set, whose regions share an odd total (3 + 2); the 2023-01-01 shape is deprecated for that reason among others.
    gid, sim = atlas_env["project_id"], atlas_env["sim"]
    sim.add_cluster(gid, "single", regionName="US_EAST_1")
    sim.add_cluster(gid, "free", regionName="US_EAST_1", instanceSize="M0")
    for name in ("single", "free", "no-such-cluster"):
        owner.get(f"/groups/{gid}/clusters/{name}")
    owner.get(f"/groups/{gid}/clusters")
    reader.get(f"/groups/{gid}/clusters/single")
    assert owner.seen == {("getCluster", 200), ("getCluster", 404), ("listClusters", 200)} and reader.seen == {("getCluster", 200)}


def test_the_2024_08_05_schema_refuses_what_atlas_does_not_send():
    assert schema_errors("ClusterDescription20240805", {"name": "c0", "stateName": "IDLE"}) == []
    assert schema_errors("ClusterDescription20240805", {"name": "c0", "providerSettings": {}}) != []  # a 2023-01-01 field
    assert schema_errors("ReplicationSpec20240805", {"regionConfigs": [{"providerName": "AWS", "regionName": "MARS_1"}]}) != []


def test_database_users(owner, reader, atlas_env):
    gid, sim = atlas_env["project_id"], atlas_env["sim"]
    sim.add_cluster(gid, "shared")
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    users = f"/groups/{gid}/databaseUsers"
    owner.post(users, json={"username": "app-dev", "databaseName": "admin", "password": "s3cret-Passw0rd",
                            "roles": [{"roleName": "readWrite", "databaseName": "orders"},
                                      {"roleName": "read", "databaseName": "orders", "collectionName": "audit"}],
                            "scopes": [{"name": "shared", "type": "CLUSTER"}], "description": "orders app", "deleteAfterDate": soon})
    owner.post(users, json={"username": "arn:aws:iam::123456789012:role/app", "databaseName": "$external", "awsIAMType": "ROLE",
                            "roles": [{"roleName": "read", "databaseName": "orders"}]})
    owner.post(users, json={"username": "app-dev", "databaseName": "admin", "password": "s3cret-Passw0rd", "roles": []})  # 409
    owner.post(f"/groups/{gid}/databaseUsers", json={"username": "short", "password": "short", "roles": []})  # 400
    owner.post(f"/groups/{GID_UNKNOWN}/databaseUsers", json={})
    owner.get(f"/groups/{gid}/databaseUsers")
    owner.get(f"/groups/{gid}/databaseUsers", params={"itemsPerPage": 1, "includeCount": "false"})
    owner.get(f"/groups/{GID_UNKNOWN}/databaseUsers")
    owner.get(f"/groups/{gid}/databaseUsers/admin/app-dev")
    owner.get(f"/groups/{gid}/databaseUsers/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp")
    owner.get(f"/groups/{gid}/databaseUsers/admin/nobody")
    owner.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"roles": [{"roleName": "read", "databaseName": "orders"}]})
    owner.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"description": "x" * 101})
    owner.patch(f"/groups/{gid}/databaseUsers/admin/nobody", json={})
    reader.post(f"/groups/{gid}/databaseUsers", json={"username": "other"})
    reader.get(f"/groups/{gid}/databaseUsers/admin/app-dev")
    owner.delete(f"/groups/{gid}/databaseUsers/admin/app-dev")
    owner.delete(f"/groups/{gid}/databaseUsers/admin/app-dev")
    assert owner.seen == {
        ("createDatabaseUser", 201), ("createDatabaseUser", 409), ("createDatabaseUser", 400), ("createDatabaseUser", 404),
        ("listDatabaseUsers", 200), ("listDatabaseUsers", 404), ("getDatabaseUser", 200), ("getDatabaseUser", 404),
        ("updateDatabaseUser", 200), ("updateDatabaseUser", 400), ("updateDatabaseUser", 404),
        ("deleteDatabaseUser", 204), ("deleteDatabaseUser", 404)}
    assert reader.seen == {("createDatabaseUser", 401), ("getDatabaseUser", 200)}


# ---- where the 2024-08-05 region configs contradict themselves: each correction is needed ---------------------------

AWS_REGION_CONFIG = {"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
                     "electableSpecs": {"instanceSize": "M10", "nodeCount": 3, "diskSizeGB": 10.0, "ebsVolumeType": "STANDARD", "diskIOPS": 3000},
                     "readOnlySpecs": {"instanceSize": "M10", "nodeCount": 0, "diskSizeGB": 10.0, "ebsVolumeType": "STANDARD", "diskIOPS": 3000}}


def test_spec_region_name_of_a_region_config_refuses_its_own_enum():
    name = "CloudRegionConfig20240805.regionName is declared an object"
    assert schema_errors("CloudRegionConfig20240805", AWS_REGION_CONFIG) == []
    errors = schema_errors("CloudRegionConfig20240805", AWS_REGION_CONFIG, skip_corrections=[name])
    assert errors and all("regionName" in e for e in errors), errors


def test_spec_hardware_spec_one_of_matches_three_providers():
    name = "HardwareSpec20240805 oneOf is ambiguous"
    errors = schema_errors("CloudRegionConfig20240805", AWS_REGION_CONFIG, skip_corrections=[name])
    assert errors and all("Specs" in e and "valid under each of" in e for e in errors), errors
