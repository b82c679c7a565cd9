# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AtlasModule: the AnsibleModule every cloudwire.atlas module uses.

A module declares only its own options; the connection and project options (documented once in the doc fragments
``cloudwire.atlas.atlas`` and ``cloudwire.atlas.atlas.project``), client creation, project resolution and the one place
that turns the Atlas client's errors into an actionable failure (``run``) live here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cloudwire.atlas.plugins.module_utils import atlas_options, projects, sessions, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import (
    AtlasApiError,
    AtlasError,
    AtlasOutcomeUnknown,
    AtlasStateError,
    AtlasTransportError,
    doing,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


class AtlasModuleMixin:
    """The Atlas side of a module: a lazily created AtlasClient, the project id, the one handler of Atlas errors (``run``),
    failures naming the option.

    Mixed into AnsibleModule (AtlasModule) and into amazon.aws's AnsibleAWSModule (a module reading both clouds); it needs only
    ``params`` and ``fail_json`` from them. Call ``_init_atlas`` once the parameters are parsed.
    """

    def _init_atlas(self, project=True):
        self._client = None
        self._project_id = None
        self._has_project = project
        self._check_connection()

    def _check_connection(self):
        # Credentials before the host of base_url are refused below; the failure's invocation must not show them either.
        hidden = getattr(self, "no_log_values", None)
        if hidden is not None:
            hidden.update(validators.url_credentials(self.params.get("base_url")))
        problem = atlas_options.connection_problem(self.params)
        if problem:
            self.fail_json(**problem)

    @property
    def atlas_client(self):
        """The AtlasClient for this run, created on first use."""
        if self._client is None:
            if not HAS_REQUESTS:
                self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
            self._client = self.run(self._new_client)
        return self._client

    @doing("set up the Atlas client")
    def _new_client(self):
        return sessions.new_client(self.params)

    @property
    def project_id(self):
        """The project id: project_id as given, or looked up once by project_name."""
        if self._project_id is None:
            if not self._has_project:
                raise AttributeError("this module was created with project=False")
            given = self.params.get("project_id")
            if given:
                self._project_id = self.validated("project_id", validators.project_id, given)
            else:
                self._project_id = self.run(projects.id_by_name, self.atlas_client, self.params.get("project_name"))
        return self._project_id

    def run(self, function, *args, **kwargs):
        """``function(*args, **kwargs)``, with the one handler of Atlas errors around it: any error of the Atlas client
        (errors.py) becomes one failure saying what was being done, Atlas's errorCode and what to do (fail_on_error)."""
        try:
            return function(*args, **kwargs)
        except AtlasError as exc:
            self.fail_on_error(exc)

    def validated(self, option, check, value, *args, **kwargs):
        """``check(value, ...)`` (a validators/regions helper) or fail naming the option; returns its result."""
        return atlas_options.validated(self, option, check, value, *args, **kwargs)

    def fail_on_value(self, option, value, rule):
        """Fail naming the option, the value and the rule it breaks (never used for secret options)."""
        atlas_options.fail_on_value(self, option, value, rule)

    def fail_on_error(self, exc, doing=None, **result):
        """Turn a client error into one failure: what was being done, Atlas's errorCode, and what to do about it."""
        doing = doing or getattr(exc, "doing", None)
        prefix = "Failed to %s: " % doing if doing else ""
        extra = dict(result)
        if self._client is not None:
            extra.setdefault("api_calls", dict(self._client.stats))
        if isinstance(exc, AtlasApiError):
            extra.update(exc.to_dict())
        elif isinstance(exc, AtlasOutcomeUnknown):
            extra["outcome_unknown"] = True
        elif isinstance(exc, AtlasStateError):
            extra.update(exc.result)
        elif not isinstance(exc, AtlasTransportError):
            self.fail_json(msg=prefix + "%s: %s" % (type(exc).__name__, exc), exception=traceback.format_exc(), **extra)
        self.fail_json(msg=prefix + str(exc), **extra)


class AtlasContext(AtlasModuleMixin):
    """The Atlas side of a module built on another class (amazon.aws's AnsibleAWSModule): its params and failures."""

    def __init__(self, module, project=True):
        self.module = module
        self._init_atlas(project)

    @property
    def params(self):
        return self.module.params

    @property
    def no_log_values(self):
        return self.module.no_log_values

    def fail_json(self, **kwargs):
        self.module.fail_json(**kwargs)


class AtlasModule(AtlasModuleMixin, AnsibleModule):
    """AnsibleModule with the Atlas connection options, a lazily created AtlasClient (``client``) and the project id."""

    def __init__(self, argument_spec=None, project=True, mutually_exclusive=None, required_together=None, required_one_of=None,
                 **kwargs):
        kwargs.update(atlas_module_kwargs(argument_spec, project, mutually_exclusive, required_together, required_one_of))
        super(AtlasModule, self).__init__(**kwargs)
        self._init_atlas(project)

    @property
    def client(self):
        """The AtlasClient (``atlas_client``): the name every Atlas-only module uses."""
        return self.atlas_client


def check_poll_options(module):
    """wait_timeout 0 or more, poll_interval positive, and the cap poll_max_interval (where the module has it) not below the
    first interval (fails naming the option)."""
    params = module.params
    if params["wait_timeout"] < 0:
        module.fail_on_value("wait_timeout", params["wait_timeout"], "must be 0 or more seconds")
    if params["poll_interval"] <= 0:
        module.fail_on_value("poll_interval", params["poll_interval"], "must be more than 0 seconds")
    if "poll_max_interval" in params and params["poll_max_interval"] < params["poll_interval"]:
        module.fail_on_value("poll_max_interval", params["poll_max_interval"],
                             "must be at least poll_interval (%s seconds)" % params["poll_interval"])
