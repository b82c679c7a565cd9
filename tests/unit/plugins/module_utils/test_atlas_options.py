# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_options.py: the connection options fall back to exactly the variables common.py names, the secret ones are no_log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_argument_spec, env_fallback_non_empty
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
