#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: atlas_vpc_peering
short_description: Request, change, wait for or delete a network peering between an Atlas project and an AWS VPC
version_added: 0.1.0
description:
  - Manages the Atlas side of an AWS VPC peering. Atlas requests the peering from its own AWS account; the request must then be
    accepted in the VPC's account (for example with M(amazon.aws.ec2_vpc_peering) O(amazon.aws.ec2_vpc_peering#module:state=accept)).
  - A peering is identified by its Atlas container, the VPC id and the AWS account id. The module reads every page of the project's
    peerings, adopts the one with that identity, requests it when there is none and changes O(route_table_cidr_block) or
    O(accepter_region) when they differ. Atlas refuses changes while it is requesting or finalising a peering
    (C(INITIATING), C(FINALIZING)); the module then waits (up to O(wait_timeout)) for a state that allows the change.
  - Atlas returns no accepter region for a VPC in the container's own region; that is not a difference.
  - A peering in state C(FAILED) fails the task with the reason (C(REJECTED), C(EXPIRED), C(INVALID_ARGUMENT)) and what to do, or,
    with O(recreate_failed=true), is deleted and requested again.
  - When the connection to Atlas drops after the request was sent, the module re-reads the peerings and adopts the one Atlas created;
    it requests again only when there is none, so a lost answer never makes a duplicate.
options:
  container_id:
    description:
      - Atlas id of the container the peering belongs to.
      - Exactly one of O(container_id) and O(region) is required.
    type: str
  region:
    description:
      - AWS region of the Atlas container, in the Atlas form (V(US_EAST_1)) or the AWS form (V(us-east-1)); the project's container
        in that region is used (create it with M(cloudwire.atlas.atlas_container)).
      - Exactly one of O(container_id) and O(region) is required.
    type: str
  aws_account_id:
    description:
      - The 12-digit id of the AWS account that owns the VPC.
    type: str
    required: true
  vpc_id:
    description:
      - Id of the VPC to peer with, V(vpc-) and 8 or 17 hexadecimal digits.
    type: str
    required: true
  route_table_cidr_block:
    description:
      - CIDR block of the VPC (or of the part of it Atlas should route to), inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16.
      - Required with O(state=present).
    type: str
  accepter_region:
    description:
      - AWS region of the VPC, in either form. Defaults to the region of the container.
    type: str
  state:
    description:
      - V(present) requests (or adopts) the peering; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  wait_for:
    description:
      - What to wait for before returning.
      - V(none) returns at once.
      - V(connection) returns once Atlas knows the AWS peering connection id (V(pcx-)), which is what the accepting side needs.
        With O(state=absent), V(connection) and V(available) both wait until the peering is gone.
      - V(available) waits until the peering is C(AVAILABLE), that is, accepted in AWS and finalised by Atlas.
      - Check mode never waits.
    type: str
    choices: [none, connection, available]
    default: connection
  wait_timeout:
    description:
      - How many seconds to wait at most, polling with a backoff (see O(poll_interval) and O(poll_max_interval)).
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between the first two reads of a wait; each following interval is 1.5 times the previous one, up to O(poll_max_interval).
      - The first read is immediate and a last read happens at O(wait_timeout), so a wait returns at most one interval after Atlas
        reaches the state.
    type: float
    default: 1
  poll_max_interval:
    description:
      - The longest interval between two reads of a wait, in seconds. Lower it for a quicker answer at the cost of more reads
        (each counts against the Atlas rate limits); raise it for long waits on many peerings.
    type: float
    default: 15
  recreate_failed:
    description:
      - When the peering is C(FAILED), delete it, wait until it is gone and request it again instead of failing.
    type: bool
    default: false
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Atlas peerings expire when they are not accepted in AWS within 7 days.
seealso:
  - module: cloudwire.atlas.atlas_container
  - module: amazon.aws.ec2_vpc_peering
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Request the peering and wait for its pcx- id
  cloudwire.atlas.atlas_vpc_peering:
    project_name: payments-dev
    region: us-east-1
    aws_account_id: "123456789012"
    vpc_id: vpc-0a1b2c3d4e5f60718
    route_table_cidr_block: 10.20.0.0/16
  register: atlas_peering

- name: Accept it in the VPC's account
  amazon.aws.ec2_vpc_peering:
    region: us-east-1
    peering_id: "{{ atlas_peering.peering.connection_id }}"
    state: accept

- name: Wait until Atlas reports it AVAILABLE
  cloudwire.atlas.atlas_vpc_peering:
    project_name: payments-dev
    container_id: "{{ atlas_peering.peering.container_id }}"
    aws_account_id: "123456789012"
    vpc_id: vpc-0a1b2c3d4e5f60718
    route_table_cidr_block: 10.20.0.0/16
    wait_for: available
    wait_timeout: 900

- name: Delete it and wait until it is gone
  cloudwire.atlas.atlas_vpc_peering:
    project_name: payments-dev
    region: us-east-1
    aws_account_id: "123456789012"
    vpc_id: vpc-0a1b2c3d4e5f60718
    state: absent
"""

RETURN = r"""
peering:
  description:
    - The peering after the run (what would be requested, in check mode, with RV(peering.id) V(null)).
    - With O(state=absent), V(null) once the peering is gone; with O(wait_for=none) the peering as Atlas still reports it
      (RV(peering.status_name=TERMINATING)) until it is gone.
  returned: always
  type: dict
  contains:
    id:
      description: Atlas id of the peering.
      type: str
      sample: 5f3a556351db42631e16f33a
    connection_id:
      description: The AWS VPC peering connection id, V(null) until Atlas has requested it in AWS.
      type: str
      sample: pcx-05530fa865e7a44f4
    status_name:
      description: Atlas status, one of C(INITIATING), C(PENDING_ACCEPTANCE), C(FINALIZING), C(AVAILABLE), C(FAILED), C(TERMINATING).
      type: str
      sample: PENDING_ACCEPTANCE
    error_state_name:
      description: Why the peering failed (C(REJECTED), C(EXPIRED), C(INVALID_ARGUMENT)), otherwise V(null).
      type: str
      sample: null
    container_id:
      description: Atlas id of the container.
      type: str
      sample: 5e57d85c854180642f7844bf
    vpc_id:
      description: The VPC id.
      type: str
      sample: vpc-0a1b2c3d4e5f60718
    aws_account_id:
      description: The VPC's AWS account id.
      type: str
      sample: "123456789012"
    route_table_cidr_block:
      description: CIDR block Atlas routes to the VPC.
      type: str
      sample: 10.20.0.0/16
    accepter_region:
      description: AWS region of the VPC in the AWS form (the container's region when Atlas reports none).
      type: str
      sample: us-east-1
    atlas_cidr_block:
      description: CIDR block of the Atlas container; add a route to it in the VPC's route tables.
      type: str
      sample: 192.168.248.0/21
    region_name:
      description: Region of the container in the Atlas form.
      type: str
      sample: US_EAST_1
    aws_region:
      description: Region of the container in the AWS form.
      type: str
      sample: us-east-1
diff:
  description: The peering before and after (empty dicts stand for no peering).
  returned: always
  type: dict
"""

from ansible_collections.cloudwire.atlas.plugins.module_utils import containers, peerings, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import no_container, peering_failed, peering_gone, peering_wait_timeout
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule, check_poll_options
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import (
    TRANSIENT_STATES,
    find_peering,
    peering_drift,
    peering_result,
    planned_peering,
    request_body,
    wait_reached,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.waiting import WaitTimeout, poll

POLL_INTERVAL = 1.0
POLL_MAX_INTERVAL = 15.0


class PeeringTask:
    """What one run works on: the project, its container, the wanted peering; the calls are those of peerings.py."""

    def __init__(self, module, container):
        self.module = module
        self.params = module.params
        self.client = module.client
        self.project_id = module.project_id
        self.container = container
        self.container_aws_region = containers.atlas_to_aws_region(container.get("regionName"))
        self.accepter_region = self.params["accepter_region"] or self.container_aws_region

    def body(self):
        return request_body(self.container["id"], self.params["aws_account_id"], self.params["vpc_id"],
                            self.params["route_table_cidr_block"], self.accepter_region)

    def current(self):
        """The project's peering with this identity (container, VPC, account), or None."""
        return find_peering(peerings.list_aws(self.client, self.project_id), self.container["id"], self.params["vpc_id"],
                            self.params["aws_account_id"])

    def result(self, raw):
        return peering_result(raw, self.container) if raw else None

    def failed(self, raw):
        return peering_failed(raw, self.accepter_region, peering=self.result(raw))

    def wait(self, peer_id, reached, waiting_for):
        """Poll the peering until reached(raw_or_None); return the last read."""
        timeout = self.params["wait_timeout"]
        try:
            return poll(lambda: peerings.get(self.client, self.project_id, peer_id), reached, timeout=timeout,
                        initial_interval=self.params["poll_interval"], max_interval=self.params["poll_max_interval"])
        except WaitTimeout as exc:
            raise peering_wait_timeout(peer_id, exc.last_value, timeout, waiting_for, self.accepter_region,
                                       peering=self.result(exc.last_value))

    def wait_gone(self, peer_id):
        self.wait(peer_id, lambda raw: raw is None, "its deletion")

    def exit_planned(self, planned, before):
        """Check mode: report the peering a real run would leave."""
        after = self.result(planned)
        self.module.exit_json(changed=True, peering=after, diff=dict(before=before, after=after))


def run_present(task):
    module, params = task.module, task.params
    atlas_cidr = task.container.get("atlasCidrBlock")
    if atlas_cidr and validators.cidrs_overlap(params["route_table_cidr_block"], atlas_cidr):
        # Atlas would refuse it (409 OVERLAPPING_CIDR_BLOCK, worded as an overlap with another peer): say it before any write.
        module.fail_on_value("route_table_cidr_block", params["route_table_cidr_block"],
                             "overlaps the CIDR %s of the Atlas container in %s: Atlas cannot route to a VPC whose CIDR overlaps its "
                             "container's; peer a VPC with a non-overlapping CIDR" % (atlas_cidr, task.container.get("regionName")))
    current = task.current()
    before = task.result(current) or {}
    changed = False

    status = (current or {}).get("statusName")
    if status == "FAILED" and not params["recreate_failed"]:
        raise task.failed(current)
    if status in ("FAILED", "TERMINATING"):
        # FAILED with recreate_failed: delete it first. TERMINATING: someone deleted it. Either way, request it again once gone.
        changed = True
        if not module.check_mode:
            if status == "FAILED":
                peerings.delete(task.client, task.project_id, current["id"])
            task.wait_gone(current["id"])
        current = None

    if current is None:
        changed = True
        if module.check_mode:
            task.exit_planned(planned_peering(task.body()), before)
        current = peerings.create(task.client, task.project_id, task.body())
    elif peering_drift(current, params["route_table_cidr_block"], task.accepter_region, task.container_aws_region):
        changed = True
        if module.check_mode:
            task.exit_planned(dict(current, routeTableCidrBlock=params["route_table_cidr_block"], accepterRegionName=task.accepter_region),
                              before)
        if current.get("statusName") in TRANSIENT_STATES:
            current = task.wait(current["id"], lambda raw: raw is None or raw.get("statusName") not in TRANSIENT_STATES,
                                "a state in which Atlas accepts changes")
            if current is None:
                raise peering_gone("to change it")
            if current.get("statusName") == "FAILED":
                raise task.failed(current)
        current = peerings.update(task.client, task.project_id, current["id"], task.body())

    if not module.check_mode and params["wait_for"] != "none" and not wait_reached(current, params["wait_for"]):
        current = task.wait(current["id"], lambda raw: raw is None or wait_reached(raw, params["wait_for"]),
                            "the pcx- connection id" if params["wait_for"] == "connection" else "AVAILABLE")
        if current is None:
            raise peering_gone("for it")
    if current.get("statusName") == "FAILED":
        raise task.failed(current)

    after = task.result(current)
    module.exit_json(changed=changed, peering=after, diff=dict(before=before, after=after))


def run_absent(task):
    module = task.module
    current = task.current()
    if current is None:
        module.exit_json(changed=False, peering=None, diff=dict(before={}, after={}))
    before = task.result(current)
    changed = current.get("statusName") != "TERMINATING"
    remaining = current
    if not module.check_mode:
        if changed:
            changed = peerings.delete(task.client, task.project_id, current["id"])
        if module.params["wait_for"] == "none":
            # Report what is left (TERMINATING) so that a caller polling with wait_for=none sees when it is gone.
            remaining = peerings.get(task.client, task.project_id, current["id"])
        else:
            task.wait_gone(current["id"])
            remaining = None
    elif changed:
        remaining = None  # what a real run leads to
    after = task.result(remaining)
    module.exit_json(changed=changed, peering=after, diff=dict(before=before, after=after or {}))


def converge(module, region_name):
    params = module.params
    if params["container_id"]:
        container = containers.get(module.client, module.project_id, params["container_id"])
    else:
        container = containers.find_container(containers.list_aws(module.client, module.project_id), region_name)
    if container is None:
        if params["state"] == "absent":
            module.exit_json(changed=False, peering=None, diff=dict(before={}, after={}))  # no container, no peering
        if params["container_id"]:
            module.fail_on_value("container_id", params["container_id"], "must be the id of an AWS container of project %s"
                                 % module.project_id)
        raise no_container(module.project_id, region_name)
    task = PeeringTask(module, container)
    if params["state"] == "present":
        run_present(task)
    else:
        run_absent(task)


def validate(module):
    """Every input checked before the first call; each failure names the option, the value and the rule.

    Returns the container region in the Atlas form (None when container_id is given) and normalises the other options in place.
    """
    params = module.params
    region_name = None
    if params["region"] is not None:
        region_name = module.validated("region", normalize_region, params["region"]).atlas
    if params["accepter_region"] is not None:
        params["accepter_region"] = module.validated("accepter_region", normalize_region, params["accepter_region"]).aws
    for option, check in (("aws_account_id", validators.aws_account_id), ("vpc_id", validators.vpc_id),
                          ("route_table_cidr_block", validators.route_table_cidr_block), ("container_id", validators.container_id)):
        if params[option] is not None:
            params[option] = module.validated(option, check, params[option])
    check_poll_options(module)
    return region_name


def main():
    module = AtlasModule(
        argument_spec=dict(
            container_id=dict(type="str"),
            region=dict(type="str"),
            aws_account_id=dict(type="str", required=True),
            vpc_id=dict(type="str", required=True),
            route_table_cidr_block=dict(type="str"),
            accepter_region=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait_for=dict(type="str", choices=["none", "connection", "available"], default="connection"),
            wait_timeout=dict(type="int", default=600),
            poll_interval=dict(type="float", default=POLL_INTERVAL),
            poll_max_interval=dict(type="float", default=POLL_MAX_INTERVAL),
            recreate_failed=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("container_id", "region")],
        required_one_of=[("container_id", "region")],
        required_if=[("state", "present", ("route_table_cidr_block",))],
        supports_check_mode=True,
    )
    module.run(converge, module, validate(module))


if __name__ == "__main__":
    main()
