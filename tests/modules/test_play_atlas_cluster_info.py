"""atlas_cluster_info through real ansible-playbook runs against the simulator: all clusters or one by name, the regions and
connection strings (the private pair once a peering is AVAILABLE), a missing name, bad input and check mode."""

from support.playbooks import expect_failure, task


def test_clusters_one_or_all(play, atlas_env):
    sim, gid = atlas_env["sim"], atlas_env["project_id"]
    sim.add_cluster(gid, "shared-dev", regions=["US_EAST_1", "EU_WEST_1"], nodeCount=5, mongoDBVersion="8.0.4")
    sim.add_cluster(gid, "reports", regionName="AP_SOUTHEAST_2", instanceSize="M30")
    run = play([
        task("all", "atlas_cluster_info", {}),
        dict(task("one in check mode", "atlas_cluster_info", {"name": "shared-dev"}), check_mode=True),
        task("a missing one", "atlas_cluster_info", {"name": "no-such-cluster"}),
        expect_failure("a bad name", "atlas_cluster_info", {"name": "not a name"}),
    ])
    assert run.returncode == 0, run.stderr
    names = [c["name"] for c in run["all"]["clusters"]]
    assert names == ["shared-dev", "reports"] and run["all"]["cluster"] is None and run["all"]["changed"] is False

    one = run["one in check mode"]
    assert one["changed"] is False and one["clusters"] == [one["cluster"]]
    cluster = one["cluster"]
    assert (cluster["name"], cluster["state_name"], cluster["mongodb_version"], cluster["mongodb_major_version"]) == ("shared-dev", "IDLE", "8.0.4", "8.0")
    assert [(r["region_name"], r["aws_region"], r["node_count"], r["instance_size"]) for r in cluster["regions"]] == [
        ("US_EAST_1", "us-east-1", 3, "M10"), ("EU_WEST_1", "eu-west-1", 2, "M10")]
    strings = cluster["connection_strings"]
    assert strings["standard_srv"].startswith("mongodb+srv://shared-dev.") and strings["private_srv"] is None and strings["private"] is None
    # Each read asked for the clusters API's current version and wrote nothing.
    requests = run.api_requests("one in check mode")
    assert [r["method"] for r in requests] == ["GET"] and requests[0]["path"].endswith("/clusters/shared-dev")
    assert run["a missing one"]["cluster"] is None and run["a missing one"]["clusters"] == []
    bad = run["a bad name"]
    assert bad["failed"] and "Invalid name: 'not a name' is not a cluster name" in bad["msg"] and "1 to 64 ASCII letters" in bad["msg"]
    assert run.api_requests("a bad name") == []
    by_name = play([task("by project name", "atlas_cluster_info", {"name": "reports", "project_name": atlas_env["project_name"]})],
                   module_defaults=False)
    assert by_name["by project name"]["cluster"]["regions"][0]["region_name"] == "AP_SOUTHEAST_2"


def test_the_private_connection_string_once_peered(play, atlas_env):
    sim, gid = atlas_env["sim"], atlas_env["project_id"]
    sim.add_cluster(gid, "shared-dev", regionName="US_EAST_1")
    container = sim.state()["containers"][0]
    ec2 = __import__("boto3").client("ec2", endpoint_url=atlas_env["aws_endpoint"], region_name="us-east-1",
                                     aws_access_key_id=atlas_env["aws_access_key_id"], aws_secret_access_key=atlas_env["aws_secret_access_key"])
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    sim.seed({"peerings": [{"project": gid, "containerId": container["id"], "vpcId": vpc, "awsAccountId": atlas_env["aws_account_id"],
                            "routeTableCidrBlock": "10.20.0.0/16", "accepterRegionName": "us-east-1"}]})
    run = play([task("peered", "atlas_vpc_peering", {"region": "us-east-1", "vpc_id": vpc, "aws_account_id": atlas_env["aws_account_id"],
                                                     "route_table_cidr_block": "10.20.0.0/16", "wait_for": "connection"})])
    pcx = run["peered"]["peering"]["connection_id"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    run = play([task("after", "atlas_cluster_info", {"name": "shared-dev"})])
    strings = run["after"]["cluster"]["connection_strings"]
    assert strings["private_srv"].startswith("mongodb+srv://shared-dev-pri.") and "-pri." in strings["private"]
