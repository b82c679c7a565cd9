# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""clusters.py: the calls ask for the clusters endpoints' current resource version (2024-08-05) and no other call does; the
result shape (regions once, both forms, nodes summed over shards; connection strings); the recorded CLUSTER_NOT_FOUND."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import clusters, containers
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply, recorded_reply, recording

GROUP = "6a793f7fc0eb9e7a17716153"
CLUSTER = {
    "id": "6a793f7fc0eb9e7a17716160", "name": "shared-dev", "stateName": "IDLE", "paused": False, "clusterType": "SHARDED",
    "mongoDBVersion": "8.0.4", "mongoDBMajorVersion": "8.0", "createDate": "2026-08-10T03:04:31Z",
    "replicationSpecs": [
        {"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}},
                           {"providerName": "AWS", "regionName": "EU_WEST_1", "priority": 6, "electableSpecs": {"instanceSize": "M30", "nodeCount": 2}}]},
        {"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]},
    ],
    "connectionStrings": {"standard": "mongodb://a:27017/?ssl=true", "standardSrv": "mongodb+srv://shared-dev.ab1cd.mongodb.net",
                          "private": "mongodb://a-pri:27017/?ssl=true", "privateSrv": "mongodb+srv://shared-dev-pri.ab1cd.mongodb.net",
                          "privateEndpoint": [{"connectionString": "mongodb://pl-0:1024", "srvConnectionString": "mongodb+srv://pl-0", "type": "DEDICATED"}]},
}


def test_result_names_each_region_once_in_both_forms_with_its_nodes():
    result = clusters.cluster_result(CLUSTER)
    assert result["regions"] == [
        {"region_name": "US_EAST_1", "aws_region": "us-east-1", "provider_name": "AWS", "instance_size": "M30", "node_count": 6, "priority": 7},
        {"region_name": "EU_WEST_1", "aws_region": "eu-west-1", "provider_name": "AWS", "instance_size": "M30", "node_count": 2, "priority": 6}]
    assert result["connection_strings"] == {
        "standard": "mongodb://a:27017/?ssl=true", "standard_srv": "mongodb+srv://shared-dev.ab1cd.mongodb.net",
        "private": "mongodb://a-pri:27017/?ssl=true", "private_srv": "mongodb+srv://shared-dev-pri.ab1cd.mongodb.net",
        "private_endpoint": [{"connection_string": "mongodb://pl-0:1024", "srv_connection_string": "mongodb+srv://pl-0", "type": "DEDICATED"}]}
    assert (result["name"], result["state_name"], result["mongodb_version"], result["cluster_type"]) == ("shared-dev", "IDLE", "8.0.4", "SHARDED")
    assert clusters.private_srv(CLUSTER) == "mongodb+srv://shared-dev-pri.ab1cd.mongodb.net"
    assert clusters.region_names(CLUSTER) == ["US_EAST_1", "EU_WEST_1"]


def test_before_a_peering_there_is_no_private_string_and_a_tenant_names_its_cloud():
    free = {"name": "free", "replicationSpecs": [{"regionConfigs": [{"providerName": "TENANT", "backingProviderName": "AWS",
                                                                     "regionName": "US_EAST_1", "electableSpecs": {"instanceSize": "M0"}}]}],
            "connectionStrings": {"standardSrv": "mongodb+srv://free.x.mongodb.net"}}
    result = clusters.cluster_result(free)
    assert result["connection_strings"]["private_srv"] is None and result["connection_strings"]["private_endpoint"] == []
    assert clusters.private_srv(free) is None and clusters.private_srv(None) is None
    assert result["regions"][0]["provider_name"] == "AWS" and result["regions"][0]["aws_region"] == "us-east-1"
    azure = {"replicationSpecs": [{"regionConfigs": [{"providerName": "AZURE", "regionName": "EUROPE_WEST", "electableSpecs": {"nodeCount": 3}}]}]}
    assert clusters.regions(azure)[0]["aws_region"] is None


def test_the_calls_ask_for_2024_08_05_and_the_network_calls_for_2023_01_01(atlas, make_client):
    atlas.route("GET", "/groups/%s/clusters/shared-dev" % GROUP, CLUSTER)
    atlas.route("GET", "/groups/%s/clusters" % GROUP, {"results": [CLUSTER], "totalCount": 1})
    atlas.route("GET", "/groups/%s/containers" % GROUP, {"results": [], "totalCount": 0})
    client = make_client()
    assert clusters.get(client, GROUP, "shared-dev") == CLUSTER
    assert clusters.list_all(client, GROUP) == [CLUSTER]
    assert containers.list_aws(client, GROUP) == []
    accepts = [(e["path"].rsplit("/", 1)[1], e["headers"]["Accept"]) for e in atlas.api_requests()]
    assert accepts == [("shared-dev", "application/vnd.atlas.2024-08-05+json"), ("clusters", "application/vnd.atlas.2024-08-05+json"),
                       ("containers", "application/vnd.atlas.2023-01-01+json")]


def test_the_recorded_not_found_is_none_and_an_unknown_project_raises(atlas, make_client):
    name = "other-clusters-get-404-1.json"
    atlas.add(recorded_reply(name))
    assert clusters.get(make_client(), GROUP, "cluster-29") is None
    assert atlas.api_requests()[-1]["path"] == recording(name)["path"]
    atlas.add(Reply(404, {"error": 404, "errorCode": "GROUP_NOT_FOUND", "detail": "No group with ID %s exists." % GROUP, "parameters": [GROUP],
                          "reason": "Not Found"}))
    with pytest.raises(AtlasApiError) as caught:
        clusters.get(make_client(), GROUP, "cluster-29")
    assert caught.value.doing == "read cluster cluster-29" and "check project_id / project_name" in str(caught.value)


def test_a_version_refused_says_which_one_was_asked_for(atlas, make_client):
    atlas.add(Reply(406, {"error": 406, "errorCode": "INVALID_VERSION_DATE", "detail": "Invalid accept header or version date.",
                          "parameters": [], "reason": "Not Acceptable"}))
    with pytest.raises(AtlasApiError) as caught:
        clusters.list_all(make_client(), GROUP)
    assert "API version 2024-08-05 (Accept: application/vnd.atlas.2024-08-05+json)" in str(caught.value)
