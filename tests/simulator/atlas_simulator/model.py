"""The simulated Atlas: projects, keys, containers, peerings and project IP access lists, with Atlas's validation rules.

Peering status is derived on each read from the real VPC peering connection in moto; timed transitions
(INITIATING, FINALIZING, TERMINATING, access-list PENDING) are evaluated lazily against configurable delays. FINALIZING
counts from the customer's accept, which Atlas notices on its own (`watch_acceptances`), not from the next read.
"""

import datetime
import ipaddress
import re
import secrets
import threading
import time

from .cloud import AtlasAwsAccount, CloudError, DEFAULT_ATLAS_ACCOUNT_ID
from . import database_users
from .clusters import api_view, cluster_view, is_dedicated, new_cluster
from .errors import ApiError
from .ratelimit import RateLimiter

# Atlas AWS region names (FACTS.md 2.2). GLOBAL is in the enum but is no AWS region a container can live in.
ATLAS_AWS_REGIONS = (
    "US_EAST_1", "US_EAST_2", "US_WEST_1", "US_WEST_2", "CA_CENTRAL_1", "EU_NORTH_1", "EU_WEST_1", "EU_WEST_2", "EU_WEST_3",
    "EU_CENTRAL_1", "EU_CENTRAL_2", "SA_EAST_1", "AP_EAST_1", "AP_SOUTHEAST_2", "AP_SOUTHEAST_3", "AP_SOUTHEAST_4", "AP_NORTHEAST_1",
    "AP_NORTHEAST_2", "AP_NORTHEAST_3", "AP_SOUTHEAST_1", "AP_SOUTH_1", "AP_SOUTH_2", "CN_NORTH_1", "CN_NORTHWEST_1", "ME_CENTRAL_1",
    "ME_SOUTH_1", "AF_SOUTH_1", "EU_SOUTH_1", "EU_SOUTH_2", "IL_CENTRAL_1", "CA_WEST_1", "AP_SOUTHEAST_5", "AP_SOUTHEAST_7",
    "MX_CENTRAL_1", "US_GOV_WEST_1", "US_GOV_EAST_1",
)
AWS_REGIONS = {name.lower().replace("_", "-"): name for name in ATLAS_AWS_REGIONS}
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
HEX24 = re.compile(r"^[a-f0-9]{24}$")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
VPC_ID = re.compile(r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")
SECURITY_GROUP_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")
# The CIDRs Atlas gives the containers a cluster makes, first come first served (recorded: containers-list-2.json has
# 192.168.248.0/21 for a single region, containers-list-3.json and -6.json 192.168.240.0/21 for the second). GUESS: on down.
IMPLICIT_CONTAINER_CIDRS = tuple(f"192.168.{third}.0/21" for third in range(248, -1, -8))
MAX_PEERS = 50
MAX_ACCESS_LIST_ENTRIES = 200
MAX_EXPIRATION_DAYS = 7
OWNER, READ_ONLY = "owner", "read_only"
ROLE_ALIASES = {
    "owner": OWNER, "group_owner": OWNER, "project_owner": OWNER, "group_network_access_manager": OWNER,
    "read_only": READ_ONLY, "readonly": READ_ONLY, "group_read_only": READ_ONLY, "project_read_only": READ_ONLY,
}

DEFAULT_CONFIG = {
    "initiating_delay": 0.0,    # seconds a new peering stays INITIATING before Atlas calls CreateVpcPeeringConnection
    "finalizing_delay": 0.0,    # seconds between the customer's accept and AVAILABLE
    "terminating_delay": 0.0,   # seconds a deleted peering stays TERMINATING before it is gone
    "access_list_delay": 0.0,   # seconds an access-list entry stays PENDING before ACTIVE
    "peering_expiry": None,     # seconds after which an unaccepted request is FAILED/EXPIRED (AWS: 7 days); None = never
    "nonce_lifetime": 300.0,    # digest nonce lifetime; older nonces get 401 stale=true
    "token_lifetime": 3600.0,   # service-account bearer token lifetime
    "caller_ip": None,          # the caller IP the API access list check sees; None = the socket's peer address
    "rate_limit_capacity": 1200.0,  # tokens per bucket (recorded: Ratelimit-Limit 1200 in accessList-create-1.json)
    "rate_limit_refill": 100.0,     # GUESS: tokens added each period (not recorded)
    "rate_limit_period": 60.0,      # GUESS: seconds between refills (the docs' sample: "per 60 seconds")
}
RATE_LIMIT_KEYS = ("rate_limit_capacity", "rate_limit_refill", "rate_limit_period")
# How often the simulated back end looks at AWS for accepted requests: the error of finalizing_delay, measured from the accept.
ACCEPTANCE_WATCH_SECONDS = 0.2


def new_id():
    return secrets.token_hex(12)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_private(network):
    return any(network.version == p.version and network.subnet_of(p) for p in PRIVATE_NETWORKS)


def normalise_role(role):
    found = ROLE_ALIASES.get(str(role).lower())
    if found is None:
        raise ValueError(f"unknown role {role!r}; use owner or read_only")
    return found


def ip_allowed(ip_text, access_list):
    """An empty API access list lets every address in; otherwise the caller must be on it."""
    if not access_list:
        return True
    try:
        ip = ipaddress.ip_address(ip_text)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in access_list)


def entry_key(value):
    """The identity of an access-list entry: `1.2.3.4` and `1.2.3.4/32` are one entry; None when not an address/CIDR/SG."""
    value = str(value).strip()
    if value.lower().startswith("sg-"):
        return value.lower()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return None
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def parse_date(text):
    try:
        moment = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


class Principal:
    """An API key or a service account: its roles per project and its own API access list."""

    def __init__(self, kind, name, secret, roles, access_list):
        self.kind = kind  # "api_key" or "service_account"
        self.name = name  # public key or client id
        self.secret = secret
        self.roles = roles  # project id -> OWNER | READ_ONLY
        self.access_list = list(access_list)


class Atlas:
    """All simulated Atlas state behind one lock; handlers call the public methods, which raise ApiError."""

    def __init__(self, aws_endpoint, atlas_account_id=DEFAULT_ATLAS_ACCOUNT_ID, config=None):
        self.lock = threading.RLock()
        self.aws = AtlasAwsAccount(aws_endpoint, atlas_account_id)
        self.defaults = dict(DEFAULT_CONFIG, **(config or {}))
        self.config = dict(self.defaults)
        self.projects = {}
        self.principals = {}
        self.containers = {}
        self.peers = {}
        self.access_lists = {}
        self.clusters = {}
        self.database_users = {}  # group id -> {(databaseName, username): record}
        self.rate_limiter = RateLimiter()
        # Atlas's own Azure subscription, the same for every container of an environment (recorded: containers-list-9 and -10).
        self.azure_subscription_id = new_id()

    # ---- control -----------------------------------------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.config = dict(self.defaults)
            self.projects.clear()
            self.principals.clear()
            self.containers.clear()
            self.peers.clear()
            self.access_lists.clear()
            self.clusters.clear()
            self.database_users.clear()
            self.rate_limiter.clear()
            self.aws.forget_credentials()

    def configure(self, changes):
        with self.lock:
            unknown = set(changes) - set(DEFAULT_CONFIG)
            if unknown:
                raise ValueError(f"unknown config keys: {sorted(unknown)}")
            self.config.update(changes)
            if set(changes) & set(RATE_LIMIT_KEYS):
                self.rate_limiter.clear()  # buckets are made with the sizes of their time
            return dict(self.config)

    def project_by_ref(self, ref):
        """A project by id or name (seed documents may use either)."""
        if ref in self.projects:
            return self.projects[ref]
        for project in self.projects.values():
            if project["name"] == ref:
                return project
        raise ValueError(f"no seeded project {ref!r}")

    def seed(self, document):
        """Add projects, API keys, service accounts, containers, peerings and access-list entries; returns what was made."""
        made = {"projects": [], "api_keys": [], "service_accounts": [], "containers": [], "clusters": [], "peerings": [], "access_list": [],
                "rate_limits": []}
        with self.lock:
            for spec in document.get("projects", []):
                if "clusterCount" in spec:
                    raise ValueError("clusterCount counts the project's seeded clusters: seed clusters instead")
                project = {"id": spec.get("id") or new_id(), "name": spec["name"], "orgId": spec.get("orgId") or new_id(),
                           "created": iso(utc_now()),
                           "tags": [{"key": str(t["key"]), "value": str(t["value"])} for t in spec.get("tags", [])],
                           "withDefaultAlertsSettings": bool(spec.get("withDefaultAlertsSettings", True))}
                if not HEX24.match(project["id"]) or not HEX24.match(project["orgId"]):
                    raise ValueError("a project id and an orgId are 24 lower-case hex digits")
                self.projects[project["id"]] = project
                self.access_lists.setdefault(project["id"], {})
                made["projects"].append(dict(project))
            for kind, key_name, secret_name in (("api_keys", "public_key", "private_key"), ("service_accounts", "client_id", "client_secret")):
                for spec in document.get(kind, []):
                    name = spec.get(key_name) or (f"mdb_sa_id_{new_id()}" if kind == "service_accounts" else secrets.token_hex(4))
                    secret = spec.get(secret_name) or secrets.token_hex(16)
                    roles = {self.project_by_ref(ref)["id"]: normalise_role(role) for ref, role in spec.get("roles", {}).items()}
                    for network in spec.get("access_list", []):
                        ipaddress.ip_network(network, strict=False)
                    self.principals[name] = Principal(kind[:-1], name, secret, roles, spec.get("access_list", []))
                    made[kind].append({key_name: name, secret_name: secret, "roles": roles, "access_list": list(spec.get("access_list", []))})
            for spec in document.get("containers", []):
                project = self.project_by_ref(spec["project"])
                body = {key: spec[key] for key in ("atlasCidrBlock", "regionName", "providerName") if key in spec}
                container = self.create_container(project["id"], body)
                if spec.get("clusters"):
                    # The older seed flag: one cluster in the container's region.
                    self.add_cluster(project["id"], {"name": f"seeded-{container['regionName'].lower().replace('_', '-')}",
                                                     "regionName": container["regionName"]})
                made["containers"].append(self.container_view(self.containers[container["id"]]))
            for spec in document.get("clusters", []):
                made["clusters"].append(self.add_cluster(self.project_by_ref(spec["project"])["id"], spec))
            for spec in document.get("peerings", []):
                project = self.project_by_ref(spec["project"])
                body = {key: value for key, value in spec.items() if key not in ("project", "regionName")}
                if "containerId" not in body:
                    body["containerId"] = self._container_in_region(project["id"], spec["regionName"])["id"]
                body.setdefault("providerName", "AWS")
                made["peerings"].append(self.create_peer(project["id"], body))
            for spec in document.get("access_list", []):
                project = self.project_by_ref(spec["project"])
                self.add_access_list(project["id"], spec["entries"])
                made["access_list"].extend(self.list_access_list(project["id"]))
            for spec in document.get("rate_limits", []):
                project = self.project_by_ref(spec["project"])
                self.rate_limiter.set_remaining(spec["endpoint_set"], project["id"], spec["remaining"], self.config)
                made["rate_limits"].append({"project": project["id"], "endpoint_set": spec["endpoint_set"], "remaining": int(spec["remaining"])})
        return made

    def _container_in_region(self, group_id, region_name, provider="AWS"):
        for container in self.containers.values():
            if container["groupId"] == group_id and container["providerName"] == provider and container["regionName"] == region_name:
                return container
        raise ValueError(f"no {provider} container in {region_name}")

    def snapshot(self):
        with self.lock:
            return {
                "projects": list(self.projects.values()),
                "principals": [{"kind": p.kind, "name": p.name, "roles": p.roles, "access_list": p.access_list} for p in self.principals.values()],
                "containers": [self.container_view(c) for c in self.containers.values()],
                "clusters": [self._cluster_view(c) for c in self.clusters.values()],
                "peerings": [dict(self.peer_view(p), groupId=p["groupId"]) for p in list(self.peers.values()) if p["id"] in self.peers],
                "access_lists": {gid: [self.entry_view(e) for e in entries.values()] for gid, entries in self.access_lists.items()},
                "database_users": {gid: [database_users.control_view(u) for u in users.values()] for gid, users in self.database_users.items()},
                "config": dict(self.config),
                "atlas_account_id": self.aws.account_id,
            }

    # ---- authorisation -----------------------------------------------------------------------------------------
    def principal(self, name):
        return self.principals.get(name)

    def authorize(self, principal, group_id, write):
        """The project, after checking it exists, the principal belongs to it, and its role allows the method."""
        project = self.projects.get(group_id)
        if project is None:
            raise ApiError("GROUP_NOT_FOUND", group_id)
        role = principal.roles.get(group_id)
        if role is None:
            raise ApiError("NOT_IN_GROUP")
        if write and role != OWNER:
            raise ApiError("USER_UNAUTHORIZED")
        return project

    def group_view(self, group_id):
        """A project as the Group resource shows it, links aside (the app adds them: they name the host)."""
        project = self.projects[group_id]
        keys = ("created", "id", "name", "orgId", "tags", "withDefaultAlertsSettings")
        view = {key: project[key] for key in keys}
        view["clusterCount"] = sum(1 for c in self.clusters.values() if c["groupId"] == group_id)
        return view

    def project_by_name(self, principal, name):
        for project in self.projects.values():
            if project["name"] == name:
                if project["id"] not in principal.roles:
                    raise ApiError("NOT_IN_GROUP")
                return dict(project)
        raise ApiError("GROUP_NAME_NOT_FOUND", name)

    # ---- timed transitions -------------------------------------------------------------------------------------
    def advance(self):
        """Carry out what is due: peering requests after INITIATING, deletions after TERMINATING, expired access-list entries."""
        now = time.monotonic()
        for peer in list(self.peers.values()):
            if peer["deleteRequested"] is not None:
                if now - peer["deleteRequested"] >= self.config["terminating_delay"]:
                    self._finish_delete(peer)
            elif peer["pcxId"] is None and peer["errorState"] is None and now - peer["created"] >= self.config["initiating_delay"]:
                self._request_peering(peer)
        wall = utc_now()
        for entries in list(self.access_lists.values()) + list(self.database_users.values()):
            for key, entry in list(entries.items()):
                if entry.get("deleteAfterDate") is not None and entry["deleteAfterDate"] <= wall:
                    del entries[key]

    def notice_acceptances(self):
        """What Atlas's back end does between reads: find the requests the customer accepted, so FINALIZING starts then.

        Without it, FINALIZING would start at the first read after the accept and a client that reads late would wait
        finalizing_delay more than on Atlas. AWS is asked outside the lock (one call per region), so reads are not held up.
        """
        with self.lock:
            waiting = [(AWS_REGION_OF[self.containers[p["containerId"]]["regionName"]], p["pcxId"]) for p in self.peers.values()
                       if p["pcxId"] and p["activeSince"] is None and p["errorState"] is None and p["deleteRequested"] is None
                       and p["containerId"] in self.containers]
        by_region = {}
        for region, pcx_id in waiting:
            by_region.setdefault(region, []).append(pcx_id)
        accepted = set()
        for region, pcx_ids in by_region.items():
            accepted.update(pcx_id for pcx_id, code in self.aws.peering_states(region, pcx_ids).items() if code == "active")
        if not accepted:
            return
        now = time.monotonic()
        with self.lock:
            for peer in self.peers.values():
                if peer["pcxId"] in accepted and peer["activeSince"] is None:
                    peer["activeSince"] = now

    def watch_acceptances(self, stopped, interval=ACCEPTANCE_WATCH_SECONDS):
        """notice_acceptances() every interval until the event `stopped` is set (a daemon thread of the server)."""
        while not stopped.wait(interval):
            try:
                self.notice_acceptances()
            except Exception:  # pylint: disable=broad-except  # a moto reset or restart mid-call; the next round retries
                pass

    # ---- containers --------------------------------------------------------------------------------------------
    def container_view(self, container):
        if container["providerName"] == "AZURE":
            # Azure's own shape: region, azureSubscriptionId, vnetName, no vpcId (recorded: containers-list-9.json).
            return {"atlasCidrBlock": container["atlasCidrBlock"], "azureSubscriptionId": self.azure_subscription_id, "id": container["id"],
                    "providerName": "AZURE", "provisioned": bool(self._clusters_using(container)), "region": container["regionName"],
                    "vnetName": container["vnetName"]}
        # provisioned is true exactly while Atlas's VPC exists (every recording pairs it with a vpcId); an unprovisioned
        # container says "vpcId": null, present (recorded: containers-list-7.json).
        return {"atlasCidrBlock": container["atlasCidrBlock"], "id": container["id"], "providerName": "AWS",
                "provisioned": container["vpcId"] is not None, "regionName": container["regionName"], "vpcId": container["vpcId"]}

    def _container(self, group_id, container_id):
        container = self.containers.get(container_id)
        if container is None or container["groupId"] != group_id:
            raise ApiError("CLOUD_PROVIDER_CONTAINER_NOT_FOUND", container_id)
        return container

    def _clusters_using(self, container):
        """The project's dedicated clusters with a node in the container's provider and region."""
        return [c for c in self.clusters.values() if c["groupId"] == container["groupId"] and c["providerName"] == container["providerName"]
                and container["regionName"] in c["regions"] and is_dedicated(c)]

    def _in_use(self, container):
        return bool(self._clusters_using(container)) or any(p["containerId"] == container["id"] for p in self.peers.values())

    def _check_atlas_cidr(self, group_id, cidr_text, exclude_id=None, provider="AWS"):
        try:
            loose = ipaddress.ip_network(str(cidr_text), strict=False)
        except ValueError:
            raise ApiError("INVALID_CIDR_BLOCK", cidr_text) from None
        if loose.version != 4 or "/" not in str(cidr_text):
            raise ApiError("INVALID_CIDR_BLOCK", cidr_text)
        if str(loose) != cidr_text:
            raise ApiError("ATLAS_NON_CANONICAL_CIDR_BLOCK", cidr_text, str(loose))
        if not is_private(loose):
            raise ApiError("ATLAS_INVALID_CIDR_RANGE", cidr_text)
        if not 21 <= loose.prefixlen <= 24:
            raise ApiError("ATLAS_INVALID_CIDR_BLOCK", cidr_text, "21 to /24", provider)
        if self._overlapping(group_id, loose, provider, exclude_id):
            raise ApiError("OVERLAPPING_ATLAS_CIDR_BLOCK", cidr_text)

    def _overlapping(self, group_id, network, provider, exclude_id=None):
        return any(other["groupId"] == group_id and other["providerName"] == provider and other["id"] != exclude_id
                   and network.overlaps(ipaddress.ip_network(other["atlasCidrBlock"])) for other in self.containers.values())

    @staticmethod
    def _check_provider(body, required=False):
        provider = body.get("providerName")
        if provider is None and required:
            raise ApiError("MISSING_ATTRIBUTE", "providerName")
        if provider not in (None, "AWS"):
            raise ApiError("INVALID_PROVIDER", provider)

    def list_containers(self, group_id, provider="AWS"):
        """The project's containers of one provider; provider None means every provider (/containers/all)."""
        if provider not in (None, "AWS", "AZURE", "GCP"):
            raise ApiError("INVALID_PROVIDER", provider)
        return [self.container_view(c) for c in self.containers.values() if c["groupId"] == group_id and provider in (c["providerName"], None)]

    def get_container(self, group_id, container_id):
        return self.container_view(self._container(group_id, container_id))

    def create_container(self, group_id, body):
        """POST: AWS containers only (Azure ones come with Azure clusters)."""
        self._check_provider(body)
        for name in ("regionName", "atlasCidrBlock"):
            if not body.get(name):
                raise ApiError("MISSING_ATTRIBUTE", name)
        region = body["regionName"]
        if region not in ATLAS_AWS_REGIONS:
            raise ApiError("INVALID_REGION", region, "AWS")
        if any(c["groupId"] == group_id and c["providerName"] == "AWS" and c["regionName"] == region for c in self.containers.values()):
            raise ApiError("CONTAINER_ALREADY_EXISTS", group_id)
        self._check_atlas_cidr(group_id, body["atlasCidrBlock"])
        return self.container_view(self._new_container(group_id, "AWS", region, body["atlasCidrBlock"]))

    def _new_container(self, group_id, provider, region, cidr):
        container = {"id": new_id(), "groupId": group_id, "providerName": provider, "regionName": region, "atlasCidrBlock": cidr, "vpcId": None}
        if provider == "AZURE":
            container["vnetName"] = f"vnet_{container['id']}_{secrets.token_hex(4)}"  # recorded: vnet_<container id>_<8 characters>
        self.containers[container["id"]] = container
        return container

    def update_container(self, group_id, container_id, body):
        container = self._container(group_id, container_id)
        self._check_provider(body)
        if body.get("regionName") not in (None, container["regionName"]):
            raise ApiError("CANNOT_CHANGE_CONTAINER_REGION")
        cidr = body.get("atlasCidrBlock")
        if cidr is not None and cidr != container["atlasCidrBlock"]:
            if self._in_use(container):
                raise ApiError("CONTAINERS_IN_USE", container_id)
            self._check_atlas_cidr(group_id, cidr, exclude_id=container_id, provider=container["providerName"])
            self._unprovision(container)
            container["atlasCidrBlock"] = cidr
        return self.container_view(container)

    def delete_container(self, group_id, container_id):
        container = self._container(group_id, container_id)
        if self._in_use(container):
            raise ApiError("CONTAINERS_IN_USE", container_id)
        self._unprovision(container)
        del self.containers[container_id]

    def _provision(self, container):
        """Atlas builds its VPC with the first cluster or peering request in the region (docs: Atlas creates a VPC "if no
        existing VPC or VPC peering connection exists"); a VPC built later is a new one, with a new vpcId."""
        if container["providerName"] == "AWS" and container["vpcId"] is None:
            try:
                container["vpcId"] = self.aws.create_vpc(AWS_REGION_OF[container["regionName"]], container["atlasCidrBlock"])
            except CloudError as exc:
                raise ApiError("UNEXPECTED_ERROR") from exc

    def _unprovision(self, container):
        if container["vpcId"]:
            self.aws.delete_vpc(AWS_REGION_OF[container["regionName"]], container["vpcId"])
            container["vpcId"] = None

    def _release_if_unused(self, container):
        """When the last cluster of the region goes, Atlas tears its VPC down: provisioned false, vpcId null (recorded:
        containers-list-7.json). GUESS: the same when the last user is a peering (no source shows a container with peerings
        and no cluster): while any peering uses the container its VPC stays, since the peering connection is attached to it."""
        if not self._in_use(container):
            self._unprovision(container)

    # ---- clusters (seeded and removed through the control API) -------------------------------------------------
    def _cluster_view(self, cluster):
        return cluster_view(cluster, self._peered(cluster))

    def _containers_of(self, cluster):
        return [c for c in self.containers.values() if c["groupId"] == cluster["groupId"] and c["providerName"] == cluster["providerName"]
                and c["regionName"] in cluster["regions"]]

    def _container_for_cluster(self, group_id, provider, region):
        """The region's container, made with the next free Atlas CIDR when the project has none there (docs: a dedicated
        cluster creates the region's container and "Atlas assigns the VPC a CIDR block")."""
        try:
            return self._container_in_region(group_id, region, provider)
        except ValueError:
            pass
        for cidr in IMPLICIT_CONTAINER_CIDRS:
            if not self._overlapping(group_id, ipaddress.ip_network(cidr), provider):
                return self._new_container(group_id, provider, region, cidr)
        raise ValueError(f"no free /21 left in 192.168.0.0/16 for a {provider} container in {region}")

    def add_cluster(self, group_id, spec):
        """A cluster; a dedicated one provisions the container of each of its regions (making it if needed)."""
        with self.lock:
            if any(c["groupId"] == group_id and c["name"] == spec.get("name") for c in self.clusters.values()):
                raise ValueError(f"project {group_id} already has a cluster named {spec.get('name')!r}")
            cluster = new_cluster(group_id, spec, new_id(), iso(utc_now()), ATLAS_AWS_REGIONS)
            if is_dedicated(cluster):
                for region in cluster["regions"]:
                    self._provision(self._container_for_cluster(group_id, cluster["providerName"], region))
            self.clusters[cluster["id"]] = cluster
            return self._cluster_view(cluster)

    def remove_cluster(self, group_id, name):
        with self.lock:
            found = [c for c in self.clusters.values() if c["groupId"] == group_id and c["name"] == name]
            if not found:
                raise ValueError(f"project {group_id} has no cluster named {name!r}")
            cluster = self.clusters.pop(found[0]["id"])
            for container in self._containers_of(cluster):
                self._release_if_unused(container)
            return self._cluster_view(cluster)

    def list_clusters(self, group_id=None):
        with self.lock:
            return [self._cluster_view(c) for c in self.clusters.values() if group_id in (None, c["groupId"])]

    def _peered(self, cluster):
        return any(p["containerId"] == c["id"] and self._peer_status(p)[0] == "AVAILABLE" for c in self._containers_of(cluster)
                   for p in list(self.peers.values()))

    def api_clusters(self, group_id, version, href_of):
        """listClusters: the project's clusters in `version`; href_of(name) is each one's self link."""
        return [api_view(c, self._peered(c), version, href_of(c["name"])) for c in self.clusters.values() if c["groupId"] == group_id]

    def api_cluster(self, group_id, name, version, href):
        for cluster in self.clusters.values():
            if cluster["groupId"] == group_id and cluster["name"] == name:
                return api_view(cluster, self._peered(cluster), version, href)
        raise ApiError("CLUSTER_NOT_FOUND", name, group_id)  # recorded: other-clusters-get-404-1.json

    # ---- database users ------------------------------------------------------------------------------------------
    def _cluster_names(self, group_id):
        return {c["name"] for c in self.clusters.values() if c["groupId"] == group_id}

    def _database_user(self, group_id, database, username):
        user = self.database_users.get(group_id, {}).get((database, username))
        if user is None:
            raise ApiError("USERNAME_NOT_FOUND", username)
        return user

    def list_database_users(self, group_id, href_of):
        return [database_users.view(u, href_of(u)) for u in self.database_users.get(group_id, {}).values()]

    def get_database_user(self, group_id, database, username, href):
        return database_users.view(self._database_user(group_id, database, username), href)

    def create_database_user(self, group_id, body, href_of):
        record = database_users.validated(body, utc_now(), self._cluster_names(group_id))
        users = self.database_users.setdefault(group_id, {})
        key = (record["databaseName"], record["username"])
        if key in users:
            raise ApiError("USER_ALREADY_EXISTS")  # GUESS: the code of a duplicate user
        users[key] = record
        return database_users.view(record, href_of(record))

    def update_database_user(self, group_id, database, username, body, href):
        existing = self._database_user(group_id, database, username)
        record = database_users.validated(body, utc_now(), self._cluster_names(group_id), existing=existing)
        self.database_users[group_id][(database, username)] = record
        return database_users.view(record, href)

    def delete_database_user(self, group_id, database, username):
        self._database_user(group_id, database, username)
        del self.database_users[group_id][(database, username)]

    def database_user_password_matches(self, group_id, database, username, password):
        """Control API only: whether `password` is the user's (tests of update_password); never reveals the password."""
        with self.lock:
            return database_users.password_matches(self._database_user(group_id, database, username), password)

    # ---- peerings ----------------------------------------------------------------------------------------------
    def peer_view(self, peer):
        status, error_state = self._peer_status(peer)
        container = self.containers[peer["containerId"]]
        view = {"awsAccountId": peer["awsAccountId"], "containerId": peer["containerId"], "id": peer["id"], "providerName": "AWS",
                "routeTableCidrBlock": peer["routeTableCidrBlock"], "statusName": status, "vpcId": peer["vpcId"]}
        # Atlas leaves out what is null: no connectionId before the request, no errorStateName without an error,
        # no accepterRegionName when the customer VPC is in the container's region (FACTS.md 2.3).
        if peer["pcxId"]:
            view["connectionId"] = peer["pcxId"]
        if error_state:
            view["errorStateName"] = error_state
        if peer["accepterRegionName"] and peer["accepterRegionName"] != AWS_REGION_OF[container["regionName"]]:
            view["accepterRegionName"] = peer["accepterRegionName"]
        return view

    def _peer_region(self, peer):
        return peer["accepterRegionName"] or AWS_REGION_OF[self.containers[peer["containerId"]]["regionName"]]

    def _request_peering(self, peer):
        container = self.containers[peer["containerId"]]
        peer["requested"] = time.monotonic()
        try:
            self._provision(container)
            pcx_id, accepter_cidr = self.aws.request_peering(AWS_REGION_OF[container["regionName"]], container["vpcId"], peer["vpcId"],
                                                             peer["awsAccountId"], self._peer_region(peer))
        except (CloudError, ApiError):
            peer["errorState"] = "INVALID_ARGUMENT"  # the customer VPC does not exist in that account/region
            return
        peer["pcxId"] = pcx_id
        if accepter_cidr and ipaddress.ip_network(accepter_cidr).overlaps(ipaddress.ip_network(container["atlasCidrBlock"])):
            peer["errorState"] = "INVALID_ARGUMENT"  # AWS fails requests between overlapping CIDRs

    def _peer_status(self, peer):
        """(statusName, errorStateName) from the timers and the real pcx state in moto."""
        if peer["deleteRequested"] is not None:
            return "TERMINATING", None
        if peer["errorState"]:
            return "FAILED", peer["errorState"]
        now = time.monotonic()
        if peer["pcxId"] is None:
            if now - peer["created"] < self.config["initiating_delay"]:
                return "INITIATING", None
            self._request_peering(peer)
            if peer["errorState"]:
                return "FAILED", peer["errorState"]
        code = self.aws.peering_state(AWS_REGION_OF[self.containers[peer["containerId"]]["regionName"]], peer["pcxId"])
        if code in ("initiating-request", "pending-acceptance", "provisioning"):
            expiry = self.config["peering_expiry"]
            if expiry is not None and now - peer["requested"] >= expiry:
                peer["errorState"] = "EXPIRED"
                return "FAILED", "EXPIRED"
            return "PENDING_ACCEPTANCE", None
        if code == "active":
            if peer["activeSince"] is None:
                peer["activeSince"] = now
            if now - peer["activeSince"] < self.config["finalizing_delay"]:
                return "FINALIZING", None
            return "AVAILABLE", None
        peer["errorState"] = {"rejected": "REJECTED", "expired": "EXPIRED"}.get(code, "INVALID_ARGUMENT")
        return "FAILED", peer["errorState"]

    def _peer(self, group_id, peer_id):
        peer = self.peers.get(peer_id)
        if peer is None or peer["groupId"] != group_id:
            raise ApiError("PEER_NOT_FOUND", peer_id, group_id)
        return peer

    def _check_peer_body(self, group_id, body, exclude_id=None):
        self._check_provider(body, required=True)
        for name in ("containerId", "accepterRegionName", "awsAccountId", "routeTableCidrBlock", "vpcId"):
            if body.get(name) in (None, ""):
                raise ApiError("MISSING_ATTRIBUTE", name)
        container = self._container(group_id, str(body["containerId"]))
        if container["providerName"] != "AWS":
            raise ApiError("INVALID_ATTRIBUTE", "containerId")  # GUESS: an AWS peering cannot use an Azure container
        if not ACCOUNT_ID.match(str(body["awsAccountId"])):
            raise ApiError("INVALID_ATTRIBUTE", "awsAccountId")
        if not VPC_ID.match(str(body["vpcId"])):
            raise ApiError("INVALID_ATTRIBUTE", "vpcId")
        if body["accepterRegionName"] not in AWS_REGIONS:
            raise ApiError("INVALID_REGION", body["accepterRegionName"], "AWS")
        # Not the spec's routeTableCidrBlock pattern, which rejects every CIDR (FACTS.md section 8): an RFC 1918 CIDR.
        cidr_text = str(body["routeTableCidrBlock"])
        try:
            route_cidr = ipaddress.ip_network(cidr_text, strict=True)
        except ValueError:
            raise ApiError("INVALID_CIDR_BLOCK", cidr_text) from None
        if "/" not in cidr_text or route_cidr.version != 4 or not is_private(route_cidr):
            raise ApiError("INVALID_ROUTE_TABLE_CIDR", cidr_text)
        if route_cidr.overlaps(ipaddress.ip_network(container["atlasCidrBlock"])):
            raise ApiError("OVERLAPPING_CIDR_BLOCK", cidr_text)
        for other in self.peers.values():
            if other["containerId"] != container["id"] or other["id"] == exclude_id or other["deleteRequested"] is not None:
                continue
            if other["awsAccountId"] == body["awsAccountId"] and other["vpcId"] == body["vpcId"]:
                raise ApiError("PEER_ALREADY_EXISTS", body["awsAccountId"], body["vpcId"])
            if route_cidr.overlaps(ipaddress.ip_network(other["routeTableCidrBlock"])):
                raise ApiError("OVERLAPPING_CIDR_BLOCK", cidr_text)
        return container

    def list_peers(self, group_id, provider="AWS"):
        if provider not in ("AWS", "AZURE", "GCP"):
            raise ApiError("INVALID_PROVIDER", provider)
        if provider != "AWS":
            return []
        return [self.peer_view(p) for p in list(self.peers.values()) if p["groupId"] == group_id]

    def get_peer(self, group_id, peer_id):
        return self.peer_view(self._peer(group_id, peer_id))

    def create_peer(self, group_id, body):
        container = self._check_peer_body(group_id, body)
        if sum(1 for p in self.peers.values() if p["groupId"] == group_id) >= MAX_PEERS:
            raise ApiError("PEER_MAXIMUM_REACHED", MAX_PEERS)
        self._provision(container)
        peer = {"id": new_id(), "groupId": group_id, "containerId": container["id"], "awsAccountId": body["awsAccountId"],
                "vpcId": body["vpcId"], "routeTableCidrBlock": body["routeTableCidrBlock"], "accepterRegionName": body["accepterRegionName"],
                "created": time.monotonic(), "requested": None, "pcxId": None, "errorState": None, "activeSince": None, "deleteRequested": None}
        self.peers[peer["id"]] = peer
        # The answer to the POST is always INITIATING (FACTS.md section 7); the request to AWS happens afterwards.
        return self._initiating_view(peer)

    def _initiating_view(self, peer):
        view = {"awsAccountId": peer["awsAccountId"], "containerId": peer["containerId"], "id": peer["id"], "providerName": "AWS",
                "routeTableCidrBlock": peer["routeTableCidrBlock"], "statusName": "INITIATING", "vpcId": peer["vpcId"]}
        if peer["accepterRegionName"] != AWS_REGION_OF[self.containers[peer["containerId"]]["regionName"]]:
            view["accepterRegionName"] = peer["accepterRegionName"]
        return view

    def update_peer(self, group_id, peer_id, body):
        peer = self._peer(group_id, peer_id)
        status, _error = self._peer_status(peer)
        if status in ("INITIATING", "FINALIZING", "TERMINATING"):
            raise ApiError("PEER_INVALID_STATE", peer_id, group_id)
        merged = {"providerName": "AWS", "containerId": peer["containerId"], "accepterRegionName": peer["accepterRegionName"],
                  "awsAccountId": peer["awsAccountId"], "routeTableCidrBlock": peer["routeTableCidrBlock"], "vpcId": peer["vpcId"]}
        merged.update({k: v for k, v in body.items() if v is not None})
        if merged["containerId"] != peer["containerId"]:
            raise ApiError("INVALID_ATTRIBUTE", "containerId")
        self._check_peer_body(group_id, merged, exclude_id=peer_id)
        target_changed = any(merged[k] != peer[k] for k in ("accepterRegionName", "awsAccountId", "vpcId"))
        peer["routeTableCidrBlock"] = merged["routeTableCidrBlock"]
        if target_changed:
            # A new target VPC means a new AWS request: drop the old pcx and start again from INITIATING.
            if peer["pcxId"]:
                self.aws.delete_peering(AWS_REGION_OF[self.containers[peer["containerId"]]["regionName"]], peer["pcxId"])
            peer.update(accepterRegionName=merged["accepterRegionName"], awsAccountId=merged["awsAccountId"], vpcId=merged["vpcId"],
                        created=time.monotonic(), requested=None, pcxId=None, errorState=None, activeSince=None)
        return self.peer_view(peer)

    def delete_peer(self, group_id, peer_id):
        peer = self._peer(group_id, peer_id)
        if peer["deleteRequested"] is not None:
            raise ApiError("PEER_ALREADY_REQUESTED_DELETION", peer_id)
        peer["deleteRequested"] = time.monotonic()
        self.advance()

    def _finish_delete(self, peer):
        if peer["pcxId"]:
            self.aws.delete_peering(AWS_REGION_OF[self.containers[peer["containerId"]]["regionName"]], peer["pcxId"])
        self.peers.pop(peer["id"], None)
        self._release_if_unused(self.containers[peer["containerId"]])
        if not any(p["groupId"] == peer["groupId"] for p in self.peers.values()):
            # "If you remove the last network peering connection ... MongoDB Cloud also removes any AWS security groups" (spec)
            entries = self.access_lists.get(peer["groupId"], {})
            for key in [k for k, e in entries.items() if e.get("awsSecurityGroup")]:
                del entries[key]

    # ---- project IP access list --------------------------------------------------------------------------------
    def entry_view(self, entry):
        view = {key: entry[key] for key in ("awsSecurityGroup", "cidrBlock", "ipAddress", "comment") if entry.get(key) is not None}
        if entry.get("deleteAfterDate") is not None:
            view["deleteAfterDate"] = iso(entry["deleteAfterDate"])
        view["groupId"] = entry["groupId"]
        return view

    def _entry(self, group_id, value):
        key = entry_key(value)
        entry = self.access_lists.get(group_id, {}).get(key) if key else None
        if entry is None:
            raise ApiError("ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND", value, group_id)
        return entry

    def list_access_list(self, group_id):
        return [self.entry_view(e) for e in self.access_lists.get(group_id, {}).values()]

    def get_entry(self, group_id, value):
        return self.entry_view(self._entry(group_id, value))

    def entry_status(self, group_id, value):
        entry = self._entry(group_id, value)
        active = time.monotonic() - entry["added"] >= self.config["access_list_delay"]
        return {"STATUS": "ACTIVE" if active else "PENDING"}

    def delete_entry(self, group_id, value):
        entry = self._entry(group_id, value)
        del self.access_lists[group_id][entry["key"]]

    def _validate_entry(self, group_id, item):
        if not isinstance(item, dict):
            raise ApiError("INVALID_JSON")
        given = [name for name in ("cidrBlock", "ipAddress", "awsSecurityGroup") if item.get(name)]
        if not given:
            raise ApiError("MISSING_ONE_OF_THREE_ATTRIBUTES", "cidrBlock", "ipAddress", "awsSecurityGroup")
        if len(given) > 1:
            raise ApiError("MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY")
        kind, value = given[0], str(item[given[0]])
        entry = {"groupId": group_id, "comment": item.get("comment"), "deleteAfterDate": None}
        if kind == "awsSecurityGroup":
            if not SECURITY_GROUP_ID.match(value):
                raise ApiError("INVALID_ATTRIBUTE", "awsSecurityGroup")
            entry.update(key=value, awsSecurityGroup=value)
        elif kind == "ipAddress":
            try:
                ip = ipaddress.ip_address(value)
            except ValueError:
                raise ApiError("INVALID_IP_ADDRESS_OR_CIDR_NOTATION", value) from None
            entry.update(key=str(ip), ipAddress=str(ip), cidrBlock=f"{ip}/{ip.max_prefixlen}")
        else:
            try:
                network = ipaddress.ip_network(value, strict=True)
            except ValueError:
                raise ApiError("INVALID_CIDR_BLOCK", value) from None
            if "/" not in value:
                raise ApiError("INVALID_CIDR_BLOCK", value)
            if network.prefixlen == network.max_prefixlen:
                entry.update(key=str(network.network_address), ipAddress=str(network.network_address), cidrBlock=str(network))
            else:
                entry.update(key=str(network), cidrBlock=str(network))
        comment = entry["comment"]
        if comment is not None and len(str(comment)) > 80:
            raise ApiError("INVALID_NETWORK_PERMISSION_COMMENT", comment)
        if item.get("deleteAfterDate") is not None:
            if entry.get("ipAddress") is None:
                raise ApiError("NETWORK_PERMISSION_EXPIRATION_NOT_SUPPORTED")
            moment = parse_date(item["deleteAfterDate"])
            if moment is None:
                raise ApiError("INVALID_ATTRIBUTE", "deleteAfterDate")
            now = utc_now()
            if moment <= now:
                raise ApiError("EXPIRATION_DATE_IN_PAST")
            if moment > now + datetime.timedelta(days=MAX_EXPIRATION_DAYS):
                raise ApiError("EXPIRATION_DATE_EXCEEDS_MAX", MAX_EXPIRATION_DAYS)
            entry["deleteAfterDate"] = moment
        if kind == "awsSecurityGroup" and not self._has_available_peer(group_id):
            raise ApiError("CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION")
        return entry

    def _has_available_peer(self, group_id):
        return any(p["groupId"] == group_id and self._peer_status(p)[0] == "AVAILABLE" for p in list(self.peers.values()))

    def add_access_list(self, group_id, items):
        """POST is an upsert of every entry, all validated before any is stored."""
        if not isinstance(items, list):
            raise ApiError("INVALID_JSON")
        entries = [self._validate_entry(group_id, item) for item in items]
        keys = [e["key"] for e in entries]
        for key in keys:
            if keys.count(key) > 1:
                raise ApiError("DUPLICATE_ADDRESSES_IN_INPUT", key)
        stored = self.access_lists.setdefault(group_id, {})
        if len(stored) + len([k for k in keys if k not in stored]) > MAX_ACCESS_LIST_ENTRIES:
            raise ApiError("ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED", MAX_ACCESS_LIST_ENTRIES)
        for entry in entries:
            existing = stored.get(entry["key"])
            if existing is None:
                entry["added"] = time.monotonic()
                stored[entry["key"]] = entry
            else:
                # Same entry: a new comment (or expiry) updates it; leaving one out keeps what is stored.
                if entry["comment"] is not None:
                    existing["comment"] = entry["comment"]
                if entry["deleteAfterDate"] is not None:
                    existing["deleteAfterDate"] = entry["deleteAfterDate"]


AWS_REGION_OF = {atlas: aws for aws, atlas in AWS_REGIONS.items()}
