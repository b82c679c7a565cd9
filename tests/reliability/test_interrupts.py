"""Interrupted runs: ansible-playbook killed (SIGKILL, whole process group) at each phase boundary of playbooks/peer.yml,
each rerun itself killed at the next boundary: after the stack is created, after the peering request, after the
acceptance, during the access-list wait. The last rerun converges; nothing is duplicated or orphaned on either side,
and the drift check then finds nothing. Then the same at ten random moments of a converge (seeded, so a failure can be
replayed), each from an empty world: every rerun converges with one of everything."""

import os
import random
import signal
import subprocess
import time

import pytest

from chain import atlas_counts
from support.aws import aws_client, aws_snapshot, stack_outputs
from support.paths import REPO_ROOT
from support.playbooks import playbook_argv, playbook_env, run_playbook

pytestmark = pytest.mark.slow
HOST = "local-app-east"
STACK = "cloudwire-local-app-east"


def _posted(sim, suffix):
    return any(r["method"] == "POST" and r["path"].endswith(suffix) and r["status"] == 200 for r in sim.requests())


def _status_polled(sim):
    return any(r["method"] == "GET" and r["path"].endswith("/status") for r in sim.requests())


def _aws_done(proxy, action):
    return any(c["action"] == action and c["status"] == 200 for c in proxy.calls())


def kill_when(env, reached, what, timeout=300):
    """Run peer.yml on HOST and SIGKILL its whole process group once reached() is true; returns seconds until the kill."""
    argv = playbook_argv("peer.yml", "--limit", HOST)
    started = time.monotonic()
    with subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True) as proc:
        try:
            while not reached():
                assert proc.poll() is None, "the run ended (rc %s) before %s" % (proc.returncode, what)
                assert time.monotonic() - started < timeout, "no %s within %s s" % (what, timeout)
                time.sleep(0.2)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, (what, proc.returncode)
    return time.monotonic() - started


def test_killed_at_every_phase_boundary_then_a_rerun_converges(rel, figures):
    sim, proxy = rel["sim"], rel["proxy"]
    env = playbook_env(rel["env"], json_output=True)
    sim.clear_requests()
    proxy.clear()
    kills = []

    # 1. After the stack is created.
    kills.append(("after stack create", kill_when(env, lambda: _aws_done(proxy, "CreateStack"), "CreateStack")))
    assert [c for c in proxy.calls() if c["action"] == "CreateStack"], "no stack was created"
    assert atlas_counts(rel)["peerings"] == []

    # 2. After the peering request (the rerun must adopt the stack, not create another).
    sim.clear_requests()
    kills.append(("after peering request", kill_when(env, lambda: _posted(sim, "/peers"), "peering POST")))
    assert len(atlas_counts(rel)["peerings"]) == 1

    # 3. After the acceptance on AWS.
    proxy.clear()
    kills.append(("after accept", kill_when(env, lambda: _aws_done(proxy, "AcceptVpcPeeringConnection"), "AcceptVpcPeeringConnection")))

    # 4. During the access-list wait: entries stay PENDING for 6 s, the kill comes at the first status poll.
    sim.config(access_list_delay=6.0)
    sim.clear_requests()
    kills.append(("during access-list wait", kill_when(env, lambda: _status_polled(sim), "access-list status poll")))
    pending = [e for e in atlas_counts(rel)["entries"] if e.get("cidrBlock") == "10.10.0.0/16"]
    assert len(pending) == 1, pending

    # The rerun converges.
    sim.clear_requests()
    proxy.clear()
    final = run_playbook(env, "peer.yml", "--limit", HOST)
    assert final.rc == 0, final.explain()

    # Nothing duplicated or orphaned, and the rerun requested no stack or peering of its own.
    assert [c for c in proxy.calls() if c["action"] in ("CreateStack", "UpdateStack", "AcceptVpcPeeringConnection")] == []
    assert not _posted(sim, "/peers") and not _posted(sim, "/containers")
    assert_converged_once(rel)

    sim.clear_requests()
    check = run_playbook(env, "peer.yml", "--limit", HOST, "--check")
    assert check.rc == 0 and check.changed(HOST) == 0, check.explain()
    assert sim.writes() == []
    figures.add("interrupts", killed_runs=len(kills), survived=len(kills), reruns_converged=1)
    figures.note("interrupts", "boundaries", [name for name, _seconds in kills])


def assert_converged_once(rel):
    """One stack, one container, one peering (AVAILABLE), one live pcx (active), one access-list entry, one VPC of the stack's
    CIDR, and in every route table of the stack exactly one route to the Atlas CIDR, through that pcx."""
    seen = atlas_counts(rel)
    vpc_id = stack_outputs(rel["moto"].url, HOST)["VpcId"]
    assert len(seen["containers"]) == 1, seen["containers"]
    assert [(p["vpcId"], p["statusName"]) for p in seen["peerings"]] == [(vpc_id, "AVAILABLE")], seen["peerings"]
    assert [e.get("cidrBlock") for e in seen["entries"]] == ["10.10.0.0/16"], seen["entries"]
    snap = aws_snapshot(rel["moto"].url)["123456789012/us-east-1"]
    assert list(snap["stacks"]) == [STACK] and snap["stacks"][STACK][0] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), snap["stacks"]
    pcx = seen["peerings"][0]["connectionId"]
    assert snap["peerings"] == {pcx: "active"}, snap["peerings"]
    for table in stack_outputs(rel["moto"].url, HOST)["RouteTableIds"].split(","):
        assert [r for r in snap["routes"][table] if r[0] == "192.168.248.0/21"] == [("192.168.248.0/21", pcx, "active")], snap["routes"][table]
    vpcs = [v for v in aws_client(rel["moto"].url, "ec2").describe_vpcs()["Vpcs"] if v["CidrBlock"] == "10.10.0.0/16"]
    assert len(vpcs) == 1, vpcs


KILL_SEED = 20261202
KILLS = 10


def test_killed_at_ten_random_moments_each_rerun_converges_once(rel, figures, new_world):
    """A converge from an empty world, killed at a moment drawn (seeded) between its start and the end of an uninterrupted
    converge, then run again to the end: ten times, each from an empty world."""
    env = playbook_env(rel["env"], json_output=True)
    started = time.monotonic()
    whole = run_playbook(env, "peer.yml", "--limit", HOST)
    assert whole.rc == 0, whole.explain()
    span = time.monotonic() - started
    moments = sorted(round(random.Random(KILL_SEED).uniform(0.5, span), 2) for _n in range(KILLS))
    for moment in moments:
        world = new_world()
        env = playbook_env(world["env"], json_output=True)
        argv = playbook_argv("peer.yml", "--limit", HOST)
        with subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True) as proc:
            try:
                proc.wait(timeout=moment)
            except subprocess.TimeoutExpired:
                pass
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        rerun = run_playbook(env, "peer.yml", "--limit", HOST)
        assert rerun.rc == 0, ("killed at %.2f s" % moment, rerun.explain())
        assert_converged_once(world)
    figures.add("interrupts", killed_runs=KILLS, reruns_converged=KILLS)
    figures.note("interrupts", "random_moments", {"seed": KILL_SEED, "span_seconds": round(span, 1), "moments": moments})
