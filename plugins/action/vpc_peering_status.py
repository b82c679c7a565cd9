# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.vpc_peering_status: one poll of a wait of the vpc_peering role, on the controller.

Why an action plugin: the role's waits are loops that print the status at every poll; as a module each poll would start a
Python process (about 0.6 s of CPU here, times every host and every poll). The worker process that runs a host's loop keeps
one Atlas client, so the digest challenge is paid once per loop, not once per poll.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleActionFail

from ansible_collections.cloudwire.atlas.plugins.module_utils import clusters
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs, connection_problem
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasError
from ansible_collections.cloudwire.atlas.plugins.module_utils.polls import cluster_outcome, peering_poll, read_failed
from ansible_collections.cloudwire.atlas.plugins.module_utils.sessions import AtlasSessions
from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepAction

# One per worker process: the loop of one host and task shares it.
_SESSIONS = AtlasSessions()

ARGUMENT_SPEC = dict(
    peering_id=dict(type="str"),
    entries=dict(type="list", elements="str"),
    cluster_name=dict(type="str"),
    wait_for=dict(type="str", choices=["connection", "available", "gone", "active", "private_srv"], required=True),
    poll=dict(type="int", default=1),
    polls=dict(type="int", default=1),
    poll_seconds=dict(type="float", default=10),
    aws_account_id=dict(type="str"),
    accepter_region=dict(type="str"),
    since=dict(type="float"),
)


def first_poll_after(since, poll_seconds, clock=None, sleep=None):
    """Sleep until one interval after ``since`` (epoch seconds of the change the wait follows), never longer than one interval.

    Why: a poll at once after the request (or acceptance) reads a state Atlas has not changed yet and puts the next read a whole
    interval later; reading one interval after the change, as a script would, sees it a fraction of an interval sooner."""
    if since is not None:
        delay = min(since + poll_seconds - (clock or time.time)(), poll_seconds)
        if delay > 0:
            (sleep or time.sleep)(delay)


class ActionModule(StepAction):
    def step(self, result):
        # A peering, its access-list entries, both (one wait for AVAILABLE and ACTIVE), or a cluster's private string alone.
        spec = atlas_module_kwargs(ARGUMENT_SPEC, required_one_of=[("peering_id", "entries", "cluster_name")],
                                   mutually_exclusive=[("peering_id", "cluster_name"), ("entries", "cluster_name")])
        spec["required_if"] = [("wait_for", wait_for, ("peering_id",)) for wait_for in ("connection", "available", "gone")]
        spec["required_if"] += [("wait_for", "active", ("entries",)), ("wait_for", "private_srv", ("cluster_name",))]
        try:
            _validation, args = self.validate_argument_spec(**spec)
        except AnsibleActionFail as exc:
            return dict(result, failed=True, msg=str(exc))
        problem = connection_problem(args)
        if problem:
            return dict(result, failed=True, **problem)
        first_poll_after(args["since"], args["poll_seconds"])
        try:
            client, project_id = _SESSIONS.get(args)
            if args["cluster_name"]:
                outcome = cluster_outcome(args, clusters.get(client, project_id, args["cluster_name"]))
            else:
                outcome = peering_poll(client, project_id, args)
        except AtlasError as exc:
            return dict(result, failed=True, msg=read_failed(args["peering_id"] or args["cluster_name"] or ", ".join(args["entries"]), exc))
        result.update(outcome)
        result["changed"] = False
        return result
