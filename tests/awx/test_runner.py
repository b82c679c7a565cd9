"""playbooks/peer.yml through ansible-runner exactly as AWX runs a job template.

Credentials reach the run only as the environment the credential types inject (MongoDB Atlas API: rendered from
awx/credential_type.yml; Amazon Web Services: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), the rest comes as the job
template's extra vars. Run mode converges; Check mode with diff reports drift, which AWX reads from the job's artifacts
(the set_stats data of the playbook_on_stats event). No artifact may contain a secret.
"""

import os
import secrets

import ansible_runner
import pytest

from support.atlas import atlas_api
from support.aws import create_existing_vpc
from support.paths import BIN, LOCAL_INVENTORY, REPO_ROOT
from support.servers import fresh_atlas_env
from test_credential_type import render_injectors

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def simulator_delays():
    return dict(initiating_delay=0.5, finalizing_delay=0.5, terminating_delay=0.5, access_list_delay=0.2)


@pytest.fixture(scope="module")
def awx_world(moto_server, atlas_simulator, tmp_path_factory):
    """Fresh servers, a project, an existing VPC, AWX-like job settings."""
    moto, sim = moto_server, atlas_simulator
    atlas = fresh_atlas_env(moto, sim, "cloudwire-awx")
    vpc_id = create_existing_vpc(moto.url)
    aws_secret = "awx-aws-secret-" + secrets.token_hex(12)
    injected = render_injectors({"public_key": atlas["public_key"], "private_key": atlas["private_key"],
                                 "base_url": atlas["base_url"]})
    # What the Amazon Web Services credential type injects; moto accepts any key pair for the default account.
    injected.update({"AWS_ACCESS_KEY_ID": "AWXRUNNERTEST", "AWS_SECRET_ACCESS_KEY": aws_secret})
    # Non-secret settings of the local inventory (an AWX inventory would hold them as variables).
    injected.update({"AWS_ENDPOINT_URL": moto.url, "CLOUDWIRE_LOCAL_EXISTING_VPC_ID": vpc_id,
                     "PATH": BIN + os.pathsep + os.environ.get("PATH", "")})
    return {
        "moto": moto, "sim": sim, "atlas": atlas, "envvars": injected,
        "extravars": {"vpc_peering_atlas_project_name": atlas["project_name"]},  # the job template's extra vars
        "secrets": [atlas["private_key"], atlas["readonly_private_key"], aws_secret],
        "private_data_dir": tmp_path_factory.mktemp("awx-job"),
    }


def run_job(world, job_type):
    """One AWX job: job_type run or check (check runs with Show Changes, i.e. --diff)."""
    # Only what a job's environment holds: the harness's own MONGODB_ATLAS_*/AWS_* must not leak into the run.
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("MONGODB_ATLAS_", "AWS_")):
            del os.environ[name]
    try:
        runner = ansible_runner.run(
            private_data_dir=str(world["private_data_dir"]), project_dir=REPO_ROOT, playbook="playbooks/peer.yml",
            inventory=LOCAL_INVENTORY, extravars=world["extravars"], envvars=world["envvars"],
            cmdline="--check --diff" if job_type == "check" else None, quiet=True, timeout=900,
            # As AWX does (AWX_RUNNER_OMIT_ENV_FILES, on by default): no env/ files in the private data dir.
            suppress_env_files=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return runner


def artifact_data(runner):
    """What AWX stores as the job's artifacts: set_stats data carried by the playbook_on_stats event."""
    for event in runner.events:
        if event.get("event") == "playbook_on_stats":
            return event["event_data"].get("artifact_data", {})
    raise AssertionError("no playbook_on_stats event")


def all_artifact_bytes(world):
    found = []
    for folder, _dirs, files in os.walk(os.path.join(str(world["private_data_dir"]), "artifacts")):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                found.append((os.path.join(folder, name), handle.read()))
    return found


def assert_no_secret_in_artifacts(world):
    """Every byte the run produced (stdout, stderr, job events, status, facts) is free of every secret.

    ansible-runner's own `command` file records the environment the caller (here: the test playing AWX) handed it, so it
    holds the injected credentials by construction; runner writes it owner-only and AWX never publishes it. It is checked
    for that mode and otherwise left out: nothing the collection does can put a secret in or keep one out of it.
    """
    files = all_artifact_bytes(world)
    assert any(path.endswith(os.sep + "job_events") or os.sep + "job_events" + os.sep in path for path, _data in files)
    produced = []
    for path, data in files:
        if os.path.basename(path) == "command":
            assert os.stat(path).st_mode & 0o077 == 0, "runner's command file is readable by others"
        else:
            produced.append((path, data))
    assert len(produced) > 10, "too few artifacts to be a real run"
    hits = [(path, s[:4] + "...") for path, data in produced for s in world["secrets"] if s.encode() in data]
    assert hits == []


def test_run_job_converges_and_publishes_its_changes(awx_world):
    runner = run_job(awx_world, "run")
    assert runner.status == "successful", runner.stdout.read()[-5000:]
    data = artifact_data(runner)
    assert data["vpc_peering_check_mode"] is False
    assert set(data["vpc_peering_drift"]) == {"local-app-east", "local-app-west", "local-legacy-east"}
    # A first converge changes every host, and says what it did.
    assert all(data["vpc_peering_drift"][host] for host in data["vpc_peering_drift"])
    assert_no_secret_in_artifacts(awx_world)


def test_check_job_reports_no_drift_after_converge(awx_world):
    runner = run_job(awx_world, "check")
    assert runner.status == "successful", runner.stdout.read()[-5000:]
    data = artifact_data(runner)
    assert data["vpc_peering_check_mode"] is True
    assert data["vpc_peering_drift"] == {"local-app-east": [], "local-app-west": [], "local-legacy-east": []}
    assert int(data["vpc_peering_drift_total"]) == 0
    assert_no_secret_in_artifacts(awx_world)


def test_check_job_reports_drift_on_the_affected_host_only(awx_world):
    atlas = awx_world["atlas"]
    # Someone removes the legacy VPC's access-list entry by hand.
    atlas_api(atlas, "DELETE", "/groups/%s/accessList/%s" % (atlas["project_id"], "10.30.0.0%2F16"))
    awx_world["sim"].clear_requests()
    runner = run_job(awx_world, "check")
    assert runner.status == "successful", runner.stdout.read()[-5000:]
    assert awx_world["sim"].writes() == [], "a check job wrote to Atlas"
    data = artifact_data(runner)
    assert data["vpc_peering_drifted_hosts"] == ["local-legacy-east"]
    assert any("10.30.0.0/16" in finding for finding in data["vpc_peering_drift"]["local-legacy-east"])
    assert_no_secret_in_artifacts(awx_world)
