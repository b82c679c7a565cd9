# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AtlasModule: option handling, env fallbacks, project resolution and failures (against fake_atlas over HTTP); check_poll_options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.cloudwire.atlas.plugins.module_utils import module as module_utils
from ansible_collections.cloudwire.atlas.plugins.module_utils import containers, sessions
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasError, AtlasOutcomeUnknown, AtlasStateError
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule, check_poll_options
from ansible_collections.cloudwire.atlas.plugins.module_utils.validators import atlas_cidr_block
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import api_error

GROUP = "5e2211c17a3e5a48f5497de3"
ENV = ("MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET",
       "MONGODB_ATLAS_BASE_URL")


class Failed(Exception):
    def __init__(self, result):
        self.result = result
        super(Failed, self).__init__(result.get("msg"))


@pytest.fixture(autouse=True)
def no_exit(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)

    def fail_json(self, **result):
        raise Failed(result)

    monkeypatch.setattr(AtlasModule, "fail_json", fail_json)


def _module(args, **kwargs):
    with patch_module_args(args):
        return AtlasModule(argument_spec=kwargs.pop("argument_spec", {}), supports_check_mode=True, **kwargs)


def _creds(atlas, **extra):
    args = dict(public_key=atlas.public_key, private_key=atlas.private_key, base_url=atlas.url, project_id=GROUP)
    args.update(extra)
    return dict((key, value) for key, value in args.items() if value is not None)


def test_missing_credentials_name_the_options_and_env_vars():
    with pytest.raises(Failed) as caught:
        _module(dict(project_id=GROUP))
    message = caught.value.result["msg"]
    for word in ("public_key", "private_key", "client_id", "client_secret", "MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_CLIENT_SECRET"):
        assert word in message


def test_environment_fallbacks(monkeypatch, atlas):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_KEY", atlas.public_key)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_KEY", atlas.private_key)
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", atlas.url)
    module = _module(dict(project_id=GROUP))
    assert module.params["public_key"] == atlas.public_key
    assert module.params["base_url"] == atlas.url
    assert atlas.private_key in module.no_log_values
    atlas.route("GET", "/groups/%s" % GROUP, {"id": GROUP})
    assert module.client.get("/groups/%s" % GROUP) == {"id": GROUP}


def test_base_url_defaults_to_atlas():
    module = _module(dict(public_key="pub", private_key="secret", project_id=GROUP))
    assert module.params["base_url"] is None
    assert module.client.base_url == "https://cloud.mongodb.com"
    assert module.params["validate_certs"] is True and module.params["timeout"] == 30


@pytest.mark.parametrize("timeout", [0, -5])
def test_a_timeout_below_one_second_fails_naming_the_option_before_any_request(atlas, timeout):
    with pytest.raises(Failed) as caught:
        _module(_creds(atlas, timeout=timeout))
    assert caught.value.result["msg"] == (
        "Invalid timeout: %d is not a timeout: it must be a whole number of seconds greater than 0" % timeout)
    assert caught.value.result["option"] == "timeout" and atlas.log == []


def test_a_base_url_without_its_scheme_fails_at_once_naming_the_option(monkeypatch, atlas):
    # Without the check, requests refuses the URL and the transport retries it as an unreachable host until the deadline.
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "cloud.mongodb.com")
    with pytest.raises(Failed) as caught:
        _module(dict(public_key="p", private_key="s", project_id=GROUP))
    assert caught.value.result["option"] == "base_url"
    assert caught.value.result["msg"].startswith("Invalid base_url: 'cloud.mongodb.com' is not a URL of Atlas: it must start with https://")


def test_a_password_in_the_base_url_is_refused_and_hidden_from_the_invocation(monkeypatch, atlas):
    # AnsibleModule.fail_json masks every no_log value in the whole result, the invocation's module_args included.
    secret = "hunter2-in-the-url"
    hidden = []

    def fail_json(self, **result):
        hidden.extend(self.no_log_values)
        raise Failed(result)

    monkeypatch.setattr(AtlasModule, "fail_json", fail_json)
    with pytest.raises(Failed) as caught:
        _module(_creds(atlas, base_url=atlas.url.replace("://", "://ops:%s@" % secret)))
    assert caught.value.result["option"] == "base_url" and "holds credentials before its host" in caught.value.result["msg"]
    assert secret not in caught.value.result["msg"] and atlas.log == []
    assert secret in hidden


def test_the_client_honours_the_retry_deadline_and_the_timeout(monkeypatch, atlas):
    monkeypatch.setenv("CLOUDWIRE_ATLAS_RETRY_DEADLINE", "7")
    module = _module(_creds(atlas, timeout=4))
    assert module.client.retry_policy.deadline == 7.0 and module.client.timeout == 4


def test_service_account_options(atlas):
    module = _module(dict(client_id=atlas.client_id, client_secret=atlas.client_secret, base_url=atlas.url, project_id=GROUP))
    assert module.client.auth_kind == "service_account"
    assert atlas.client_secret in module.no_log_values


@pytest.mark.parametrize("args, words", [
    (dict(public_key="p", private_key="s", client_id="c", client_secret="t", project_id=GROUP), ["mutually exclusive"]),
    (dict(public_key="p", project_id=GROUP), ["together", "private_key"]),
    (dict(client_secret="t", project_id=GROUP), ["together", "client_id"]),
    (dict(public_key="p", private_key="s", project_id=GROUP, project_name="shop"), ["mutually exclusive", "project_name"]),
    (dict(public_key="p", private_key="s"), ["one of the following", "project_id"]),
])
def test_option_rules(args, words):
    with pytest.raises(Failed) as caught:
        _module(args)
    for word in words:
        assert word in caught.value.result["msg"]
    assert "s" != caught.value.result["msg"]


def test_project_options_can_be_left_out():
    module = _module(dict(public_key="p", private_key="s"), project=False)
    assert "project_id" not in module.params


def test_project_name_is_resolved_once(atlas):
    atlas.route("GET", "/groups/byName/shop dev", {"id": GROUP, "name": "shop dev"})
    module = _module(_creds(atlas, project_id=None, project_name="shop dev"))
    assert module.project_id == GROUP
    assert module.project_id == GROUP
    lookups = atlas.api_requests()
    assert len(lookups) == 1
    assert lookups[0]["path"] == "/api/atlas/v2/groups/byName/shop%20dev"


def test_unknown_project_name_fails_with_the_error_code(atlas):
    atlas.add(api_error(404, "GROUP_NAME_NOT_FOUND", 'No group with name "nope" exists.', ["nope"]))
    module = _module(_creds(atlas, project_id=None, project_name="nope"))
    with pytest.raises(Failed) as caught:
        module.project_id  # pylint: disable=pointless-statement
    result = caught.value.result
    assert result["msg"].startswith("Failed to find the Atlas project named 'nope': Atlas refused GET /groups/byName/nope: 404 GROUP_NAME_NOT_FOUND")
    assert result["error_code"] == "GROUP_NAME_NOT_FOUND" and result["status"] == 404
    assert result["api_calls"]["requests"] == 2
    assert atlas.private_key not in repr(result)


def test_invalid_project_id_names_the_option(atlas):
    with pytest.raises(Failed) as caught:
        _module(_creds(atlas, project_id="shop-dev"))
    assert caught.value.result["msg"] == "Invalid project_id: 'shop-dev' is not an Atlas project id: it must be 24 lower-case hex digits"
    assert caught.value.result["option"] == "project_id"


def test_validated_returns_the_checked_value_or_fails_naming_the_option(atlas):
    module = _module(_creds(atlas))
    assert module.validated("atlas_cidr_block", atlas_cidr_block, "10.8.0.0/21") == "10.8.0.0/21"
    with pytest.raises(Failed) as caught:
        module.validated("atlas_cidr_block", atlas_cidr_block, "10.8.1.0/21")
    assert caught.value.result["msg"].startswith("Invalid atlas_cidr_block: '10.8.1.0/21' is not in canonical form")


def test_fail_on_value_adds_the_value_when_the_rule_does_not_state_it(atlas):
    module = _module(_creds(atlas))
    with pytest.raises(Failed) as caught:
        module.fail_on_value("wait_timeout", -5, "must be zero or more seconds")
    assert caught.value.result["msg"] == "Invalid wait_timeout -5: must be zero or more seconds"
    with pytest.raises(Failed) as caught:
        module.fail_on_value("timeout", 1, "must be 1 to 10 minutes, not seconds")
    assert caught.value.result["msg"] == "Invalid timeout 1: must be 1 to 10 minutes, not seconds"
    with pytest.raises(Failed) as caught:
        module.fail_on_value("atlas_cidr_block", None, "is required to create a container")
    assert caught.value.result["msg"] == "atlas_cidr_block is required to create a container"


def test_fail_on_error_for_an_unknown_outcome(atlas):
    module = _module(_creds(atlas))
    with pytest.raises(Failed) as caught:
        module.fail_on_error(AtlasOutcomeUnknown("POST /x was sent ..."), doing="request the peering")
    assert caught.value.result["outcome_unknown"] is True
    assert caught.value.result["msg"] == "Failed to request the peering: POST /x was sent ..."


def test_fail_on_error_for_an_unexpected_exception(atlas):
    module = _module(_creds(atlas))
    with pytest.raises(Failed) as caught:
        try:
            raise KeyError("statusName")
        except KeyError as exc:
            module.fail_on_error(exc, doing="read the peering")
    assert caught.value.result["msg"] == "Failed to read the peering: KeyError: 'statusName'"
    assert "Traceback" in caught.value.result["exception"]


def test_missing_requests_is_reported_with_missing_required_lib(monkeypatch, atlas):
    monkeypatch.setattr(module_utils, "HAS_REQUESTS", False)
    monkeypatch.setattr(module_utils, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    module = _module(_creds(atlas))
    with pytest.raises(Failed) as caught:
        module.client  # pylint: disable=pointless-statement
    assert "requests" in caught.value.result["msg"]
    assert caught.value.result["exception"] == "Traceback: No module named 'requests'"


# -- run: the one handler of Atlas errors --------------------------------------------------------------------------------
def test_run_returns_what_the_function_returns(atlas):
    module = _module(_creds(atlas))
    assert module.run(lambda a, b=0: a + b, 1, b=2) == 3


def test_run_reports_an_api_error_with_what_was_being_done(atlas):
    atlas.add(api_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP address 198.51.100.7 is not allowed to access this resource.",
                        ["198.51.100.7"]))
    module = _module(_creds(atlas))
    with pytest.raises(Failed) as caught:
        module.run(containers.list_aws, module.client, module.project_id)
    result = caught.value.result
    assert result["msg"].startswith("Failed to list the project's AWS network peering containers: Atlas refused GET "
                                    "/groups/%s/containers: 403 IP_ADDRESS_NOT_ON_ACCESS_LIST" % GROUP)
    assert "add 198.51.100.7" in result["msg"]
    assert result["error_code"] == "IP_ADDRESS_NOT_ON_ACCESS_LIST" and result["status"] == 403 and result["api_calls"]["requests"] == 2
    assert atlas.private_key not in repr(result)


def test_run_reports_what_atlas_holds_with_its_result_fields(atlas):
    module = _module(_creds(atlas))

    def refuse():
        raise AtlasStateError("Atlas peering p is FAILED with errorStateName REJECTED: do this.", error_state_name="REJECTED", peering={"id": "p"})

    with pytest.raises(Failed) as caught:
        module.run(refuse)
    assert caught.value.result["msg"] == "Atlas peering p is FAILED with errorStateName REJECTED: do this."
    assert caught.value.result["error_state_name"] == "REJECTED" and caught.value.result["peering"] == {"id": "p"}


def test_run_leaves_other_exceptions_alone(atlas):
    module = _module(_creds(atlas))
    with pytest.raises(ZeroDivisionError):
        module.run(lambda: 1 / 0)


def test_a_client_that_cannot_be_set_up_says_so(monkeypatch, atlas):
    def refuse(**_options):
        raise AtlasError("the Python library requests is required: ...")

    monkeypatch.setattr(sessions, "AtlasClient", refuse)
    module = _module(_creds(atlas))
    with pytest.raises(Failed) as caught:
        module.client  # pylint: disable=pointless-statement
    assert caught.value.result["msg"].startswith("Failed to set up the Atlas client: AtlasError: the Python library requests is required")


# ---- check_poll_options: wait_timeout / poll_interval / poll_max_interval of the waiting modules and the Atlas step ----------
class PollModule:
    def __init__(self, **params):
        self.params = dict(dict(wait_timeout=900), **params)

    def fail_on_value(self, option, value, rule):
        raise Failed({"msg": "%s %r %s" % (option, value, rule)})


def test_defaults_and_a_lower_cap_are_accepted():
    check_poll_options(PollModule(poll_interval=1.0, poll_max_interval=15.0))
    check_poll_options(PollModule(poll_interval=0.5, poll_max_interval=0.5))
    check_poll_options(PollModule(poll_interval=1.0, wait_timeout=0))
    check_poll_options(PollModule(poll_interval=1.0))  # the Atlas step has no cap


@pytest.mark.parametrize("interval, cap, option", [(0, 15, "poll_interval"), (-1, 15, "poll_interval"), (5, 2, "poll_max_interval")])
def test_bad_values_fail_naming_the_option(interval, cap, option):
    with pytest.raises(Failed, match="^%s " % option):
        check_poll_options(PollModule(poll_interval=interval, poll_max_interval=cap))


@pytest.mark.parametrize("params, message", [
    (dict(wait_timeout=-1, poll_interval=1.0, poll_max_interval=15.0), "wait_timeout -1 must be 0 or more seconds"),
    (dict(poll_interval=0.0), "poll_interval 0.0 must be more than 0 seconds"),
])
def test_the_wait_timeout_and_a_module_without_a_cap(params, message):
    with pytest.raises(Failed, match="^%s$" % message):
        check_poll_options(PollModule(**params))
