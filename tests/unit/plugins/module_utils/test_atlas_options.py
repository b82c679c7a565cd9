# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_options.py: the connection options fall back to exactly the variables common.py names, the secret ones are no_log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import (
    atlas_argument_spec,
    connection_problem,
    env_fallback_non_empty,
    invalid_value,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.common import BASE_URL_ENV, CREDENTIAL_ENV
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import NO_CREDENTIALS


def test_every_credential_falls_back_to_its_variable():
    spec = atlas_argument_spec()
    fallbacks = dict((option, spec[option]["fallback"]) for option in spec if "fallback" in spec[option])
    assert fallbacks == dict([(option, (env_fallback_non_empty, [name])) for option, name in CREDENTIAL_ENV.items()]
                             + [("base_url", (env_fallback_non_empty, [BASE_URL_ENV]))])
    assert [option for option in spec if spec[option].get("no_log")] == ["private_key", "client_secret"]


def test_the_missing_credentials_message_names_every_option_and_variable():
    for option, variable in CREDENTIAL_ENV.items():
        assert option in NO_CREDENTIALS and variable in NO_CREDENTIALS


KEYS = dict(public_key="p", private_key="s")


@pytest.mark.parametrize("params, option, message", [
    (dict(base_url="cloud.mongodb.com"), "base_url", "Invalid base_url: 'cloud.mongodb.com' is not a URL of Atlas: it must start with https://"),
    (dict(timeout=0), "timeout", "Invalid timeout: 0 is not a timeout: it must be a whole number of seconds greater than 0"),
    (dict(project_id="shop"), "project_id", "Invalid project_id: 'shop' is not an Atlas project id"),
])
def test_a_connection_value_that_breaks_its_rule_is_named(params, option, message):
    problem = connection_problem(dict(dict(KEYS, base_url=None, timeout=30, project_id=None), **params))
    found, text = problem["option"], problem["msg"]
    assert found == option and text.startswith(message), text


def test_good_or_unset_connection_values_pass():
    assert connection_problem(dict(KEYS, base_url="https://cloud.mongodb.com", timeout=30, project_id="5e2211c17a3e5a48f5497de3")) is None
    assert connection_problem(dict(KEYS, base_url=None, timeout=None, project_id=None)) is None


def test_a_base_url_with_credentials_is_named_without_them():
    problem = connection_problem(dict(KEYS, base_url="https://ops:hunter2-secret@cloud.mongodb.com", timeout=30, project_id=None))
    assert problem["option"] == "base_url"
    assert problem["msg"].startswith("Invalid base_url: 'https://***@cloud.mongodb.com' holds credentials before its host"), problem
    assert "hunter2-secret" not in problem["msg"]


def test_missing_credentials_come_first_and_name_no_option():
    assert connection_problem(dict(base_url="cloud.mongodb.com", timeout=0)) == dict(msg=NO_CREDENTIALS)


def test_the_message_states_the_value_once():
    assert invalid_value("wait_timeout", -5, "must be zero or more seconds") == "Invalid wait_timeout -5: must be zero or more seconds"
    assert invalid_value("timeout", 0, "0 is not a timeout") == "Invalid timeout: 0 is not a timeout"
    assert invalid_value("timeout", 1, "must be 1 to 10 minutes") == "Invalid timeout 1: must be 1 to 10 minutes"
    assert invalid_value("atlas_cidr_block", None, "is required") == "atlas_cidr_block is required"
