"""Two environments that share one Atlas project converge at the same time, in two ansible-playbook processes: both
race for the region's container and write the project access list concurrently. Nothing is lost (an entry someone
added by hand stays, both VPCs get theirs) and nothing is duplicated (one container, one peering per VPC)."""

import subprocess
import time

import pytest

from chain import atlas_counts
from rel_helpers import host_failures, write_inventory
from support.aws import aws_client, make_vpc
from support.paths import REPO_ROOT
from support.playbooks import PlaybookRun, playbook_argv, playbook_env

pytestmark = pytest.mark.slow
ROUNDS = 2


def start(env, inventory):
    return subprocess.Popen(playbook_argv("peer.yml", inventory=inventory), cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(proc, started):
    stdout, stderr = proc.communicate(timeout=900)
    proc.stdout_text = stdout
    return PlaybookRun(proc.args, subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), time.monotonic() - started)


def test_two_environments_sharing_a_project_converge_at_once(rel, tmp_path, figures):
    sim = rel["sim"]
    # Someone's own entry, added by hand before: it must survive both runs.
    sim.seed({"access_list": [{"project": rel["project_name"], "entries": [{"ipAddress": "203.0.113.7", "comment": "office"}]}]})
    vpcs = {}
    inventories = {}
    for env_name, cidr in (("blue", "10.30.0.0/16"), ("green", "10.31.0.0/16"), ("orange", "10.32.0.0/16")):
        vpc_id, _tables = make_vpc(rel["moto"].url, cidr=cidr)
        vpcs[env_name] = (vpc_id, cidr)
    # Two environments: "blue" with one VPC, "green" with two; all in us-east-1, so they share the Atlas container.
    inventories["blue"] = write_inventory(str(tmp_path / "blue.yml"), {
        "blue-app": {"vpc_peering_aws_region": "us-east-1", "vpc_peering_vpc_id": vpcs["blue"][0], "vpc_peering_access_list_comment": "blue"}})
    inventories["green"] = write_inventory(str(tmp_path / "green.yml"), {
        "green-app": {"vpc_peering_aws_region": "us-east-1", "vpc_peering_vpc_id": vpcs["green"][0], "vpc_peering_access_list_comment": "green"},
        "green-batch": {"vpc_peering_aws_region": "us-east-1", "vpc_peering_vpc_id": vpcs["orange"][0], "vpc_peering_access_list_comment": "batch"}})
    env = playbook_env(rel["env"])

    lost = duplicated = duplicated_peerings = 0
    for round_number in range(ROUNDS):
        if round_number == 0:
            # Widen the race: each container POST waits 3 s before Atlas handles it, so the other environment reads
            # "no container" meanwhile and posts its own (one of them must then adopt the other's).
            sim.add_fault(method="POST", path="/containers$", kind="latency", latency=3.0, count=2)
        started = time.monotonic()
        procs = {name: start(env, path) for name, path in inventories.items()}
        runs = {name: finish(proc, started) for name, proc in procs.items()}
        for name, result in runs.items():
            assert result.rc == 0, (round_number, name, host_failures(result), result.explain()[-2000:])
            if round_number > 0:
                assert all(result.changed(host) == 0 for host in result.stats), (name, result.stats)

        seen = atlas_counts(rel)
        assert len(seen["containers"]) == 1, seen["containers"]
        peerings = sorted((p["vpcId"], p["statusName"]) for p in seen["peerings"])
        assert peerings == sorted((vpc_id, "AVAILABLE") for vpc_id, _cidr in vpcs.values()), peerings
        entries = sorted((e.get("cidrBlock"), e.get("comment")) for e in seen["entries"])
        wanted = sorted([("203.0.113.7/32", "office"), ("10.30.0.0/16", "blue"), ("10.31.0.0/16", "green"), ("10.32.0.0/16", "batch")])
        lost += len(set(wanted) - set(entries))
        duplicated += len(entries) - len(set(entries))
        duplicated_peerings += len(peerings) - len(set(peerings))
        assert entries == wanted, entries
        pcxs = aws_client(rel["moto"].url, "ec2").describe_vpc_peering_connections()["VpcPeeringConnections"]
        live = sorted(p["Status"]["Code"] for p in pcxs if p["Status"]["Code"] != "deleted")
        assert live == ["active"] * 3, pcxs
    posts = [r for r in sim.requests() if r["method"] == "POST" and r["path"].endswith(("/peers", "/containers")) and not r["challenge"]]
    figures.add("concurrency", environments=2, processes_at_once=2, rounds=ROUNDS, vpcs=3,
                container_posts=sum(1 for r in posts if r["path"].endswith("/containers")),
                lost_entries=lost, duplicated_entries=duplicated, duplicated_peerings=duplicated_peerings)
