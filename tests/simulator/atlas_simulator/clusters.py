"""Clusters as the simulator keeps them: seeded and removed through the control API, read through the public clusters API
(GET list and by name, in each of the endpoints' resource versions), stored with what Atlas derives its hostnames and
connection strings from.

A cluster's effect on containers lives in model.py; this module holds the record, its validation, the connection strings
and the answers' shapes: ClusterDescription20240805 (2024-08-05, the current version), AdvancedClusterDescription (2023-02-01)
and LegacyAtlasCluster (2023-01-01), as the spec (mongodb/openapi openapi/v2.yaml) declares them for getCluster/listClusters.
"""

import re
import secrets
import string

CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$")  # ASCII letters, digits and hyphens (Atlas's cluster name rule)
INSTANCE_SIZE = re.compile(r"^(M|R)[0-9]+(_NVME)?$")
# Shared tiers run in MongoDB's own networks, not in the project's containers (docs: network peering is for M10+ clusters).
SHARED_INSTANCE_SIZES = ("M0", "M2", "M5")
STATE_NAMES = ("IDLE", "CREATING", "UPDATING", "DELETING", "REPAIRING")
PROVIDERS = ("AWS", "AZURE")
DEFAULTS = {"mongoDBVersion": "8.0.4", "stateName": "IDLE", "providerName": "AWS", "instanceSize": "M10", "nodeCount": 3}
_LOWER_ALNUM = string.ascii_lowercase + string.digits
# Azure region names of Atlas (the spec's AzureCloudProviderContainer.region enum): Azure clusters make Azure containers.
AZURE_REGIONS = (
    "US_CENTRAL", "US_EAST", "US_EAST_2", "US_EAST_2_EUAP", "US_NORTH_CENTRAL", "US_WEST", "US_SOUTH_CENTRAL", "EUROPE_NORTH", "EUROPE_WEST",
    "US_WEST_CENTRAL", "US_WEST_2", "US_WEST_3", "CANADA_EAST", "CANADA_CENTRAL", "BRAZIL_SOUTH", "BRAZIL_SOUTHEAST", "AUSTRALIA_EAST",
    "AUSTRALIA_SOUTH_EAST", "AUSTRALIA_CENTRAL", "AUSTRALIA_CENTRAL_2", "UAE_NORTH", "GERMANY_WEST_CENTRAL", "GERMANY_NORTH",
    "SWITZERLAND_NORTH", "SWITZERLAND_WEST", "SWEDEN_CENTRAL", "SWEDEN_SOUTH", "UK_SOUTH", "UK_WEST", "INDIA_CENTRAL", "INDIA_WEST",
    "INDIA_SOUTH", "CHINA_EAST", "CHINA_NORTH", "ASIA_EAST", "JAPAN_EAST", "JAPAN_WEST", "ASIA_SOUTH_EAST", "KOREA_CENTRAL", "KOREA_SOUTH",
    "FRANCE_CENTRAL", "FRANCE_SOUTH", "SOUTH_AFRICA_NORTH", "SOUTH_AFRICA_WEST", "NORWAY_EAST", "NORWAY_WEST", "UAE_CENTRAL",
    "QATAR_CENTRAL", "POLAND_CENTRAL", "ISRAEL_CENTRAL", "ITALY_NORTH", "SPAIN_CENTRAL", "MEXICO_CENTRAL", "NEW_ZEALAND_NORTH",
)


def _random_text(length):
    return "".join(secrets.choice(_LOWER_ALNUM) for _position in range(length))


def new_cluster(group_id, spec, cluster_id, created, aws_regions):
    """A cluster record from a seed spec; ValueError naming the field for anything Atlas would refuse."""
    unknown = set(spec) - {"project", "name", "mongoDBVersion", "stateName", "providerName", "regionName", "regions", "instanceSize",
                           "nodeCount"}
    if unknown:
        raise ValueError(f"unknown cluster fields: {sorted(unknown)}")
    cluster = dict(DEFAULTS, **{k: v for k, v in spec.items() if k not in ("project", "regionName", "regions")})
    if not CLUSTER_NAME.match(str(cluster.get("name", ""))):
        raise ValueError("a cluster name is 1 to 64 ASCII letters, digits and hyphens, starting with a letter or digit")
    if cluster["providerName"] not in PROVIDERS:
        raise ValueError(f"providerName must be one of {PROVIDERS} (GCP is not simulated)")
    if cluster["stateName"] not in STATE_NAMES:
        raise ValueError(f"stateName must be one of {STATE_NAMES}")
    if not INSTANCE_SIZE.match(str(cluster["instanceSize"])):
        raise ValueError("instanceSize is like M10, M30 or R40")
    if "regions" in spec and "regionName" in spec:
        raise ValueError("give regions (a list) or regionName, not both")
    regions = list(spec["regions"]) if "regions" in spec else [spec.get("regionName", "US_EAST_1")]
    known = aws_regions if cluster["providerName"] == "AWS" else AZURE_REGIONS
    if not regions or len(set(regions)) != len(regions) or any(r not in known for r in regions):
        raise ValueError(f"regions must be distinct {cluster['providerName']} region names like {known[0]}")
    cluster.update(
        id=cluster_id, groupId=group_id, regions=regions, nodeCount=int(cluster["nodeCount"]), clusterType="REPLICASET", createDate=created,
        # What Atlas builds hostnames from: one DNS label per cluster (`cluster0.ab1cd.mongodb.net`) and the replica set
        # name `atlas-<6 characters>-shard-0` (docs: connection strings; real ones look like atlas-8dhkjj-shard-0).
        srvSubdomain=_random_text(5), replicaSetName=f"atlas-{_random_text(6)}-shard-0",
        # The ids of its one replication spec (2023-02-01 and 2023-01-01 name it id, 2024-08-05 adds the zone's id).
        replicationSpecId=secrets.token_hex(12), zoneId=secrets.token_hex(12))
    return cluster


def is_dedicated(cluster):
    """M10 and up: the clusters that run in the project's network peering containers."""
    return cluster["instanceSize"] not in SHARED_INSTANCE_SIZES


def connection_strings(cluster, peered):
    """`connectionStrings` as Atlas composes them: standard and SRV always; the `-pri` network-peering pair only when a
    peering to the cluster's network is AVAILABLE (docs: "private ... returned only if you created a network peering")."""
    label = cluster["name"].lower()
    domain = f"{cluster['srvSubdomain']}.mongodb.net"
    options = f"?ssl=true&authSource=admin&replicaSet={cluster['replicaSetName']}"

    def hosts(suffix):
        return ",".join(f"{label}-shard-00-{node:02d}{suffix}.{domain}:27017" for node in range(cluster["nodeCount"]))

    strings = {"standard": f"mongodb://{hosts('')}/{options}", "standardSrv": f"mongodb+srv://{label}.{domain}"}
    if peered:
        strings.update(private=f"mongodb://{hosts('-pri')}/{options}", privateSrv=f"mongodb+srv://{label}-pri.{domain}")
    return strings


def cluster_view(cluster, peered):
    """What the control API shows of a cluster."""
    keys = ("id", "groupId", "name", "mongoDBVersion", "stateName", "providerName", "regions", "instanceSize", "nodeCount", "clusterType",
            "createDate")
    return dict({key: cluster[key] for key in keys}, connectionStrings=connection_strings(cluster, peered))


# The versions of getCluster and listClusters (openapi/v2.yaml): 2023-01-01 (sunset 2026-11-30), 2023-02-01 (sunset 2026-03-01),
# 2024-08-05 (current). A later Accept date resolves to the newest of them not newer than it.
CLUSTER_VERSIONS = ("2023-01-01", "2023-02-01", "2024-08-05")
DISK_SIZE_GB = 10.0  # GUESS: the smallest M10 disk; the simulator keeps no storage settings


def _nodes_per_region(cluster):
    """The electable nodes of each region: nodeCount spread over the regions, the first regions taking the remainder."""
    regions = cluster["regions"]
    base, extra = divmod(int(cluster["nodeCount"]), len(regions))
    return [(region, base + (1 if index < extra else 0)) for index, region in enumerate(regions)]


def _hardware(cluster, nodes):
    if not is_dedicated(cluster):
        return {"instanceSize": cluster["instanceSize"], "nodeCount": nodes}
    spec = {"instanceSize": cluster["instanceSize"], "nodeCount": nodes, "diskSizeGB": DISK_SIZE_GB}
    if cluster["providerName"] == "AWS":
        spec.update(diskIOPS=3000, ebsVolumeType="STANDARD")
    return spec


def _region_configs(cluster):
    configs = []
    for index, (region, nodes) in enumerate(_nodes_per_region(cluster)):
        config = {"electableSpecs": _hardware(cluster, nodes), "priority": 7 - index, "regionName": region}
        if is_dedicated(cluster):
            config.update(providerName=cluster["providerName"], readOnlySpecs=_hardware(cluster, 0), analyticsSpecs=_hardware(cluster, 0),
                          autoScaling={"compute": {"enabled": False, "scaleDownEnabled": False}, "diskGB": {"enabled": True}})
        else:
            # Shared tiers: Atlas names the tenant provider and the cloud behind it (TenantRegionConfig20240805).
            config.update(providerName="TENANT", backingProviderName=cluster["providerName"])
        configs.append(config)
    return configs


def _common(cluster, peered, href):
    major = ".".join(cluster["mongoDBVersion"].split(".")[:2])
    return {"backupEnabled": False, "biConnector": {"enabled": False, "readPreference": "SECONDARY"}, "clusterType": cluster["clusterType"],
            "connectionStrings": connection_strings(cluster, peered), "createDate": cluster["createDate"], "encryptionAtRestProvider": "NONE",
            "groupId": cluster["groupId"], "id": cluster["id"], "labels": [], "links": [{"href": href, "rel": "self"}],
            "mongoDBMajorVersion": major, "mongoDBVersion": cluster["mongoDBVersion"], "name": cluster["name"], "paused": False,
            "pitEnabled": False, "rootCertType": "ISRGROOTX1", "stateName": cluster["stateName"], "tags": [],
            "terminationProtectionEnabled": False, "versionReleaseSystem": "LTS"}


def api_view(cluster, peered, version, href):
    """The cluster as getCluster/listClusters answer it in `version` (one of CLUSTER_VERSIONS)."""
    view = _common(cluster, peered, href)
    if version == "2023-01-01":
        return _legacy_view(cluster, view)
    spec = {"id": cluster["replicationSpecId"], "regionConfigs": _region_configs(cluster), "zoneName": "Zone 1"}
    if version == "2024-08-05":
        spec["zoneId"] = cluster["zoneId"]
        view.update(diskWarmingMode="FULLY_WARMED", featureCompatibilityVersion=view["mongoDBMajorVersion"],
                    globalClusterSelfManagedSharding=False, redactClientLogData=False, replicaSetScalingStrategy="WORKLOAD_TYPE")
    else:
        spec["numShards"] = 1  # AdvancedClusterDescription counts shards per spec; 2024-08-05 has one spec per shard
        view["diskSizeGB"] = DISK_SIZE_GB
    view["replicationSpecs"] = [spec]
    return view


def _legacy_view(cluster, view):
    """LegacyAtlasCluster: providerSettings names the first region; replicationSpecs[].regionsConfig keys every region."""
    regions = {region: {"analyticsNodes": 0, "electableNodes": nodes, "priority": 7 - index, "readOnlyNodes": 0}
               for index, (region, nodes) in enumerate(_nodes_per_region(cluster))}
    first = cluster["regions"][0]
    if is_dedicated(cluster):
        provider = {"providerName": cluster["providerName"], "instanceSizeName": cluster["instanceSize"], "regionName": first}
    else:
        provider = {"providerName": "TENANT", "backingProviderName": cluster["providerName"], "instanceSizeName": cluster["instanceSize"],
                    "regionName": first}
    strings = view["connectionStrings"]
    view.update(diskSizeGB=DISK_SIZE_GB, mongoURI=strings["standard"].split("/?")[0], mongoURIWithOptions=strings["standard"],
                mongoURIUpdated=cluster["createDate"], numShards=1, providerBackupEnabled=False, providerSettings=provider,
                replicationFactor=int(cluster["nodeCount"]), srvAddress=strings["standardSrv"],
                replicationSpecs=[{"id": cluster["replicationSpecId"], "numShards": 1, "regionsConfig": regions, "zoneName": "Zone 1"}])
    return view
