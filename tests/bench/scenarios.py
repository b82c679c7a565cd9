"""The measurements of `make bench`, one function per section of docs/PERFORMANCE.md. Each returns plain data (dicts and
lists) that report.py turns into the page; nothing here asserts on seconds."""

import os
import stat
import subprocess
import sys
import time

import bench_lib as lib
from support.paths import REPO_ROOT
from support.playbooks import write_play

# ---- 1-3: converge, no-op, drift check, scale ---------------------------------------------------------------------


def _run_ok(world, playbook, inventory, what):
    run = lib.run_playbook(world, playbook, inventory)
    if not run.ok:
        raise RuntimeError("%s failed:\n%s" % (what, run.explain()))
    return run


def summarise(runs, hosts):
    """Median wall time of several runs and the call figures of the last one (they are the same for every no-op run)."""
    figs = [lib.figures(run, hosts) for run in runs]
    last = figs[-1]
    return {
        "hosts": hosts,
        "runs": len(runs),
        "ok": all(f["ok"] for f in figs),
        "seconds": lib.median([f["seconds"] for f in figs]),
        "all_seconds": [round(f["seconds"], 2) for f in figs],
        "changed_hosts": last["changed_hosts"],
        "tasks": last["tasks"],
        "atlas": last["atlas"],
        "aws": last["aws"],
        "stable_calls": len({(f["atlas"]["calls"], f["aws"]["calls"]) for f in figs}) == 1,
    }


def fleet(world, hosts, noop_runs, check_runs=0, by_project_id=True, converge=True):
    """Reset both clouds, converge an inventory of `hosts` VPCs, then time no-op runs and check runs."""
    world.reset()
    inventory = lib.write_inventory(lib.tempdir("bench-inv-"), hosts, by_project_id=by_project_id)
    out = {"hosts": hosts}
    first = _run_ok(world, "peer.yml", inventory, "converge of %d VPC(s)" % hosts)
    if converge:
        out["converge"] = summarise([first], hosts)
        out["converge"]["wait"] = wait_latency_of_role(first, world)
    if noop_runs:
        out["noop"] = summarise([lib.run_playbook(world, "peer.yml", inventory) for _n in range(noop_runs)], hosts)
    if check_runs:
        out["check"] = summarise([lib.run_playbook(world, "peer.yml", inventory, "--check", "--diff") for _n in range(check_runs)], hosts)
    return out


def scale(world, sizes, noop_runs):
    """Converge a fresh inventory of each size; then, on the largest one (converged), no-op runs of its first N hosts
    (`--limit`) for every size, interleaved round by round so that load from other processes falls on every size alike."""
    out = {}
    inventory = None
    for hosts in sizes:
        world.reset()
        inventory = lib.write_inventory(lib.tempdir("bench-inv-"), hosts)
        run = _run_ok(world, "peer.yml", inventory, "converge of %d VPC(s)" % hosts)
        out[str(hosts)] = {"hosts": hosts, "converge": summarise([run], hosts)}
    runs = {hosts: [] for hosts in sizes}
    for _round in range(noop_runs):
        for hosts in sizes:
            limit = [] if hosts == sizes[-1] else ["--limit", ",".join(lib.host_name(i) for i in range(1, hosts + 1))]
            runs[hosts].append(lib.run_playbook(world, "peer.yml", inventory, *limit))
    for hosts in sizes:
        out[str(hosts)]["noop"] = summarise(runs[hosts], hosts)
    return out


# ---- 3b: peer.yml against a hand-written script of the same chain ----------------------------------------------------
PEER_SCRIPT = os.path.join(lib.BENCH_DIR, "peer_script.py")


def existing_vpcs(world, count):
    """`count` VPCs that exist before either run, like local-legacy-east: two subnets, each with its own route table (three
    tables with the main one), DNS hostnames off (the default of CreateVpc)."""
    import boto3  # pylint: disable=import-outside-toplevel
    ec2 = boto3.client("ec2", endpoint_url=world.moto.url, region_name=lib.REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    vpcs = []
    for index in range(1, count + 1):
        cidr = "10.%d.0.0/16" % (100 + index)
        vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        for subnet in (1, 2):
            subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.%d.%d.0/24" % (100 + index, subnet))["Subnet"]["SubnetId"]
            table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
        vpcs.append((vpc_id, cidr))
    world.clear_logs()
    return vpcs


def run_script(world, vpcs):
    """tests/bench/peer_script.py on the VPCs: wall time and the same call logs as a playbook run."""
    argv = [sys.executable, PEER_SCRIPT, "--region", lib.REGION, "--atlas-cidr", lib.ATLAS_CIDR] + [vpc_id for vpc_id, _cidr in vpcs]
    world.clear_logs()
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO_ROOT, env=world.env(), capture_output=True, text=True, timeout=900, check=False)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError("peer_script.py failed (rc %s):\n%s\n%s" % (proc.returncode, proc.stdout[-2000:], proc.stderr[-4000:]))
    atlas_log, aws_log = world.logs()
    return {"seconds": seconds, "atlas": lib.atlas_figures(atlas_log, len(vpcs)), "aws": lib.aws_figures(aws_log, len(vpcs))}


CONVERGE_SHAPE = os.path.join(lib.BENCH_DIR, "converge_shape.yml")
PREFLIGHT_THEN_SCRIPT = os.path.join(lib.BENCH_DIR, "preflight_then_script.yml")


def _fresh_inventory(world, hosts):
    """The bench's start for a converge: the world reset, `hosts` existing VPCs, an inventory of them."""
    world.reset()
    return lib.write_inventory(lib.tempdir("bench-inv-"), hosts, existing=existing_vpcs(world, hosts))


def peer_comparison(world, sizes, rounds, bounds=True):
    """For each size, `rounds` x (the script, then peer.yml, then, with `bounds`, the converge's shape with no work in it and
    the role's preflight with the script as its apply step), each converge from the same start: the VPCs exist, Atlas is
    empty."""
    out = {}
    for hosts in sizes:
        script, role, shape, floor = [], [], [], []
        for _round in range(rounds):
            world.reset()
            script.append(run_script(world, existing_vpcs(world, hosts)))
            inventory = _fresh_inventory(world, hosts)
            role.append(_run_ok(world, "peer.yml", inventory, "converge of %d existing VPC(s)" % hosts))
            if bounds:
                shape.append(_run_ok(world, CONVERGE_SHAPE, inventory, "the converge's shape on %d host(s)" % hosts).seconds)
                floor.append(_run_ok(world, PREFLIGHT_THEN_SCRIPT, _fresh_inventory(world, hosts),
                                     "the preflight then the script on %d host(s)" % hosts).seconds)
        out[str(hosts)] = {
            "hosts": hosts,
            "script": {"seconds": lib.median([r["seconds"] for r in script]), "all_seconds": [round(r["seconds"], 2) for r in script],
                       "atlas": script[-1]["atlas"], "aws": script[-1]["aws"]},
            "role": summarise(role, hosts),
        }
        if bounds:
            out[str(hosts)].update(shape={"seconds": lib.median(shape), "all_seconds": [round(s, 2) for s in shape]},
                                   preflight_then_script={"seconds": lib.median(floor), "all_seconds": [round(s, 2) for s in floor]})
    return out


# ---- 4: wait latency ----------------------------------------------------------------------------------------------
def _task(run, name_part):
    for name, _host, result, duration in run.host_tasks():
        if name_part in name and not (result.get("skipped") and not result.get("results")):
            return result, duration
    return None, None


def wait_latency_of_role(run, world):
    """From a converge of one VPC: when the simulator reached each state, and when the role's wait saw it (the AWS step polls
    Atlas around its writes and records each poll: ``vpcs.<host>.polls``).

    * PENDING_ACCEPTANCE: the simulator requests the AWS connection initiating_delay after the peering POST.
    * AVAILABLE: the simulator reports AVAILABLE finalizing_delay after AcceptVpcPeeringConnection (it notices the accept
      on its own, within 0.2 s).
    * ACTIVE: an access-list entry is ACTIVE access_list_delay after its POST. Its wait is the AVAILABLE one when the role
      folds the two (a CIDR entry, posted with the peering request), a loop of its own otherwise.
    """
    delays = world.delays
    log = [r for r in run.atlas_log if r["path"].startswith("/api/") and not r["challenge"]]
    out = {}
    result, _duration = _task(run, "wait for the pcx- id, accept the peering connections")
    polls = [p for vpc in ((result or {}).get("vpcs") or {}).values() for p in vpc.get("polls") or []]
    posts = [r["time"] for r in log if r["method"] == "POST" and r["path"].endswith("/peers")]
    connection = [p for p in polls if p["wait_for"] == "connection"]
    if posts and connection:
        reached = posts[0] + delays["initiating_delay"]
        out["connection"] = {"latency": connection[-1]["at"] - reached, "polls": len(connection)}
    accepts = [c["time"] for c in run.aws_log if c["action"] == "AcceptVpcPeeringConnection"]
    available = [p for p in polls if p["wait_for"] == "available"]
    if accepts and available:
        reached = accepts[0] + delays["finalizing_delay"]
        out["available"] = {"latency": available[-1]["at"] - reached, "polls": len(available), "reached": reached}
    entry_posts = [r["time"] for r in log if r["method"] == "POST" and r["path"].endswith("/accessList")]
    status_reads = [r for r in log if r["path"].endswith("/status")]
    if entry_posts and available and "access list: ACTIVE" in available[-1]["summary"]:
        # Folded into the AVAILABLE wait: the entry cannot be seen ACTIVE before the peering is AVAILABLE.
        reached = max(entry_posts[0] + delays["access_list_delay"], out["available"]["reached"])
        out["active"] = {"latency": available[-1]["at"] - reached, "polls": len(status_reads)}
    else:
        waits = [(res, dur) for name, _h, res, dur in run.host_tasks() if "wait until Atlas reports the entry ACTIVE" in name
                 and not res.get("skipped")]
        if entry_posts and waits:
            result, duration = waits[-1]
            # The entry is posted before the peering waits: it is often ACTIVE before its own wait begins, and then the
            # latency is what that wait takes (one poll).
            reached = max(entry_posts[0] + delays["access_list_delay"], lib.parse_time(duration["start"]))
            out["active"] = {"latency": lib.parse_time(duration["end"]) - reached, "polls": len(status_reads)}
    return out


def module_wait(world, finalizing_delay, workdir, poll_options=None):
    """atlas_vpc_peering wait_for=available on its own (the module's backoff), with a given FINALIZING time.

    Setup by boto3 and the API: a customer VPC, a peering requested and accepted; the module task then waits.
    """
    world.reset()
    world.sim.config(initiating_delay=0.0, finalizing_delay=float(finalizing_delay))
    vpc_id = _customer_vpc(world)
    atlas = world.atlas
    request = {"name": "request", "cloudwire.atlas.atlas_vpc_peering": {
        "region": lib.REGION, "aws_account_id": "123456789012", "vpc_id": vpc_id, "route_table_cidr_block": "10.60.0.0/16",
        "wait_for": "connection"}, "register": "peering"}
    container = {"name": "container", "cloudwire.atlas.atlas_container": {"region": lib.REGION, "atlas_cidr_block": lib.ATLAS_CIDR}}
    accept = {"name": "accept", "amazon.aws.ec2_vpc_peering": {"peering_id": "{{ peering.peering.connection_id }}", "state": "accept",
                                                               "region": lib.REGION, "endpoint_url": world.proxy.url}}
    wait = {"name": "wait", "cloudwire.atlas.atlas_vpc_peering": {
        "region": lib.REGION, "aws_account_id": "123456789012", "vpc_id": vpc_id, "route_table_cidr_block": "10.60.0.0/16",
        "wait_for": "available", "wait_timeout": 120, **(poll_options or {})}}
    run = run_tasks(world, workdir, [container, request, accept, wait], project_id=atlas["project_id"])
    if not run.ok:
        raise RuntimeError("module wait failed:\n%s" % run.explain())
    world.sim.config(initiating_delay=world.delays["initiating_delay"], finalizing_delay=world.delays["finalizing_delay"])
    accepted = [c["time"] for c in run.aws_log if c["action"] == "AcceptVpcPeeringConnection"][0]
    result, duration = _task(run, "wait")
    start, end = lib.parse_time(duration["start"]), lib.parse_time(duration["end"])
    reads = [r["time"] for r in run.atlas_log if r["method"] == "GET" and "/peers/" in r["path"] and not r["challenge"] and start <= r["time"] <= end]
    first = [r["time"] for r in run.atlas_log if r["method"] == "GET" and "/peers" in r["path"] and not r["challenge"] and r["time"] >= accepted][0]
    reached = first + finalizing_delay
    intervals = [round(b - a, 2) for a, b in zip(reads, reads[1:])]
    return {"finalizing_delay": finalizing_delay, "poll_options": poll_options or {}, "latency": end - reached, "polls": len(reads), "intervals": intervals,
            "last_interval": intervals[-1] if intervals else 0.0, "status": result.get("peering", {}).get("status_name")}


def _customer_vpc(world):
    import boto3  # pylint: disable=import-outside-toplevel
    ec2 = boto3.client("ec2", endpoint_url=world.moto.url, region_name=lib.REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    return ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]


# ---- 5: one module task against ansible.builtin.uri, and memory ---------------------------------------------------
def run_tasks(world, workdir, tasks, project_id=None, play_vars=None, env_extra=None):
    """`tasks` in one localhost play (support.playbooks.write_play), run one fork at a time with the world's logs."""
    return lib.run_playbook(world, write_play(workdir, tasks, project_id, play_vars), "localhost,", forks=1, env_extra=env_extra)


def uri_task(world, name):
    atlas = world.atlas
    return {"name": name, "ansible.builtin.uri": {
        "url": "%s/api/atlas/v2/groups/%s/containers?providerName=AWS&itemsPerPage=500&pageNum=1&includeCount=true" % (atlas["base_url"], atlas["project_id"]),
        "url_username": atlas["public_key"], "url_password": atlas["private_key"], "force_basic_auth": False,
        "headers": {"Accept": "application/vnd.atlas.2023-01-01+json"}, "return_content": True}, "no_log": False}


def module_task(name):
    return {"name": name, "cloudwire.atlas.atlas_container_info": {"region": lib.REGION}}


def module_vs_uri(world, workdir, pairs):
    """`pairs` x (one atlas_container_info task, one uri task doing the same single GET), interleaved so that load from
    other processes hits both alike. Per-task time from the json callback; calls from the simulator log."""
    world.reset()
    world.sim.seed({"containers": [{"project": world.atlas["project_name"], "regionName": "US_EAST_1", "atlasCidrBlock": lib.ATLAS_CIDR}]})
    tasks = []
    for index in range(pairs):
        tasks.append(module_task("module %d" % index))
        tasks.append(uri_task(world, "uri %d" % index))
    run = run_tasks(world, workdir, tasks, project_id=world.atlas["project_id"])
    if not run.ok:
        raise RuntimeError("module vs uri failed:\n%s" % run.explain())
    times = {"module": [], "uri": []}
    calls = {"module": [], "uri": []}
    api = [r for r in run.atlas_log if r["path"].startswith("/api/")]
    for name, _host, _result, duration in run.host_tasks():
        kind = name.split()[0]
        start, end = lib.parse_time(duration["start"]), lib.parse_time(duration["end"])
        times[kind].append(end - start)
        mine = [r for r in api if start <= r["time"] <= end]
        calls[kind].append({"calls": sum(1 for r in mine if not r["challenge"]), "challenges": sum(1 for r in mine if r["challenge"]),
                            "round_trips": len(mine)})
    out = {}
    for kind in ("module", "uri"):
        out[kind] = {"seconds": lib.median(times[kind]), "all_seconds": [round(t, 3) for t in times[kind]],
                     "calls": calls[kind][-1]["calls"], "challenges": calls[kind][-1]["challenges"],
                     "round_trips": calls[kind][-1]["round_trips"]}
    out["ratio"] = out["module"]["seconds"] / out["uri"]["seconds"]
    return out


RSS_WRAPPER = '''#!%(python)s
"""Runs the real interpreter and appends the child's peak RSS (KiB) to $CLOUDWIRE_BENCH_RSS_LOG."""
import os, resource, subprocess, sys
code = subprocess.call([%(python)r] + sys.argv[1:])
with open(os.environ["CLOUDWIRE_BENCH_RSS_LOG"], "a") as log:
    log.write("%%d\\n" %% resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
'''


def peak_rss(world, workdir, runs=3):
    """Peak RSS of one module process (the AnsiballZ payload runs the module in its own Python process): an Atlas
    module, the uri module and the boto3-based route module, each started through a wrapper interpreter. (The role's plan
    and steps are action plugins: they run in ansible-playbook's worker process, not in a module process.)"""
    world.reset()
    world.sim.seed({"containers": [{"project": world.atlas["project_name"], "regionName": "US_EAST_1", "atlasCidrBlock": lib.ATLAS_CIDR}]})
    wrapper = os.path.join(workdir, "rss-python")
    with open(wrapper, "w", encoding="utf-8") as handle:
        handle.write(RSS_WRAPPER % {"python": sys.executable})
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
    vpc_id = _customer_vpc(world)
    kinds = {
        "cloudwire.atlas.atlas_container_info": module_task("m"),
        "ansible.builtin.uri": uri_task(world, "u"),
        "cloudwire.atlas.vpc_peering_routes (boto3)": {"name": "r", "cloudwire.atlas.vpc_peering_routes": {
            "region": lib.REGION, "endpoint_url": world.proxy.url, "vpc_id": vpc_id, "destination_cidr_block": lib.ATLAS_CIDR,
            "state": "absent"}},
    }
    out = {}
    for label, task in kinds.items():
        log = os.path.join(workdir, "rss-%d.log" % len(out))
        values = []
        for _n in range(runs):
            if os.path.exists(log):
                os.unlink(log)
            run = run_tasks(world, workdir, [dict(task, vars={"ansible_python_interpreter": wrapper})], project_id=world.atlas["project_id"],
                            env_extra={"CLOUDWIRE_BENCH_RSS_LOG": log})
            if not run.ok:
                raise RuntimeError("rss run of %s failed:\n%s" % (label, run.explain()))
            values.extend(_read_rss(log))
        out[label] = {"max_mib": max(values) / 1024.0 if values else None, "samples": len(values)}
    return out


def _read_rss(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [int(line) for line in handle if line.strip()]
