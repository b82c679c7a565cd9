# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS step of the vpc_peering role: one AWS account and region's side of its VPCs' peerings, with the waits around it.

For each VPC, as soon as its part is ready, and the VPCs side by side: wait until Atlas gives the peering's ``pcx-`` id (when
the plan did not know it), accept the connection, route the Atlas CIDR through it, turn on DNS; then wait until Atlas reports the
peering AVAILABLE (and the VPC's access-list entry ACTIVE, when the plan folded that wait in). The Atlas reads are made from this
thread, one peering (or entry) at a time, each poll judged by polls.py; the AWS writes from a pool of threads, through amazon.aws's
EC2 helpers (their retries and errors).

It takes a ``module`` with what amazon.aws's AnsibleAWSModule has (``params``, ``region``, ``client``, ``no_log_values``,
``fail_json``, ``exit_json``) and the Atlas options when a VPC waits. The action plugin vpc_peering_aws runs it in the worker
process and prints every poll's status (``say``); the module of the same name runs it without that.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import (
    AnsibleEC2Error,
    accept_vpc_peering_connection,
    describe_route_tables,
    describe_vpc_attribute,
    describe_vpc_peering_connections,
    modify_vpc_attribute,
)
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs
from ansible_collections.cloudwire.atlas.plugins.module_utils.dns import DNS_ATTRIBUTES
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasError
from ansible_collections.cloudwire.atlas.plugins.module_utils.polls import peering_poll, read_failed
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import apply_route, plan as plan_route


# The VPCs of one account and region are written side by side: 8 at a time stays well inside EC2's request rate.
WRITE_THREADS = 8


def argument_spec():
    """The step's own options (the AWS connection options are amazon.aws's; the Atlas ones, which only the waits use, come from
    atlas_module_kwargs)."""
    routes = dict(connection_id=dict(type="str"), route_table_ids=dict(type="list", elements="str"),
                  changes=dict(type="list", elements="dict"))
    vpc = dict(name=dict(type="str", required=True), vpc_id=dict(type="str"), accept=dict(type="str"),
               routes=dict(type="dict", options=routes), routes_remove=dict(type="dict"),
               dns=dict(type="list", elements="str", choices=[attribute for attribute, _key, _line in DNS_ATTRIBUTES], default=[]),
               dns_check=dict(type="bool", default=False))
    vpc.update(peering_id=dict(type="str"), wait_connection=dict(type="bool", default=False), requested_at=dict(type="float"),
               wait_available=dict(type="bool", default=False), entries=dict(type="list", elements="str", default=[]))
    return dict(destination_cidr_block=dict(type="str", required=True), vpcs=dict(type="list", elements="dict", required=True, options=vpc),
                poll_seconds=dict(type="float", default=10), polls=dict(type="int", default=90))


def module_kwargs():
    """The step's options and rules with the Atlas connection's; the project is required only by a step that waits (apply checks
    it then): a teardown's routes need none."""
    kwargs = atlas_module_kwargs(argument_spec())
    kwargs["required_one_of"] = [rule for rule in kwargs["required_one_of"] if rule != ["project_id", "project_name"]]
    return kwargs


def apply(module, say=None):
    """Every AWS action and wait of ``module.params["vpcs"]``; ends with ``module.exit_json`` or ``module.fail_json``.

    ``say(name, line)``: called with each poll's status (the action plugin prints it)."""
    params = module.params
    destination = params["destination_cidr_block"]
    try:
        if validators.canonical_cidr(destination) != destination.strip():
            module.fail_json(msg="Invalid destination_cidr_block %r: not in canonical form, the block it names is %s"
                             % (destination, validators.canonical_cidr(destination)))
    except ValueError as exc:
        module.fail_json(msg="Invalid destination_cidr_block: %s" % exc)
    for index, item in enumerate(params["vpcs"]):
        if (item.get("wait_connection") or item.get("wait_available")) and not item.get("peering_id"):
            module.fail_json(msg="vpcs[%d] (%s): wait_connection and wait_available need the peering_id to wait for" % (index, item["name"]))
    waits = any(item.get("wait_connection") or item.get("wait_available") for item in params["vpcs"])
    if waits and not (params.get("project_id") or params.get("project_name")):
        module.fail_json(msg="project_id or project_name is required when a VPC waits (wait_connection, wait_available)")
    if params["poll_seconds"] < 0 or params["polls"] < 1:
        module.fail_json(msg="poll_seconds must be 0 or more and polls 1 or more, got %g and %d" % (params["poll_seconds"], params["polls"]))
    _Step(module, say).run(waits)


class _Step:
    """One run of the step: the waits are polled from this thread, the writes of each VPC run in the pool."""

    def __init__(self, module, say):
        self.module = module
        self.say = say or (lambda name, line: None)
        self.params = module.params
        self.destination = self.params["destination_cidr_block"]
        self.vpcs = dict((item["name"], item) for item in self.params["vpcs"])
        self.results = dict((name, {"changed": False, "done": [], "route_tables": [], "error": None, "polls": []}) for name in self.vpcs)
        self.atlas = None
        # name -> (when, what it waits for, poll number) of its next poll
        self.due = {}
        self.writing = {}

    def run(self, waits):
        if waits:
            # Checked before any call on either cloud. Only now: the Atlas client (and requests) is not needed otherwise.
            from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasContext  # pylint: disable=import-outside-toplevel
            self.atlas = AtlasContext(self.module)
            self.atlas.project_id  # pylint: disable=pointless-statement  # a project given by name is looked up before any write
        pool = ThreadPoolExecutor(max_workers=WRITE_THREADS)
        try:
            # Made in the pool: the first wait's first poll is an interval away, time enough to load botocore's EC2 model.
            self.ec2 = pool.submit(self.module.client, "ec2", retry_decorator=AWSRetry.jittered_backoff())
            self.known = pool.submit(self._pending_and_tables)
            now = time.time()
            for name, item in self.vpcs.items():
                if item["wait_connection"]:
                    # One interval after this run requested the peering (too early to see its pcx- id before), at once otherwise.
                    requested_at = item.get("requested_at")
                    self._next_poll(name, "connection", 1, requested_at + self.params["poll_seconds"] if requested_at else now)
                else:
                    self._write(pool, name, item.get("accept"))
            while self.due or self.writing:
                for name in sorted(self.due, key=lambda n: self.due[n][0]):
                    if self.due[name][0] <= time.time():
                        self._poll(pool, name, *self.due.pop(name)[1:])
                if not self.writing:
                    time.sleep(self._until_next_poll() or 0)
                    continue
                finished, _running = wait(list(self.writing), timeout=self._until_next_poll(), return_when=FIRST_COMPLETED)
                for future in finished:
                    name = self.writing.pop(future)
                    future.result()  # the writes keep their errors; an exit of the module itself ends the step here
                    if not self.results[name]["error"] and self.vpcs[name]["wait_available"]:
                        # The wait for AVAILABLE starts once the VPC's writes are done: its first poll one interval later.
                        self._next_poll(name, "available", 1, time.time() + self.params["poll_seconds"])
        finally:
            pool.shutdown(wait=True)
        changed = any(r["changed"] for r in self.results.values())
        errors = ["%s: %s" % (name, r["error"]) for name, r in sorted(self.results.items()) if r["error"]]
        if errors:
            self.module.fail_json(msg="; ".join(errors), changed=changed, vpcs=self.results)
        self.module.exit_json(changed=changed, vpcs=self.results)

    # ---- the waits: Atlas reads, from this thread (one Atlas client, not shared between threads) ---------------------------
    def _next_poll(self, name, wait_for, poll, when):
        self.due[name] = (when, wait_for, poll)

    def _until_next_poll(self):
        if not self.due:
            return None
        return max(0.0, min(when for when, _wait_for, _poll in self.due.values()) - time.time())

    def _poll(self, pool, name, wait_for, poll):
        item = self.vpcs[name]
        args = dict(wait_for=wait_for, poll=poll, polls=self.params["polls"], poll_seconds=self.params["poll_seconds"],
                    accepter_region=self.module.region, peering_id=item["peering_id"],
                    entries=item["entries"] if wait_for == "available" else [])
        try:
            outcome = peering_poll(self.atlas.atlas_client, self.atlas.project_id, args)
        except AtlasError as exc:
            self.results[name]["error"] = read_failed(item["peering_id"], exc)
            return
        mine = self.results[name]
        mine["polls"].append({"wait_for": wait_for, "poll": poll, "at": time.time(), "summary": outcome["summary"]})
        mine["peering"] = outcome["peering"]
        self.say(name, "%s, poll %d: %s" % (WAITING[wait_for], poll, outcome["summary"]))
        if outcome.get("failed"):
            mine["error"] = outcome["msg"]
        elif not outcome["reached"]:
            self._next_poll(name, wait_for, poll + 1, time.time() + self.params["poll_seconds"])
        elif wait_for == "connection":
            self._write(pool, name, outcome["peering"]["connection_id"], atlas_status=outcome["peering"]["status_name"])

    # ---- the writes: AWS calls, in the pool (boto3 clients are thread-safe; each VPC writes only its own result) ------------
    def _write(self, pool, name, pcx, atlas_status=None):
        self.writing[pool.submit(self._write_vpc, name, pcx, atlas_status)] = name

    def _pending_and_tables(self):
        """What is still pending acceptance among the connections the plan named (a connection accepted by an interrupted run is
        active already: nothing to do), and the tables of a stack deployed by this run (the plan could not read them): one read
        of each for every VPC. name -> error for the VPCs whose read failed."""
        ec2 = self.ec2.result()
        errors, acceptable, tables = {}, set(), {}
        pending = dict((v["accept"], name) for name, v in self.vpcs.items() if v.get("accept"))
        if pending:
            try:
                acceptable = pending_acceptance(ec2, sorted(pending))
            except AnsibleEC2Error as exc:
                errors.update((name, str(exc)) for name in pending.values())
        unread = dict((rtb, name) for name, v in self.vpcs.items() if v.get("routes") and v["routes"].get("changes") is None
                      for rtb in v["routes"].get("route_table_ids") or [])
        if unread:
            try:
                tables = dict((t["RouteTableId"], t) for t in describe_route_tables(ec2, RouteTableIds=sorted(unread)))
            except AnsibleEC2Error as exc:
                errors.update((name, str(exc)) for name in set(unread.values()))
        return acceptable, tables, errors

    def _write_vpc(self, name, pcx, atlas_status):
        """One VPC's acceptance, routes and DNS. ``pcx``: the connection to accept (the plan's, or the one the wait found)."""
        ec2 = self.ec2.result()
        acceptable, tables, errors = self.known.result()
        item, mine = self.vpcs[name], self.results[name]
        if name in errors:
            mine["error"] = errors[name]
            return
        try:
            accept = pcx if item["wait_connection"] else None
            if accept and atlas_status != "PENDING_ACCEPTANCE":
                # Atlas may lag: accept only what AWS still holds pending.
                accept = accept if accept in pending_acceptance(ec2, [accept]) else None
            elif not item["wait_connection"] and item.get("accept") in acceptable:
                accept = item["accept"]
            if accept:
                # Before its routes, which go through this connection (the order the module has always kept).
                accept_vpc_peering_connection(ec2, accept)
                mine["accepted_at"] = time.time()
                mine["changed"] = True
                mine["done"].append("peering: pending acceptance of %s" % accept)
            changes, via = [], None
            if item.get("routes"):
                via = item["routes"].get("connection_id") or pcx
                changes = item["routes"].get("changes")
                if changes is None:
                    # Only these are news to the report: the plan could not see the tables of a stack still to be deployed.
                    changes = []
                    for rtb in item["routes"].get("route_table_ids") or []:
                        action, line = plan_route(tables.get(rtb, {"RouteTableId": rtb}), self.destination, via, "present")
                        if action:
                            changes.append({"route_table_id": rtb, "action": action})
                            mine["done"].append(line)
                if changes and not via:
                    raise AnsibleEC2Error(message="no pcx- id to route %s through: Atlas has not requested the peering connection"
                                          % self.destination)
            elif item.get("routes_remove"):
                changes = item["routes_remove"].get("changes") or []
            for change in changes:
                if apply_route(ec2, change["route_table_id"], self.destination, via, change["action"]):
                    mine["changed"] = True
                mine["route_tables"].append({"route_table_id": change["route_table_id"],
                                             "after": None if change["action"] == "delete" else {"target": via, "state": "active"}})
            for attribute, _key, line in DNS_ATTRIBUTES:
                if item.get("dns_check") and not item.get("dns"):
                    if describe_vpc_attribute(ec2, item["vpc_id"], attribute[0].lower() + attribute[1:])[attribute]["Value"]:
                        continue
                    mine["done"].append(line)
                elif attribute not in item["dns"]:
                    continue
                modify_vpc_attribute(ec2, item["vpc_id"], **{attribute: {"Value": True}})  # AWS takes one attribute per call
                mine["changed"] = True
        except AnsibleEC2Error as exc:
            mine["error"] = mine["error"] or str(exc)


def pending_acceptance(ec2, connection_ids):
    """Which of these VPC peering connections AWS still holds pending acceptance (one DescribeVpcPeeringConnections)."""
    found = describe_vpc_peering_connections(ec2, VpcPeeringConnectionIds=connection_ids)
    return set(pcx["VpcPeeringConnectionId"] for pcx in found if pcx.get("Status", {}).get("Code") == "pending-acceptance")


# What each wait's progress line says it waits for.
WAITING = {"connection": "waiting for Atlas to request the AWS peering connection",
           "available": "waiting until Atlas reports the peering AVAILABLE"}
