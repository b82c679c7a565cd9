# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas clusters, read only: their paths, one function per call (resource version 2024-08-05, the clusters endpoints'
current one), and the result shape the modules and the role share (regions, connection strings).

Used by atlas_cluster_info, vpc_peering_plan and the vpc_peering_status action. The calls take the AtlasClient
(transport.py) and raise the errors of errors.py; the rest is pure. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import CLUSTERS_API_VERSION, api_path
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import doing
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import to_aws_region

CLUSTERS_PATH = "/groups/{project_id}/clusters"
CLUSTER_PATH = "/groups/{project_id}/clusters/{name}"
# ClusterConnectionStrings, as Atlas names them -> as the modules return them.
CONNECTION_STRINGS = (("standard", "standard"), ("standardSrv", "standard_srv"), ("private", "private"), ("privateSrv", "private_srv"))


def clusters_path(project_id):
    return api_path(CLUSTERS_PATH, project_id=project_id)


def cluster_path(project_id, name):
    return api_path(CLUSTER_PATH, project_id=project_id, name=name)


# -- calls -------------------------------------------------------------------------------------------------------------------
@doing("list the project's clusters")
def list_all(client, project_id):
    """Every cluster of the project (ClusterDescription20240805), all pages."""
    return client.list_all(clusters_path(project_id), version=CLUSTERS_API_VERSION)


@doing("read cluster {name}")
def get(client, project_id, name):
    """The cluster, or None when the project has no cluster of that name (404 CLUSTER_NOT_FOUND)."""
    return client.get_or_none(cluster_path(project_id, name), version=CLUSTERS_API_VERSION)


# -- judgement (pure) -----------------------------------------------------------------------------------------------------
def _aws_region(provider, region_name):
    if provider != "AWS":
        return None
    try:
        return to_aws_region(region_name)
    except ValueError:
        return None


def region_configs(raw):
    """Every region config of every replication spec (shard), in Atlas's order."""
    return [config for spec in raw.get("replicationSpecs") or [] for config in spec.get("regionConfigs") or []]


def regions(raw):
    """The cluster's regions: each region once, with its provider, electable instance size and node count (summed over shards)."""
    found = {}
    for config in region_configs(raw):
        provider = config.get("providerName")
        if provider == "TENANT":  # a shared or Flex tier: backingProviderName is the cloud
            provider = config.get("backingProviderName") or provider
        name = config.get("regionName")
        electable = config.get("electableSpecs") or {}
        region = found.get(name)
        if region is None:
            region = found[name] = {"region_name": name, "aws_region": _aws_region(provider, name), "provider_name": provider,
                                    "instance_size": electable.get("instanceSize"), "node_count": 0, "priority": config.get("priority")}
        region["node_count"] += int(electable.get("nodeCount") or 0)
    return list(found.values())


def region_names(raw):
    return [region["region_name"] for region in regions(raw)]


def connection_strings(raw):
    """The cluster's connection strings (never credentials: Atlas composes them without any); None where Atlas gives none.

    ``private`` and ``private_srv`` (network peering) appear once the project has a peering AVAILABLE to the cluster's network;
    ``private_endpoint`` lists the PrivateLink endpoints' strings.
    """
    given = raw.get("connectionStrings") or {}
    strings = dict((ours, given.get(theirs)) for theirs, ours in CONNECTION_STRINGS)
    strings["private_endpoint"] = [{"connection_string": e.get("connectionString"), "srv_connection_string": e.get("srvConnectionString"),
                                    "type": e.get("type")} for e in given.get("privateEndpoint") or []]
    return strings


def private_srv(raw):
    """The private (network peering) SRV connection string, or None until Atlas gives one."""
    return ((raw or {}).get("connectionStrings") or {}).get("privateSrv") or None


def cluster_result(raw):
    """A cluster as the modules return it: snake_case, regions in both forms, the connection strings."""
    return {
        "id": raw.get("id"),
        "name": raw.get("name"),
        "state_name": raw.get("stateName"),
        "paused": bool(raw.get("paused", False)),
        "cluster_type": raw.get("clusterType"),
        "mongodb_version": raw.get("mongoDBVersion"),
        "mongodb_major_version": raw.get("mongoDBMajorVersion"),
        "create_date": raw.get("createDate"),
        "regions": regions(raw),
        "connection_strings": connection_strings(raw),
    }
