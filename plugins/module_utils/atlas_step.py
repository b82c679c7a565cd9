# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Atlas step of the vpc_peering role: one Atlas project's writes for the VPCs its plan names, in one go.

The action plugin cloudwire.atlas.vpc_peering_atlas runs it in the controller's worker process (no module process). It takes a
``module``: anything with ``params``, ``client``, ``project_id``, ``fail_on_error``, ``fail_json`` and ``exit_json``, as
module.AtlasModule has; the plugin builds it with plugin_utils/worker.py (WorkerAtlasModule).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import time

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists, containers, peerings
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import access_list_key, normalize_access_list_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import find_container
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasError, access_list_conflict
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import check_poll_options
from ansible_collections.cloudwire.atlas.plugins.module_utils.polls import peering_view
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.waiting import WaitTimeout, poll

ACCESS_LIST_ATTEMPTS = 4


class AtlasStep:
    """One project's writes, each VPC's failure kept apart so the other VPCs' actions still happen."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        self.project_id = module.project_id
        self.results = {}
        self.changed = False

    def result(self, name):
        return self.results.setdefault(name, {"changed": False, "container_id": None, "peering": None, "entries": [], "error": None})

    def did(self, names):
        """These VPCs' actions changed something on Atlas (each host's recap counts its own VPC's changes)."""
        self.changed = True
        for name in names:
            self.result(name)["changed"] = True

    def fail(self, names, doing, exc):
        for name in names:
            mine = self.result(name)
            mine["error"] = mine["error"] or "Failed to %s: %s" % (doing, exc)

    def failed(self, name):
        return bool(self.result(name)["error"])

    # -- containers ----------------------------------------------------------------------------------------------------
    def containers(self, vpcs):
        """Create or change each planned region's container once; returns {region: container id}."""
        by_region = {}
        for vpc in vpcs:
            if vpc.get("container"):
                by_region.setdefault(normalize_region(vpc["container"]["region"]).atlas, (vpc["container"], []))[1].append(vpc["name"])
        ids = {}
        for region, (wanted, names) in sorted(by_region.items()):
            try:
                ids[region] = self.write_container(region, wanted)
            except AtlasError as exc:
                self.fail(names, "create the Atlas container in %s with CIDR %s" % (region, wanted["atlas_cidr_block"]), exc)
                continue
            self.did(names)
            for name in names:
                self.result(name)["container_id"] = ids[region]
        return ids

    def write_container(self, region, wanted):
        body = containers.request_body(region, wanted["atlas_cidr_block"])
        if wanted.get("id"):
            return containers.update(self.client, self.project_id, wanted["id"], body)["id"]
        return containers.create(self.client, self.project_id, body)["id"]

    # -- the access list -----------------------------------------------------------------------------------------------
    def add_entries(self, vpcs, key="access_list"):
        """Every entry of every VPC in one POST (an upsert: repeating it after a lost answer or a conflict is safe)."""
        entries, owners = [], {}
        for vpc in vpcs:
            for entry in vpc.get(key) or []:
                normalised = normalize_access_list_entry(entry, check_expiry=False)
                if normalised["key"] not in owners:
                    entries.append(normalised)
                owners.setdefault(normalised["key"], []).append(vpc["name"])
        if not entries:
            return
        names = sorted(set(n for ns in owners.values() for n in ns))
        doing = "add %s to the project's IP access list" % ", ".join(sorted(owners))
        for attempt in range(1, ACCESS_LIST_ATTEMPTS + 1):
            try:
                if access_lists.add(self.client, self.project_id, entries):
                    break
            except AtlasError as exc:
                self.fail(names, doing, exc)
                return
            # 409 (another writer was adding entries at the same time) or a lost answer: try again.
            if attempt < ACCESS_LIST_ATTEMPTS:
                time.sleep(0.5 + random.random())
        else:
            self.fail(names, doing, access_list_conflict(sorted(owners), self.project_id, ACCESS_LIST_ATTEMPTS))
            return
        self.did(names)
        for key_, owned in owners.items():
            for name in owned:
                self.result(name)["entries"].append(key_)

    def remove_entries(self, vpcs):
        for vpc in vpcs:
            for value in vpc.get("access_list_remove") or []:
                key = access_list_key(value)
                try:
                    if access_lists.delete(self.client, self.project_id, key):
                        self.did([vpc["name"]])
                except AtlasError as exc:
                    self.fail([vpc["name"]], "remove %s from the project's IP access list" % key, exc)
                    continue
                self.result(vpc["name"])["entries"].append(key)

    # -- peerings ------------------------------------------------------------------------------------------------------
    def delete_peering(self, name, peer_id):
        """Request the deletion (404 or an earlier request mean it is on its way); the role then waits until it is gone."""
        try:
            if peerings.delete(self.client, self.project_id, peer_id):
                self.did([name])
        except AtlasError as exc:
            self.fail([name], "delete network peering connection %s" % peer_id, exc)

    def wait_gone(self, peer_id):
        params = self.module.params
        try:
            poll(lambda: peerings.get(self.client, self.project_id, peer_id), lambda raw: raw is None, timeout=params["wait_timeout"],
                 initial_interval=params["poll_interval"])
        except WaitTimeout as exc:
            raise AtlasError("peering %s is still %s after %s s: Atlas has not removed it yet; run again later"
                             % (peer_id, (exc.last_value or {}).get("statusName"), params["wait_timeout"]))

    def peerings(self, vpcs, container_ids):
        again = []
        for vpc in vpcs:
            wanted = vpc.get("peering")
            if not wanted or self.failed(vpc["name"]):
                continue
            container_id = wanted.get("container_id") or container_ids.get(normalize_region(wanted["accepter_region"]).atlas)
            body = peerings.request_body(container_id, wanted["aws_account_id"], wanted["vpc_id"], wanted["route_table_cidr_block"],
                                         wanted["accepter_region"])
            try:
                if wanted["request"] == "create":
                    raw = peerings.create(self.client, self.project_id, body)
                elif wanted["request"] == "update":
                    raw = peerings.update(self.client, self.project_id, wanted["id"], body)
                else:
                    self.delete_peering(vpc["name"], wanted["id"])
                    again.append((vpc["name"], wanted["id"], body))
                    continue
            except AtlasError as exc:
                self.fail([vpc["name"]], "%s the network peering to %s in account %s" % (
                    "request" if wanted["request"] == "create" else "change", wanted["vpc_id"], wanted["aws_account_id"]), exc)
                continue
            self.requested(vpc["name"], raw)
        # A FAILED or TERMINATING peering must be gone before Atlas takes a new request for the same VPC.
        for name, old_id, body in again:
            if self.failed(name):
                continue
            try:
                self.wait_gone(old_id)
                raw = peerings.create(self.client, self.project_id, body)
            except AtlasError as exc:
                self.fail([name], "request the network peering to %s again" % body["vpcId"], exc)
                continue
            self.requested(name, raw)

    def requested(self, name, raw):
        """Atlas took the VPC's peering request: its answer, and when (the wait for the pcx- id polls one interval later)."""
        self.did([name])
        mine = self.result(name)
        mine["peering"] = peering_view(raw)
        mine["requested_at"] = time.time()

    def remove_containers(self, vpcs):
        regions = {}
        for vpc in vpcs:
            if vpc.get("remove_container"):
                regions.setdefault(normalize_region(vpc["remove_container"]).atlas, []).append(vpc["name"])
        out = {}
        if not regions:
            return out
        listed = containers.list_aws(self.client, self.project_id)
        for region, names in sorted(regions.items()):
            found = find_container(listed, region)
            if found is None:
                out[region] = "gone"
                continue
            try:
                removed = containers.delete(self.client, self.project_id, found["id"])
            except AtlasApiError as exc:
                if exc.error_code != "CONTAINERS_IN_USE":
                    raise
                out[region] = "in use"  # by a peering or a cluster outside this run: it stays
                continue
            out[region] = "removed" if removed else "gone"
            if removed:
                self.did(names)
        return out


def argument_spec():
    """The step's own options (the connection and project options come from atlas_options.atlas_module_kwargs)."""
    container = dict(region=dict(type="str", required=True), atlas_cidr_block=dict(type="str", required=True), id=dict(type="str"))
    peering = dict(request=dict(type="str", choices=["create", "update", "recreate"], required=True), id=dict(type="str"),
                   container_id=dict(type="str"), vpc_id=dict(type="str", required=True), aws_account_id=dict(type="str", required=True),
                   route_table_cidr_block=dict(type="str", required=True), accepter_region=dict(type="str", required=True))
    vpc = dict(name=dict(type="str", required=True), container=dict(type="dict", options=container),
               peering=dict(type="dict", options=peering), access_list=dict(type="list", elements="dict", default=[]),
               access_list_remove=dict(type="list", elements="str", default=[]), peering_delete=dict(type="str"),
               remove_container=dict(type="str"))
    return dict(
        vpcs=dict(type="list", elements="dict", required=True, options=vpc),
        wait_timeout=dict(type="int", default=900),
        poll_interval=dict(type="float", default=1),
    )


def apply(module):
    """Every Atlas action of ``module.params["vpcs"]``; ends with ``module.exit_json`` or ``module.fail_json``."""
    vpcs = module.params["vpcs"]
    # A poll_interval of 0 would read Atlas without a pause for the whole wait_timeout (Atlas rate-limits each project).
    check_poll_options(module)
    for index, item in enumerate(vpcs):
        for position, entry in enumerate(item["access_list"]):
            try:
                normalize_access_list_entry(entry, check_expiry=False)
            except ValueError as exc:
                module.fail_json(msg="Invalid vpcs[%d].access_list[%d]: %s" % (index, position, exc))

    step = AtlasStep(module)
    try:
        container_ids = step.containers(vpcs)
        step.add_entries(vpcs)
        step.remove_entries(vpcs)
        for item in vpcs:
            if item.get("peering_delete"):
                step.delete_peering(item["name"], item["peering_delete"])
        step.peerings(vpcs, container_ids)
        removed = step.remove_containers(vpcs)
    except AtlasError as exc:
        module.fail_on_error(exc, doing="apply the plan on Atlas", changed=step.changed, vpcs=step.results)
    for item in vpcs:
        step.result(item["name"])
    errors = ["%s: %s" % (name, r["error"]) for name, r in sorted(step.results.items()) if r["error"]]
    if errors:
        module.fail_json(msg="; ".join(errors), changed=step.changed, vpcs=step.results, containers=removed,
                         api_calls=dict(step.client.stats))
    module.exit_json(changed=step.changed, vpcs=step.results, containers=removed, api_calls=dict(step.client.stats))
