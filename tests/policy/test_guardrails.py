"""Each guardrail of the automation policy (docs/automation-policy.md) on inventories/local with the real ansible-playbook:
refused in preflight with a message naming the policy variable, with zero writes on either cloud (the simulator's request
log has no POST/PATCH/DELETE, the AWS snapshot is unchanged), then allowed once the variable is set.

The tests share one world and run in file order: refusals on an empty world, one allowed converge, a strict (prod-like)
run on the converged world, teardown refusals on the converged world, one confirmed teardown.
"""

import json
import os

import pytest

from e2e_helpers import HOSTS, atlas_api, INVENTORY, REPO_ROOT, aws_snapshot, fresh_world, run_playbook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vpc_peering_policy")]

STACK_HOSTS = sorted(host for host, where in HOSTS.items() if where[2])
STRICT = {"vpc_peering_policy_allow_stack_create": False, "vpc_peering_policy_allow_container_create": False,
          "vpc_peering_policy_allow_teardown": False, "vpc_peering_policy_require_approval": True}


def extra(**variables):
    return ["-e", json.dumps(variables)]


@pytest.fixture(scope="module")
def world(moto_server, atlas_simulator):
    return fresh_world(moto_server, atlas_simulator, "cloudwire-policy")


def refused(world, playbook, variables, hosts, *args):
    """A run that every host in `hosts` must fail in the policy step of preflight, writing nothing on either cloud.
    Returns host -> the refusal message."""
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    run = run_playbook(world["env"], playbook, *extra(**variables), *args)
    assert run.rc != 0, run.explain()
    assert set(run.stats) >= set(hosts), run.explain()
    assert all(run.failed(host) for host in hosts), run.explain()
    (results,) = run.task_results("automation policy of the environment")
    assert world["sim"].writes() == [], f"a refused run wrote to Atlas: {world['sim'].writes()}"
    assert aws_snapshot(world["moto"].url) == before, "a refused run changed AWS"
    messages = {host: results[host]["msg"] for host in hosts}
    for message in messages.values():
        assert "refused by the automation policy, nothing was written" in message, message
    return messages


def converge(world, variables, *args):
    run = run_playbook(world["env"], "peer.yml", *extra(**variables), *args)
    assert run.rc == 0, run.explain()
    return run


def test_container_create_refused_on_an_empty_world(world):
    messages = refused(world, "peer.yml", {"vpc_peering_policy_allow_container_create": False}, HOSTS)
    for host, message in messages.items():
        assert "vpc_peering_policy_allow_container_create is false in environment local" in message, message
        assert "set vpc_peering_policy_allow_container_create: true in inventories/local/group_vars" in message, message
    assert "US_EAST_1" in messages["local-app-east"] and "EU_WEST_1" in messages["local-app-west"]


def test_stack_create_refused_for_the_stack_hosts(world):
    messages = refused(world, "peer.yml", {"vpc_peering_policy_allow_stack_create": False}, STACK_HOSTS,
                       "--limit", ",".join(STACK_HOSTS))
    for host, message in messages.items():
        assert f"the network stack {HOSTS[host][2]} does not exist" in message, message
        assert "vpc_peering_policy_allow_stack_create is false" in message and "vpc_peering_vpc_id" in message, message


def test_approval_required_refuses_a_bare_run(world):
    messages = refused(world, "peer.yml", {"vpc_peering_policy_require_approval": True}, HOSTS)
    for message in messages.values():
        assert "vpc_peering_policy_require_approval is true in environment local" in message, message
        assert "vpc_peering_approved_by" in message and "atlas-local-peer-approved" in message, message


def test_teardown_refused_without_confirmation_on_an_empty_world(world):
    messages = refused(world, "unpeer.yml", {"vpc_peering_policy_allow_teardown": False}, HOSTS)
    for message in messages.values():
        assert "vpc_peering_policy_allow_teardown is false in environment local" in message, message
        assert "-e vpc_peering_confirm_teardown=local" in message, message


def test_a_teardown_check_reports_the_refusal_without_failing(world):
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    run = run_playbook(world["env"], "unpeer.yml", "--check", *extra(vpc_peering_policy_allow_teardown=False))
    assert run.rc == 0, run.explain()
    assert world["sim"].writes() == [] and aws_snapshot(world["moto"].url) == before
    for host in HOSTS:
        assert any(line.startswith("policy: a run would be refused: vpc_peering_policy_allow_teardown is false")
                   for line in run.drift[host]), run.drift


def test_a_check_run_reports_what_a_converge_would_refuse_and_needs_no_approval(world):
    """The drift check of a strict environment: no failure, no write, the refusals are findings the approver reads."""
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    run = run_playbook(world["env"], "peer.yml", "--check", "--diff", *extra(**STRICT))
    assert run.rc == 0, run.explain()
    world["check"] = run
    assert world["sim"].writes() == [] and aws_snapshot(world["moto"].url) == before
    for host in HOSTS:
        policy = [line for line in run.drift[host] if line.startswith("policy: a run would be refused: ")]
        assert any("vpc_peering_policy_allow_container_create" in line for line in policy), run.drift[host]
        assert any("vpc_peering_policy_allow_stack_create" in line for line in policy) == (host in STACK_HOSTS), run.drift[host]
        assert not any("vpc_peering_policy_require_approval" in line for line in policy), run.drift[host]
        assert "peering: missing" in run.drift[host]


def test_an_approved_run_converges(world):
    """Approval required and given, creation allowed: the converge goes through. The run gets what the AWX workflow's peer
    node gets: the workflow's vpc_peering_approved_by and, as extra vars, the drift check's artifacts (set_stats); the run
    must still report its own findings, not the check's."""
    artifacts = world.get("check").custom if world.get("check") else {}
    assert "vpc_peering_drift" in artifacts, "the check's artifacts are needed here (run the module in order)"
    run = converge(world, dict(artifacts, vpc_peering_policy_require_approval=True,
                               vpc_peering_approved_by="approval node atlas-local-approve of workflow atlas-local-peer-approved"))
    for host in HOSTS:
        assert run.failed(host) == 0 and run.changed(host) > 0, run.explain()
        assert "peering: missing" in run.drift[host], run.drift
        assert not [line for line in run.drift[host] if line.startswith("policy:")], run.drift


def test_a_strict_environment_keeps_what_exists_converged(world):
    """prod's policy on a world where the containers and stacks exist: nothing to create, so an approved run is allowed."""
    run = converge(world, dict(STRICT, vpc_peering_approved_by="policy-test approver"))
    for host in HOSTS:
        assert run.failed(host) == 0 and run.drift[host] == [], run.explain()


def test_teardown_refused_without_or_with_a_wrong_confirmation_leaves_the_peerings(world):
    messages = refused(world, "unpeer.yml", {"vpc_peering_policy_allow_teardown": False}, HOSTS)
    assert all("vpc_peering_policy_allow_teardown is false" in m for m in messages.values()), messages
    messages = refused(world, "unpeer.yml", {"vpc_peering_policy_allow_teardown": False, "vpc_peering_confirm_teardown": "prod"}, HOSTS)
    for message in messages.values():
        assert "vpc_peering_confirm_teardown is prod but this is environment local" in message, message
    # A wrong name is refused even where teardown is allowed without confirmation.
    refused(world, "unpeer.yml", {"vpc_peering_confirm_teardown": "dev"}, HOSTS)


def test_teardown_confirmed_with_the_environment_name(world):
    run = run_playbook(world["env"], "unpeer.yml",
                       *extra(vpc_peering_policy_allow_teardown=False, vpc_peering_confirm_teardown="local"))
    assert run.rc == 0, run.explain()
    for host in HOSTS:
        assert run.failed(host) == 0 and "peering: present" in run.drift[host], run.drift
    atlas = world["atlas"]
    assert atlas_api(atlas, "GET", f"/groups/{atlas['project_id']}/peers")["results"] == []


def test_every_inventory_states_its_policy():
    """Each environment's policy is explicit in its group_vars (the role's defaults are permissive): dev permissive, prod strict."""
    import yaml  # pylint: disable=import-outside-toplevel

    wanted = {"dev": (True, True, True, False), "stage": (True, True, False, True), "prod": (False, False, False, True),
              "local": (True, True, True, False)}
    names = ("vpc_peering_policy_allow_stack_create", "vpc_peering_policy_allow_container_create",
             "vpc_peering_policy_allow_teardown", "vpc_peering_policy_require_approval")
    for env, values in wanted.items():
        with open(os.path.join(REPO_ROOT, "inventories", env, "group_vars", "all.yml"), encoding="utf-8") as handle:
            group_vars = yaml.safe_load(handle)
        assert group_vars["vpc_peering_policy_environment"] == env
        assert tuple(group_vars[name] for name in names) == values, env
    assert os.path.isdir(INVENTORY)
