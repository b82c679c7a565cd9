"""The pieces of `make bench`: the servers (moto behind a logging proxy, the Atlas simulator), generated inventories of N
VPCs, playbook runs with the json callback, and the figures read from the simulator's request log, the proxy's call log
and the run's own task list.

Every server listens on 127.0.0.1 on a free port, is started here and stopped here.
"""

import json
import os
import re
import statistics
import tempfile
from collections import Counter
from datetime import datetime, timezone

from support.fault_proxy import FaultProxy
from support.playbooks import WRITE_METHODS, playbook_env, run_playbook as run_playbook_with
from support.servers import AtlasSimulator, MotoServer, fresh_atlas_env

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REGION = "us-east-1"
ATLAS_CIDR = "192.168.248.0/21"
# The collection's action plugins, each with an Atlas client, run in the worker process: the plan (with boto3), the Atlas
# step, the AWS step with its waits (with boto3), each poll of the role's later waits. One Atlas client per host and task (a
# worker process runs every item of a host's loop).
ATLAS_WORKER_ACTIONS = frozenset(("cloudwire.atlas.vpc_peering_plan", "cloudwire.atlas.vpc_peering_atlas", "cloudwire.atlas.vpc_peering_status",
                                  "cloudwire.atlas.vpc_peering_aws"))
# Actions that run inside the controller process (no module process is started for them).
CONTROLLER_ACTIONS = ATLAS_WORKER_ACTIONS | frozenset((
    "ansible.builtin.set_fact", "set_fact", "ansible.builtin.debug", "debug", "ansible.builtin.assert", "assert",
    "ansible.builtin.include_tasks", "include_tasks", "ansible.builtin.set_stats", "set_stats", "meta", "ansible.builtin.meta",
    "ansible.builtin.import_tasks", "ansible.builtin.include_role", "include_role", "ansible.builtin.fail", "fail",
    "ansible.builtin.validate_argument_spec", "validate_argument_spec"))
_HEX24 = re.compile(r"/[0-9a-f]{24}(?=/|$)")
_ENTRY = re.compile(r"(/accessList/)[^/]+")
_BYNAME = re.compile(r"(/groups/byName/)[^/]+")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ---- the servers --------------------------------------------------------------------------------------------------
class World:
    """moto (with the CloudFormation route-table fix), a logging proxy in front of it, the Atlas simulator."""

    def __init__(self, initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=1.0, access_list_delay=0.5):
        self.delays = dict(initiating_delay=initiating_delay, finalizing_delay=finalizing_delay, terminating_delay=terminating_delay,
                           access_list_delay=access_list_delay)
        self.moto = None
        self.proxy = None
        self.sim = None
        self.atlas = None

    def start(self):
        self.moto = MotoServer().start()
        self.proxy = FaultProxy(self.moto.url).start()
        # The simulator plays Atlas's AWS account straight on moto: the proxy logs only what the run itself calls.
        self.sim = AtlasSimulator(aws_endpoint=self.moto.url, **self.delays).start()
        return self

    def stop(self):
        for server in (self.sim, self.proxy, self.moto):
            if server is not None:
                server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def reset(self):
        self.atlas = fresh_atlas_env(self.moto, self.sim, "cloudwire-bench", aws_endpoint=self.proxy.url)
        self.clear_logs()
        return self.atlas

    def clear_logs(self):
        self.sim.clear_requests()
        self.proxy.clear()

    def env(self, **extra):
        return playbook_env(self.atlas["env"], ANSIBLE_SHOW_CUSTOM_STATS="0", **extra)

    def logs(self):
        return self.sim.requests(), self.proxy.calls()


# ---- inventories --------------------------------------------------------------------------------------------------
def host_name(index):
    return "bench-vpc-%02d" % index


def write_inventory(directory, count, by_project_id=True, existing=None):
    """N hosts in us-east-1 (one Atlas container for all), like inventories/local: each a VPC built by the role's stack, or,
    with ``existing`` ([(vpc id, cidr)]), each one of those VPCs."""
    os.makedirs(os.path.join(directory, "group_vars"), exist_ok=True)
    hosts = {}
    for index in range(1, count + 1):
        if existing:
            hosts[host_name(index)] = {"vpc_peering_vpc_id": existing[index - 1][0], "vpc_peering_vpc_cidr_block": existing[index - 1][1]}
            continue
        hosts[host_name(index)] = {
            "vpc_peering_stack_name": "cloudwire-bench-%02d" % index,
            "vpc_peering_vpc_cidr_block": "10.%d.0.0/16" % (100 + index),
            "vpc_peering_subnet_cidr_blocks": ["10.%d.1.0/24" % (100 + index), "10.%d.2.0/24" % (100 + index)],
        }
    with open(os.path.join(directory, "hosts.yml"), "w", encoding="utf-8") as handle:
        json.dump({"all": {"children": {"bench": {"hosts": hosts}}}}, handle, indent=1)
    group = {
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "vpc_peering_aws_region": REGION,
        "vpc_peering_atlas_cidr_block": ATLAS_CIDR,
        "vpc_peering_aws_endpoint_url": "{{ lookup('ansible.builtin.env', 'AWS_ENDPOINT_URL') }}",
        "vpc_peering_poll_seconds": 1,
        "vpc_peering_wait_timeout": 180,
    }
    if by_project_id:
        group["vpc_peering_atlas_project_id"] = "{{ lookup('ansible.builtin.env', 'MONGODB_ATLAS_PROJECT_ID') }}"
    else:
        group["vpc_peering_atlas_project_name"] = "{{ lookup('ansible.builtin.env', 'MONGODB_ATLAS_PROJECT_NAME') }}"
    with open(os.path.join(directory, "group_vars", "all.yml"), "w", encoding="utf-8") as handle:
        json.dump(group, handle, indent=1)
    return directory


# ---- playbook runs ------------------------------------------------------------------------------------------------
def run_playbook(world, playbook, inventory, *args, env_extra=None, timeout=1800, forks=10):
    """A support.playbooks run of `playbook` with the world's logs of its window (run.atlas_log, run.aws_log)."""
    world.clear_logs()
    run = run_playbook_with(world.env(**(env_extra or {})), playbook, "--forks", str(forks), *args, inventory=inventory, timeout=timeout)
    run.atlas_log, run.aws_log = world.logs()
    return run


# ---- figures ------------------------------------------------------------------------------------------------------
def _action(result):
    return result.get("action") or "?"


def uses_boto3(action):
    return action.startswith("amazon.aws.") or action == "cloudwire.atlas.vpc_peering_routes"


def uses_atlas(action):
    """Modules with an Atlas client."""
    return action.startswith("cloudwire.atlas.atlas_")


def task_figures(run):
    """Tasks executed (not skipped) per host, module processes (loop items count one each), and by action."""
    executed = Counter()
    processes = Counter()
    by_action = Counter()
    atlas_clients = 0
    for _name, host, result, _duration in run.host_tasks():
        if result.get("skipped") and not result.get("results"):
            continue
        executed[host] += 1
        action = _action(result)
        items = [r for r in result.get("results", []) if not r.get("skipped")] if "results" in result else [result]
        atlas_clients += len(items) if uses_atlas(action) else int(action in ATLAS_WORKER_ACTIONS)
        if action not in CONTROLLER_ACTIONS:
            processes[host] += len(items)
            by_action[action] += len(items)
    hosts = max(len(run.stats), 1)
    return {
        "tasks_per_host": sum(executed.values()) / hosts,
        "module_processes_per_host": sum(processes.values()) / hosts,
        "by_action": dict(by_action),
        "boto3_processes_per_host": sum(n for a, n in by_action.items() if uses_boto3(a)) / hosts,
        "atlas_processes_per_host": sum(n for a, n in by_action.items() if uses_atlas(a)) / hosts,
        # Module processes and workers of action plugins that made an Atlas client (each pays at most one digest challenge).
        "atlas_clients": atlas_clients,
    }


def resource_of(path):
    """/api/atlas/v2/groups/<id>/peers/<id> -> /groups/{id}/peers/{id} (what a read is about)."""
    path = path.replace("/api/atlas/v2", "", 1)
    path = _BYNAME.sub(r"\1{name}", path)
    path = _ENTRY.sub(r"\1{entry}", path)
    return _HEX24.sub("/{id}", path)


def atlas_figures(log, hosts=1, atlas_clients=None):
    api = [r for r in log if r["path"].startswith("/api/")]
    challenges = [r for r in api if r["challenge"]]
    calls = [r for r in api if not r["challenge"]]
    reads = [r for r in calls if r["method"] == "GET"]
    writes = [r for r in calls if r["method"] in WRITE_METHODS]
    by_resource = Counter("%s %s" % (r["method"], resource_of(r["path"])) for r in calls)
    return {
        "calls": len(calls),
        "reads": len(reads),
        "writes": len(writes),
        "challenges": len(challenges),
        "round_trips": len(api),
        "round_trips_per_call": (len(api) / len(calls)) if calls else 0.0,
        "per_host": {"reads": len(reads) / hosts, "writes": len(writes) / hosts, "challenges": len(challenges) / hosts},
        "by_resource": dict(by_resource),
        "max_reads_of_one_resource_per_host": max([n / hosts for k, n in by_resource.items() if k.startswith("GET")] or [0]),
        "challenges_per_client": (len(challenges) / atlas_clients) if atlas_clients else None,
    }


def aws_figures(log, hosts=1):
    by_action = Counter("%s:%s" % (c["service"], c["action"]) for c in log)
    writes = [c for c in log if c["action"] and not c["action"].startswith(("Describe", "Get", "List"))
              and c["action"] not in ("AssumeRole", "GetCallerIdentity")]
    return {"calls": len(log), "writes": len(writes), "by_action": dict(by_action), "per_host": len(log) / hosts,
            "writes_by_action": dict(Counter(c["action"] for c in writes))}


def figures(run, hosts=1):
    tasks = task_figures(run)
    return {
        "seconds": run.seconds,
        "ok": run.ok,
        "tasks": tasks,
        "atlas": atlas_figures(run.atlas_log, hosts, tasks["atlas_clients"]),
        "aws": aws_figures(run.aws_log, hosts),
        "changed_hosts": sum(1 for s in run.stats.values() if s["changed"]),
    }


def parse_time(text):
    """The json callback's task times ('2026-11-26T06:40:01.123456Z') -> epoch seconds."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)
