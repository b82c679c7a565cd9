# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""worker.py: a step run in the action plugin's worker process gets what AnsibleModule (and AtlasModule) give a module:
validated arguments, check mode, failures and results with every no_log value removed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import MagicMock

import pytest

from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepEnded, WorkerAtlasModule, WorkerModule, run_step
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import ATLAS_ENV

SPEC = dict(name=dict(type="str", required=True), count=dict(type="int", default=2), token=dict(type="str", no_log=True),
            mode=dict(type="str", choices=["a", "b"], default="a"))


@pytest.fixture(autouse=True)
def no_cloud_environment(monkeypatch):
    for name in ATLAS_ENV:
        monkeypatch.delenv(name, raising=False)


def task(check_mode=False, **args):
    return MagicMock(args=args, check_mode=check_mode, diff=False)


def ended(build):
    with pytest.raises(StepEnded) as info:
        build()
    return info.value.result


def test_arguments_are_validated_with_their_defaults():
    module = WorkerModule(task(name="app", count="3"), "demo", SPEC)
    assert module.params == dict(name="app", count=3, token=None, mode="a")
    assert module.check_mode is False


def test_a_broken_rule_fails_naming_the_option_before_the_step_runs():
    missing = ended(lambda: WorkerModule(task(count=1), "demo", SPEC))
    assert missing == dict(failed=True, msg="missing required arguments: name")
    wrong = ended(lambda: WorkerModule(task(name="app", mode="c"), "demo", SPEC))
    assert wrong["failed"] is True and "mode" in wrong["msg"] and "c" in wrong["msg"] and "a, b" in wrong["msg"], wrong
    unknown = ended(lambda: WorkerModule(task(name="app", colour="red"), "demo", SPEC))
    assert unknown["failed"] is True and "colour" in unknown["msg"], unknown
    both = ended(lambda: WorkerModule(task(name="app", token="t0k3n-value", mode="b"), "demo", SPEC, mutually_exclusive=[("token", "mode")]))
    assert both["failed"] is True and "token|mode" in both["msg"], both


def test_no_log_values_never_leave_the_step():
    module = WorkerModule(task(name="app", token="s3cr3t-t0k3n"), "demo", SPEC)
    assert "s3cr3t-t0k3n" in module.no_log_values
    failure = ended(lambda: module.fail_json(msg="the server refused s3cr3t-t0k3n", detail={"echo": "s3cr3t-t0k3n"},
                                             exception="Traceback: s3cr3t-t0k3n"))
    assert failure["failed"] is True and "s3cr3t-t0k3n" not in repr(failure), failure
    assert failure["exception"] == "Traceback: ********" and failure["msg"] == "the server refused ********", failure
    done = ended(lambda: module.exit_json(vpcs={"app": "s3cr3t-t0k3n"}))
    assert done == dict(changed=False, vpcs={"app": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"})  # as AnsibleModule masks a whole value


def test_check_mode_skips_a_step_that_writes_and_runs_one_that_reads():
    skipped = ended(lambda: WorkerModule(task(check_mode=True, name="app"), "vpc_peering_atlas", SPEC))
    assert skipped == dict(skipped=True, msg="vpc_peering_atlas writes; it does not run in check mode")
    reader = WorkerModule(task(check_mode=True, name="app"), "vpc_peering_status", SPEC, supports_check_mode=True)
    assert reader.check_mode is True


def test_warnings_come_with_the_result():
    module = WorkerModule(task(name="app"), "demo", SPEC)
    module.warn("the stack is still updating")
    assert ended(lambda: module.exit_json(changed=True)) == dict(changed=True, warnings=["the stack is still updating"])


def test_run_step_returns_the_ending_and_refuses_a_step_without_one():
    result = run_step({"from_base": 1}, lambda: WorkerModule(task(name="app"), "demo", SPEC), lambda m: m.exit_json(name=m.params["name"]))
    assert result == {"from_base": 1, "changed": False, "name": "app"}
    with pytest.raises(RuntimeError, match="without exit_json or fail_json"):
        run_step({}, lambda: WorkerModule(task(name="app"), "demo", SPEC), lambda m: None)


class TaggedStr(str):
    """What ansible-core 2.19 makes of a lookup's string: a subclass of str."""


class TaggedDict(dict):
    pass


def test_tagged_task_arguments_reach_the_step_as_plain_types():
    """libyaml's loader (the plan compares stack templates as YAML) refuses a subclass of str: the step gets plain types, as a
    module does."""
    spec = dict(SPEC, template=dict(type="str"), tags=dict(type="dict"), names=dict(type="list", elements="str"))
    module = WorkerModule(task(name="app", template=TaggedStr("Resources: {}\n"), tags=TaggedDict(team=TaggedStr("payments")),
                               names=(TaggedStr("a"),)), "demo", spec)
    assert [type(module.params["template"]), type(module.params["tags"]), type(module.params["tags"]["team"])] == [str, dict, str]
    assert module.params["template"] == "Resources: {}\n" and [type(n) for n in module.params["names"]] == [str]


def test_the_atlas_options_are_checked_and_a_password_in_the_base_url_never_leaves():
    url = "https://svc:hunter2-Secret@cloud.mongodb.com"
    refused = ended(lambda: WorkerAtlasModule(task(name="app", base_url=url, public_key="pub", private_key="priv-key-123",
                                                   project_id="5e2211c17a3e5a48f5497de3"), "demo", SPEC))
    assert refused["failed"] is True and "base_url" in refused["msg"] and "https://***@cloud.mongodb.com" in refused["msg"], refused
    assert "hunter2-Secret" not in repr(refused) and "priv-key-123" not in repr(refused), refused
    no_project = ended(lambda: WorkerAtlasModule(task(name="app", public_key="pub", private_key="priv-key-123"), "demo", SPEC))
    assert no_project["failed"] is True and "project_id" in no_project["msg"] and "project_name" in no_project["msg"], no_project
