# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Atlas connection and project options every cloudwire.atlas module takes, the check that credentials are given, and
failures naming an option, its value and the rule it breaks.

Apart from module.py (which adds the client) so that a module can declare them without importing requests: the reader
vpc_peering_info loads botocore's EC2 model first and imports the Atlas client afterwards, into memory that load freed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.common import BASE_URL_ENV, CREDENTIAL_ENV
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import NO_CREDENTIALS


def env_fallback_non_empty(*names):
    """Like env_fallback, but an empty variable counts as unset.

    AWX credential injectors set every variable of a credential type, the unused ones (service account fields of an
    API key credential, and the other way round) to "", which must not trip the mutually exclusive options.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def atlas_argument_spec():
    """Connection options shared by every module (doc fragment ``cloudwire.atlas.atlas``)."""
    return dict(
        public_key=dict(type="str", fallback=(env_fallback_non_empty, [CREDENTIAL_ENV["public_key"]])),
        private_key=dict(type="str", no_log=True, fallback=(env_fallback_non_empty, [CREDENTIAL_ENV["private_key"]])),
        client_id=dict(type="str", fallback=(env_fallback_non_empty, [CREDENTIAL_ENV["client_id"]])),
        client_secret=dict(type="str", no_log=True, fallback=(env_fallback_non_empty, [CREDENTIAL_ENV["client_secret"]])),
        # No spec default: AnsibleModule skips env fallbacks for options that have one; DEFAULT_BASE_URL applies in code.
        base_url=dict(type="str", fallback=(env_fallback_non_empty, [BASE_URL_ENV])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def project_argument_spec():
    """project_id / project_name (doc fragment ``cloudwire.atlas.atlas.project``)."""
    return dict(
        project_id=dict(type="str"),
        project_name=dict(type="str"),
    )


CONNECTION_MUTUALLY_EXCLUSIVE = [
    ["public_key", "client_id"],
    ["public_key", "client_secret"],
    ["private_key", "client_id"],
    ["private_key", "client_secret"],
]
CONNECTION_REQUIRED_TOGETHER = [["public_key", "private_key"], ["client_id", "client_secret"]]


def atlas_module_kwargs(argument_spec=None, project=True, mutually_exclusive=None, required_together=None, required_one_of=None):
    """A module's own options and rules merged with the connection (and project) options and their rules."""
    spec = atlas_argument_spec()
    exclusive = list(CONNECTION_MUTUALLY_EXCLUSIVE)
    together = list(CONNECTION_REQUIRED_TOGETHER)
    one_of = []
    if project:
        spec.update(project_argument_spec())
        exclusive.append(["project_id", "project_name"])
        one_of.append(["project_id", "project_name"])
    spec.update(argument_spec or {})
    return dict(argument_spec=spec, mutually_exclusive=exclusive + list(mutually_exclusive or []),
                required_together=together + list(required_together or []), required_one_of=one_of + list(required_one_of or []))


def invalid_value(option, value, rule):
    """The message of a value breaking a rule, naming the option (never used for secret options)."""
    if value is None:
        return "%s %s" % (option, rule)  # e.g. "atlas_cidr_block is required to create a container ..."
    if rule.startswith(repr(value) + " ") or isinstance(value, str) and repr(value) in rule:
        return "Invalid %s: %s" % (option, rule)  # the helpers' ValueErrors already quote the value
    return "Invalid %s %r: %s" % (option, value, rule)


# The connection and project options whose values have a rule, checked before any request: a base_url without its scheme
# would otherwise be retried as an unreachable host until the retry deadline, a timeout of 0 refused by requests.
CHECKED_OPTIONS = (("base_url", validators.base_url), ("timeout", validators.timeout), ("project_id", validators.project_id))


def connection_problem(params):
    """What keeps a task from calling Atlas, checked before any request: a dict of ``fail_json`` keywords (``msg``, and
    ``option`` when one option's value breaks its rule), or None when nothing does."""
    if not has_credentials(params):
        return dict(msg=NO_CREDENTIALS)
    for option, check in CHECKED_OPTIONS:
        value = params.get(option)
        if value is not None:
            try:
                check(value)
            except ValueError as exc:
                shown = validators.shown_url(value) if option == "base_url" else value
                return dict(msg=invalid_value(option, shown, str(exc)), option=option)
    return None


def fail_on_value(module, option, value, rule):
    """Fail naming the option, the value and the rule it breaks (never used for secret options)."""
    module.fail_json(msg=invalid_value(option, value, rule), option=option)


def validated(module, option, check, value, *args, **kwargs):
    """``check(value, ...)`` (a validators/regions helper) or fail naming the option; returns its result."""
    try:
        return check(value, *args, **kwargs)
    except ValueError as exc:
        fail_on_value(module, option, value, str(exc))


def has_credentials(params):
    """An API key pair or a service account pair is given."""
    return bool((params.get("public_key") and params.get("private_key")) or (params.get("client_id") and params.get("client_secret")))
