"""The AWX workflow as code (awx/configure.yml) against the inventories' policy: every environment that requires an approval
has a workflow drift check (Check + Show Changes) -> approval -> peer (Run) that sets vpc_peering_approved_by, and its
plain peer job template cannot be given that variable at launch. dev runs directly."""

import os
import subprocess

import yaml

from support.paths import ANSIBLE_PLAYBOOK, REPO_ROOT

CONFIGURE = os.path.join(REPO_ROOT, "awx", "configure.yml")


def load():
    with open(CONFIGURE, encoding="utf-8") as handle:
        (play,) = yaml.safe_load(handle)
    tasks = {next(k for k in task if k.startswith("awx.awx.")): task for task in play["tasks"]
             if "workflow" in task["name"].lower() or "job template" in task["name"].lower()}
    job_templates = [task for task in play["tasks"] if "awx.awx.job_template" in task]
    return play, tasks, job_templates


def policy(env):
    with open(os.path.join(REPO_ROOT, "inventories", env, "group_vars", "all.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_workflow_for_every_environment_that_requires_approval():
    play, tasks, job_templates = load()
    approval_envs = play["vars"]["awx_approval_environments"]
    for env in play["vars"]["awx_environments"]:
        assert policy(env)["vpc_peering_policy_require_approval"] == (env in approval_envs), env
    assert approval_envs == ["stage", "prod"]
    workflow = tasks["awx.awx.workflow_job_template"]["awx.awx.workflow_job_template"]
    assert "vpc_peering_approved_by" in workflow["extra_vars"]
    nodes = {node["identifier"]: node for node in workflow["workflow_nodes"]}
    # drift-check -> approve -> peer, each on success only.
    assert nodes["drift-check"]["unified_job_template"]["name"] == "atlas-{{ item }}-drift"
    assert nodes["drift-check"]["related"]["success_nodes"] == [{"identifier": "approve"}]
    assert nodes["approve"]["unified_job_template"]["type"] == "workflow_approval"
    assert nodes["approve"]["related"]["success_nodes"] == [{"identifier": "peer"}]
    assert nodes["peer"]["unified_job_template"]["name"] == "atlas-{{ item }}-peer"
    assert "related" not in nodes["peer"]
    by_name = {jt["awx.awx.job_template"]["playbook"] + ":" + jt["awx.awx.job_template"]["job_type"]: jt["awx.awx.job_template"]
               for jt in job_templates}
    drift = by_name["playbooks/peer.yml:check"]
    assert drift["name"] == "atlas-{{ item }}-drift" and drift["diff_mode"] is True
    peer = by_name["playbooks/peer.yml:run"]
    assert peer["name"] == "atlas-{{ item }}-peer"
    # A bare launch of the peer template cannot pass vpc_peering_approved_by.
    assert not peer.get("ask_variables_on_launch") and not peer.get("survey_enabled") and "extra_vars" not in peer
    unpeer = by_name["playbooks/unpeer.yml:run"]
    assert [q["variable"] for q in unpeer["survey_spec"]["spec"]] == ["vpc_peering_confirm_teardown"]


def test_configure_passes_syntax_check():
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "--syntax-check", CONFIGURE], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
