"""Faults on both sides while the whole chain runs as module tasks: Atlas 429 storms (Retry-After, token bucket, none),
500/503 bursts, latency spikes, connections dropped after a committed POST; AWS throttling, 5xx and latency through
the fault proxy. Every run converges with nothing duplicated, within a retry deadline of 60 s per call; faults that
outlast the deadline fail with a message that says so, and a rerun finishes the job."""

import pytest

from chain import assert_converged_once, atlas_counts, run_chain
from support.aws import make_vpc

DEADLINE = {"CLOUDWIRE_ATLAS_RETRY_DEADLINE": "60"}

# name -> (simulator faults, proxy faults)
PROFILES = {
    "atlas-429-storm-retry-after": (
        [dict(method="*", path="/groups/", status=429, retry_after=1, count=3),
         dict(method="POST", path="/peers$", status=429, retry_after=1, count=2),
         dict(method="POST", path="/accessList$", status=429, retry_after=1, count=2)], []),
    "atlas-429-token-bucket": (
        [dict(method="GET", path="/containers", status=429, token_bucket=True, retry_after=1, count=3),
         dict(method="POST", path="/peers$", status=429, token_bucket=True, retry_after=1, count=2)], []),
    "atlas-429-storm-no-retry-after": (
        [dict(method="*", path="/groups/", status=429, count=3),
         dict(method="POST", path="/accessList$", status=429, count=2)], []),
    "atlas-5xx-bursts": (
        [dict(method="POST", path="/containers$", status=500, count=2),
         dict(method="POST", path="/peers$", status=503, retry_after=1, count=3),
         dict(method="GET", path="/peers/", status=502, count=2),
         dict(method="POST", path="/accessList$", status=500, count=2),
         dict(method="GET", path="/status$", status=503, count=2)], []),
    "atlas-latency-spikes": (
        [dict(method="*", path="/groups/", kind="latency", latency=2.0, count=4),
         dict(method="POST", path="/accessList$", kind="latency", latency=3.0, count=1)], []),
    "atlas-drop-after-committed-post": (
        [dict(method="POST", path="/containers$", kind="drop", count=1),
         dict(method="POST", path="/peers$", kind="drop", count=1),
         dict(method="POST", path="/accessList$", kind="drop", count=1)], []),
    "aws-throttling-5xx-latency": (
        [], [dict(action="DescribeVpcPeeringConnections", kind="throttle", count=2),
             dict(action="AcceptVpcPeeringConnection", kind="throttle", count=2),
             dict(action="DescribeRouteTables", kind="throttle", count=2),
             dict(action="CreateRoute", kind="error", status=503, count=1),
             dict(action="CreateRoute", kind="throttle", count=1),
             dict(action="*", kind="latency", latency=1.5, count=3)]),
}


def injected_atlas(rel):
    return [r for r in rel["sim"].requests() if r.get("fault")]


@pytest.mark.parametrize("profile", list(PROFILES))
def test_chain_converges_through_faults(rel, tmp_path, figures, profile):
    vpc_id, tables = make_vpc(rel["moto"].url)
    sim_faults, aws_faults = PROFILES[profile]
    for fault in sim_faults:
        rel["sim"].add_fault(**fault)
    for fault in aws_faults:
        rel["proxy"].add_fault(**fault)

    run = run_chain(rel, tmp_path, vpc_id, extra_env=DEADLINE)

    assert run.returncode == 0, (run.stderr[-3000:], [(n, r.get("msg")) for n, r, _d in run.tasks if r.get("failed")])
    atlas_hits = injected_atlas(rel)
    aws_hits = [c for c in rel["proxy"].calls() if c["fault"]]
    wanted_atlas = sum(f["count"] for f in sim_faults)
    wanted_aws = sum(f["count"] for f in aws_faults)
    # Every fault was really served (none left pending), so the run went through all of them.
    assert len(atlas_hits) == wanted_atlas and rel["sim"].faults() == [], (atlas_hits, rel["sim"].faults())
    assert len(aws_hits) == wanted_aws and rel["proxy"].pending_faults() == [], (aws_hits, rel["proxy"].pending_faults())
    assert_converged_once(rel, vpc_id, tables)
    if "drop" in profile:
        # Each dropped POST was committed and re-read, never sent twice.
        posts = [r for r in rel["sim"].requests() if r["method"] == "POST" and r["path"].rsplit("/", 1)[-1] in ("containers", "peers")
                 and not r["challenge"]]
        assert len(posts) == 2, posts
        assert run["peering request"]["changed"] and run["container"]["changed"]
    figures.add("faults", injected=wanted_atlas + wanted_aws, survived=wanted_atlas + wanted_aws, runs=1,
                atlas=wanted_atlas, aws=wanted_aws)


def test_atlas_fault_outlasting_the_deadline_fails_clearly_then_a_rerun_finishes(rel, tmp_path, figures):
    vpc_id, tables = make_vpc(rel["moto"].url)
    rel["sim"].add_fault(method="POST", path="/peers$", status=503, count=1000)
    run = run_chain(rel, tmp_path, vpc_id, extra_env={"CLOUDWIRE_ATLAS_RETRY_DEADLINE": "6"})
    assert run.returncode != 0
    failed = run["peering request"]
    assert failed.get("failed"), failed
    msg = failed["msg"]
    assert "POST" in msg and "503" in msg and "SERVICE_UNAVAILABLE" in msg and "retries" in msg and "run again later" in msg, msg
    assert failed["error_code"] == "SERVICE_UNAVAILABLE"
    served = len(injected_atlas(rel))
    assert served >= 2, served  # it did retry
    assert atlas_counts(rel)["peerings"] == []  # nothing half-done on Atlas
    assert rel["proxy"].writes() == []  # the play stopped before any AWS write

    rel["sim"].clear_faults()
    rerun = run_chain(rel, tmp_path, vpc_id)
    assert rerun.returncode == 0, [(n, r.get("msg")) for n, r, _d in rerun.tasks if r.get("failed")]
    assert_converged_once(rel, vpc_id, tables)
    figures.add("faults", injected=served, outlasting_deadline=1, failed_clearly=1, rerun_converged=1, runs=2, atlas=served)


def test_atlas_429_outlasting_the_deadline_names_the_rate_limit(rel, tmp_path, figures):
    vpc_id, tables = make_vpc(rel["moto"].url)
    rel["sim"].add_fault(method="POST", path="/accessList$", status=429, retry_after=1, count=1000)
    run = run_chain(rel, tmp_path, vpc_id, extra_env={"CLOUDWIRE_ATLAS_RETRY_DEADLINE": "5"})
    assert run.returncode != 0
    msg = run["access list"]["msg"]
    assert "429" in msg and "RATE_LIMITED" in msg and "Still rate limited after retrying" in msg, msg
    served = len(injected_atlas(rel))
    assert [e.get("cidrBlock") for e in atlas_counts(rel)["entries"]] == []
    rel["sim"].clear_faults()
    rerun = run_chain(rel, tmp_path, vpc_id)
    assert rerun.returncode == 0, [(n, r.get("msg")) for n, r, _d in rerun.tasks if r.get("failed")]
    assert not rerun["peering request"]["changed"] and rerun["access list"]["changed"]
    assert_converged_once(rel, vpc_id, tables)
    figures.add("faults", injected=served, outlasting_deadline=1, failed_clearly=1, rerun_converged=1, runs=2, atlas=served)


def test_aws_throttling_outlasting_the_retries_fails_clearly_then_a_rerun_finishes(rel, tmp_path, figures):
    """A throttling storm on the route-table reads, after the peering is accepted: the run stops half way with AWS's
    error code and what it was doing; the rerun adds the routes and the access-list entry, duplicating nothing."""
    vpc_id, tables = make_vpc(rel["moto"].url)
    rel["proxy"].add_fault(action="DescribeRouteTables", kind="throttle", count=1000)
    # botocore's own retry budget is the AWS-side deadline; 2 attempts keep the storm short.
    run = run_chain(rel, tmp_path, vpc_id, extra_env={"AWS_MAX_ATTEMPTS": "2", "AWS_RETRY_MODE": "standard"})
    assert run.returncode != 0
    failed = run["routes"]
    assert failed.get("failed"), failed
    assert "RequestLimitExceeded" in failed["msg"] and "Could not read the route tables of %s" % vpc_id in failed["msg"], failed["msg"]
    assert "access list" not in run
    served = len([c for c in rel["proxy"].calls() if c["fault"]])
    assert served >= 2
    assert not [c for c in rel["proxy"].writes() if c["action"] == "CreateRoute"]
    rel["proxy"].clear_faults()
    rerun = run_chain(rel, tmp_path, vpc_id)
    assert rerun.returncode == 0, [(n, r.get("msg")) for n, r, _d in rerun.tasks if r.get("failed")]
    assert not rerun["peering request"]["changed"] and rerun["routes"]["changed"] and rerun["access list"]["changed"]
    assert_converged_once(rel, vpc_id, tables)
    figures.add("faults", injected=served, outlasting_deadline=1, failed_clearly=1, rerun_converged=1, runs=2, aws=served)
