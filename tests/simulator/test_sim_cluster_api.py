"""The public clusters API (GET list and by name) in each of its resource versions: 2024-08-05 (current), 2023-02-01 and
2023-01-01 (deprecated); the connection strings as Atlas composes them, the private pair once a peering in one of the
cluster's regions is AVAILABLE; CLUSTER_NOT_FOUND as recorded; the clusters endpoint set's own bucket (10000, recorded)."""

import pytest

from simulator_helpers import assert_error, create_container, create_peer, peer_body
from support.atlas import AtlasSession, digest_auth, recorded

CURRENT = "application/vnd.atlas.2024-08-05+json"


@pytest.fixture
def clusters_api(atlas_env):
    with AtlasSession(atlas_env["base_url"], digest_auth(atlas_env), accept=CURRENT) as session:
        yield session


def test_get_by_name_in_the_current_version(atlas_env, clusters_api, gid):
    atlas_env["sim"].add_cluster(gid, "shared-dev", regions=["US_EAST_1", "EU_WEST_1"], nodeCount=5, mongoDBVersion="8.0.4")
    answer = clusters_api.get(f"/groups/{gid}/clusters/shared-dev")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == CURRENT + ";charset=utf-8"
    cluster = answer.json()
    assert cluster["name"] == "shared-dev" and cluster["groupId"] == gid and cluster["stateName"] == "IDLE"
    assert cluster["mongoDBVersion"] == "8.0.4" and cluster["mongoDBMajorVersion"] == "8.0" and cluster["clusterType"] == "REPLICASET"
    (spec,) = cluster["replicationSpecs"]
    assert "numShards" not in spec and spec["zoneId"] and spec["zoneName"] == "Zone 1"
    configs = spec["regionConfigs"]
    assert [(c["regionName"], c["providerName"], c["priority"], c["electableSpecs"]["nodeCount"]) for c in configs] == [
        ("US_EAST_1", "AWS", 7, 3), ("EU_WEST_1", "AWS", 6, 2)]
    assert all(c["electableSpecs"]["instanceSize"] == "M10" and c["readOnlySpecs"]["nodeCount"] == 0 for c in configs)
    strings = cluster["connectionStrings"]
    label, domain = "shared-dev", strings["standardSrv"].split("shared-dev.", 1)[1]
    assert strings["standardSrv"] == f"mongodb+srv://{label}.{domain}"
    assert strings["standard"].startswith(f"mongodb://{label}-shard-00-00.{domain}:27017,") and strings["standard"].count(":27017") == 5
    assert "private" not in strings and "privateSrv" not in strings  # no peering yet
    assert cluster["links"] == [{"href": f"{atlas_env['base_url']}/api/atlas/v2/groups/{gid}/clusters/shared-dev", "rel": "self"}]


def test_a_later_date_resolves_to_2024_08_05_and_older_dates_get_their_shapes(atlas_env, api, gid):
    atlas_env["sim"].add_cluster(gid, "c0", regionName="US_EAST_1")
    later = api.get(f"/groups/{gid}/clusters/c0", headers={"Accept": "application/vnd.atlas.2025-03-12+json"})
    assert later.headers["Content-Type"] == CURRENT + ";charset=utf-8" and "zoneId" in later.json()["replicationSpecs"][0]
    advanced = api.get(f"/groups/{gid}/clusters/c0", headers={"Accept": "application/vnd.atlas.2024-05-30+json"})
    assert advanced.headers["Content-Type"] == "application/vnd.atlas.2023-02-01+json;charset=utf-8"
    assert advanced.json()["replicationSpecs"][0]["numShards"] == 1 and "zoneId" not in advanced.json()["replicationSpecs"][0]
    legacy = api.get(f"/groups/{gid}/clusters/c0")  # the session's Accept is 2023-01-01
    assert legacy.headers["Content-Type"] == "application/vnd.atlas.2023-01-01+json;charset=utf-8"
    body = legacy.json()
    assert body["providerSettings"] == {"providerName": "AWS", "instanceSizeName": "M10", "regionName": "US_EAST_1"}
    assert body["replicationSpecs"][0]["regionsConfig"] == {"US_EAST_1": {"analyticsNodes": 0, "electableNodes": 3, "priority": 7,
                                                                          "readOnlyNodes": 0}}
    assert body["srvAddress"] == body["connectionStrings"]["standardSrv"] and "regionConfigs" not in body["replicationSpecs"][0]
    # The network endpoints have one version: a clusters date there still answers 2023-01-01.
    containers = api.get(f"/groups/{gid}/containers", headers={"Accept": CURRENT})
    assert containers.headers["Content-Type"] == "application/vnd.atlas.2023-01-01+json;charset=utf-8"


def test_list_every_page(atlas_env, clusters_api, gid):
    for index in range(3):
        atlas_env["sim"].add_cluster(gid, f"c{index}", regionName="US_EAST_1", instanceSize="M0" if index == 2 else "M10")
    page = clusters_api.get(f"/groups/{gid}/clusters", params={"itemsPerPage": 2}).json()
    assert page["totalCount"] == 3 and [c["name"] for c in page["results"]] == ["c0", "c1"]
    assert [link["rel"] for link in page["links"]] == ["self", "next"]
    last = clusters_api.get(f"/groups/{gid}/clusters", params={"itemsPerPage": 2, "pageNum": 2}).json()["results"]
    (shared,) = last
    config = shared["replicationSpecs"][0]["regionConfigs"][0]
    assert config["providerName"] == "TENANT" and config["backingProviderName"] == "AWS" and config["electableSpecs"]["instanceSize"] == "M0"


def test_private_strings_once_a_peering_in_a_region_of_the_cluster_is_available(atlas_env, clusters_api, api, gid, ec2):
    sim = atlas_env["sim"]
    container = create_container(api, gid, "EU_WEST_1", "192.168.240.0/21")
    sim.add_cluster(gid, "shared", regions=["US_EAST_1", "EU_WEST_1"])
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    peer = create_peer(api, gid, peer_body(container["id"], vpc))
    assert "privateSrv" not in clusters_api.get(f"/groups/{gid}/clusters/shared").json()["connectionStrings"]  # INITIATING
    pcx = api.get(f"/groups/{gid}/peers/{peer['id']}").json()["connectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    strings = clusters_api.get(f"/groups/{gid}/clusters/shared").json()["connectionStrings"]
    domain = strings["standardSrv"].split("shared.", 1)[1]
    assert strings["privateSrv"] == f"mongodb+srv://shared-pri.{domain}"
    assert strings["private"].startswith(f"mongodb://shared-shard-00-00-pri.{domain}:27017,")
    assert strings["private"].endswith(strings["standard"].split("/", 3)[3])  # the same options as the public one
    # A cluster in another region only is not reached by that peering.
    sim.add_cluster(gid, "tokyo", regionName="AP_NORTHEAST_1")
    assert "privateSrv" not in clusters_api.get(f"/groups/{gid}/clusters/tokyo").json()["connectionStrings"]


def test_not_found_as_recorded_with_the_clusters_bucket(atlas_env, clusters_api, gid):
    recording = recorded("other-clusters-get-404-1.json")
    answer = clusters_api.get(f"/groups/{gid}/clusters/cluster-29")
    body = assert_error(answer, 404, "CLUSTER_NOT_FOUND", ["cluster-29", gid])
    assert body["detail"] == recording["response_body"]["detail"].replace("6a793f7fc0eb9e7a17716153", gid)
    assert answer.headers["X-Error-Code"] == "CLUSTER_NOT_FOUND"
    assert answer.headers["RateLimit-Limit"] == "10000" and answer.headers["RateLimit-Remaining"] == "9999"
    assert clusters_api.get(f"/groups/{gid}/clusters").headers["RateLimit-Remaining"] == "9998"  # list and get: one set
    assert clusters_api.get(f"/groups/{gid}/containers").headers["RateLimit-Limit"] == "1200"  # other sets keep theirs


def test_only_reads_are_served(atlas_env, clusters_api, gid):
    atlas_env["sim"].add_cluster(gid, "c0")
    for method in ("POST", "PATCH", "DELETE"):
        path = f"/groups/{gid}/clusters" + ("" if method == "POST" else "/c0")
        assert_error(clusters_api.request(method, path, json={}), 405, "RESOURCE_NOT_FOUND")
    assert_error(clusters_api.get("/groups/0123456789abcdef01234567/clusters"), 404, "GROUP_NOT_FOUND")


def test_a_read_only_key_reads_clusters(atlas_env, readonly_api, gid):
    atlas_env["sim"].add_cluster(gid, "c0")
    answer = readonly_api.get(f"/groups/{gid}/clusters/c0", headers={"Accept": CURRENT})
    assert answer.status_code == 200 and answer.json()["name"] == "c0"
