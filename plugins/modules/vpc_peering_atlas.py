#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_atlas
short_description: Apply the Atlas side of vpc_peering plans for the VPCs of one Atlas project, in one process
version_added: 0.1.0
description:
  - Used by the C(cloudwire.atlas.vpc_peering) role, with the actions M(cloudwire.atlas.vpc_peering_plan) planned; it does not read
    what the plan read. For the VPCs of one project, in this order, it creates (or changes the CIDR of) the network container of each
    region, adds every access-list entry in one request (Atlas takes an array and does not support concurrent additions), removes
    entries and deletes peerings (teardown), requests, changes or re-requests each peering, and removes the containers of
    O(vpcs[].remove_container).
  - Every write is safe to repeat. A request whose answer was lost is followed by a read, never by a blind second request, so a rerun
    after an interruption never makes a second container or peering.
  - A VPC whose action fails gets its C(error) in RV(vpcs) and the task fails after the other VPCs' actions are done; the role
    reports each VPC's error on its own host.
  - Use the public modules (M(cloudwire.atlas.atlas_container), M(cloudwire.atlas.atlas_vpc_peering),
    M(cloudwire.atlas.atlas_access_list)) to manage one resource; they read before they write.
options:
  vpcs:
    description:
      - The VPCs and their planned Atlas actions (the C(container), C(peering) and C(access_list) actions of a
        M(cloudwire.atlas.vpc_peering_plan) result, completed with the ids earlier steps produced).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The VPC's name in the plan (the role uses the inventory host name); RV(vpcs) is keyed by it.
        type: str
        required: true
      container:
        description:
          - The region's container to create (C(id) null) or whose CIDR to change (C(id) given), as planned.
        type: dict
        suboptions:
          region:
            description: The region, in either form.
            type: str
            required: true
          atlas_cidr_block:
            description: The container's CIDR block.
            type: str
            required: true
          id:
            description: The container to change; null to create it.
            type: str
      peering:
        description:
          - The peering to request (C(request=create)), to change (C(update)), or to delete and request again (C(recreate)), as
            planned. C(container_id) null means the container this run created in the VPC's region.
        type: dict
        suboptions:
          request:
            description: What to do.
            type: str
            choices: [create, update, recreate]
            required: true
          id:
            description: The existing peering (C(update), C(recreate)).
            type: str
          container_id:
            description: The container.
            type: str
          vpc_id:
            description: The VPC.
            type: str
            required: true
          aws_account_id:
            description: The account that owns the VPC.
            type: str
            required: true
          route_table_cidr_block:
            description: The VPC's CIDR block.
            type: str
            required: true
          accepter_region:
            description: The VPC's region (AWS form).
            type: str
            required: true
      access_list:
        description: Entries to add (or whose comment to set), each with one of C(cidr_block), C(ip_address), C(aws_security_group).
        type: list
        elements: dict
        default: []
      access_list_remove:
        description: Entries to remove, by value (C(10.0.0.0/16), C(sg-...)).
        type: list
        elements: str
        default: []
      peering_delete:
        description: A peering to delete (the role then waits until it is gone).
        type: str
      remove_container:
        description:
          - The region whose container to delete (teardown, once no peering uses it). A container still used by a peering or a
            cluster stays (Atlas answers C(CONTAINERS_IN_USE)), which is not an error.
        type: str
  wait_timeout:
    description:
      - Seconds to wait for a C(FAILED) or C(TERMINATING) peering to be gone before requesting it again.
    type: int
    default: 900
  poll_interval:
    description:
      - Seconds between two reads of such a wait (growing 1.5 times up to 15 s).
    type: float
    default: 1
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: none
    details: The role runs it only in a normal run; in check mode the plan's findings are the report.
  diff_mode:
    support: none
seealso:
  - module: cloudwire.atlas.vpc_peering_plan
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Request the peerings a plan found missing, and open the access list to their VPCs
  cloudwire.atlas.vpc_peering_atlas:
    project_name: payments-dev
    vpcs:
      - name: payments-api
        peering:
          request: create
          container_id: 5e57d85c854180642f7844bf
          vpc_id: vpc-0a1b2c3d4e5f67890
          aws_account_id: "123456789012"
          route_table_cidr_block: 10.20.0.0/16
          accepter_region: eu-west-1
        access_list:
          - cidr_block: 10.20.0.0/16
            comment: payments-api VPC (peered)
  register: atlas_step
"""

RETURN = r"""
vpcs:
  description: What was done for each VPC of O(vpcs), keyed by its name.
  returned: always
  type: dict
  contains:
    container_id:
      description: The container of the VPC's region, when this run created or changed it.
      type: str
    peering:
      description: The peering after the request (C(id), C(connection_id), C(status_name), C(error_state_name)), or null.
      type: dict
    entries:
      description: The access-list entries added or updated for the VPC.
      type: list
      elements: str
    changed:
      description: Whether this VPC's actions changed something.
      type: bool
    error:
      description: Why an action of this VPC failed, or null.
      type: str
containers:
  description: Per region of O(vpcs[].remove_container), C(removed), C(gone) or C(in use).
  returned: always
  type: dict
api_calls:
  description: Atlas calls this run made.
  returned: always
  type: dict
"""

import random
import time

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists, containers, peerings
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import access_list_key, normalize_access_list_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import find_container
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasError, access_list_conflict
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule
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
            self.did([vpc["name"]])
            self.result(vpc["name"])["peering"] = peering_view(raw)
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
            self.did([name])
            self.result(name)["peering"] = peering_view(raw)

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


def main():
    container = dict(region=dict(type="str", required=True), atlas_cidr_block=dict(type="str", required=True), id=dict(type="str"))
    peering = dict(request=dict(type="str", choices=["create", "update", "recreate"], required=True), id=dict(type="str"),
                   container_id=dict(type="str"), vpc_id=dict(type="str", required=True), aws_account_id=dict(type="str", required=True),
                   route_table_cidr_block=dict(type="str", required=True), accepter_region=dict(type="str", required=True))
    vpc = dict(name=dict(type="str", required=True), container=dict(type="dict", options=container),
               peering=dict(type="dict", options=peering), access_list=dict(type="list", elements="dict", default=[]),
               access_list_remove=dict(type="list", elements="str", default=[]), peering_delete=dict(type="str"),
               remove_container=dict(type="str"))
    module = AtlasModule(
        argument_spec=dict(
            vpcs=dict(type="list", elements="dict", required=True, options=vpc),
            wait_timeout=dict(type="int", default=900),
            poll_interval=dict(type="float", default=1),
        ),
        supports_check_mode=False,
    )
    vpcs = module.params["vpcs"]
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


if __name__ == "__main__":
    main()
