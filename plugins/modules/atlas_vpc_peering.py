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

import re

from ansible_collections.cloudwire.atlas.plugins.module_utils import networks
from ansible_collections.cloudwire.atlas.plugins.module_utils.api import AtlasApiError, AtlasError, AtlasOutcomeUnknown
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import (
    atlas_to_aws_region,
    container_path,
    find_container,
    list_aws_containers,
    peers_path,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule, check_poll_options
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import (
    find_peering,
    peer_path,
    peering_drift,
    peering_result,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.waiting import WaitTimeout, poll

REMEDIES = {
    "REJECTED": "someone rejected the peering request in AWS account {account}; request it again (state=absent then present, "
                "or recreate_failed=true) and accept the new pcx- connection in that account",
    "EXPIRED": "the request was not accepted in AWS account {account} within 7 days; request it again (recreate_failed=true) "
               "and accept the new pcx- connection within 7 days",
    "INVALID_ARGUMENT": "Atlas could not request a peering to {vpc} in account {account}, region {region}: check that the VPC "
                        "exists in that account and region and that its CIDR does not overlap the Atlas CIDR, then request it again "
                        "(recreate_failed=true)",
}
DEFAULT_REMEDY = "delete the peering (state=absent) and request it again, or set recreate_failed=true"
POLL_INTERVAL = 1.0
POLL_MAX_INTERVAL = 15.0
TRANSIENT_STATES = ("INITIATING", "FINALIZING")


def request_body(container_id, aws_account_id, vpc_id, route_table_cidr_block, accepter_region):
    return {
        "containerId": container_id,
        "providerName": "AWS",
        "accepterRegionName": accepter_region,
        "awsAccountId": aws_account_id,
        "routeTableCidrBlock": route_table_cidr_block,
        "vpcId": vpc_id,
    }


def failure_message(raw, accepter_region):
    error_state = raw.get("errorStateName") or "UNKNOWN"
    remedy = REMEDIES.get(error_state, DEFAULT_REMEDY).format(
        account=raw.get("awsAccountId"), vpc=raw.get("vpcId"), region=accepter_region)
    return "Atlas peering %s to %s is FAILED with errorStateName %s: %s." % (raw.get("id"), raw.get("vpcId"), error_state, remedy)


def wait_reached(raw, wait_for):
    """Whether a peering has reached what `wait_for` asks for (FAILED ends every wait)."""
    status = raw.get("statusName")
    if status == "FAILED":
        return True
    if wait_for == "available":
        return status == "AVAILABLE"
    return bool(raw.get("connectionId")) or status == "AVAILABLE"


class PeeringRun:
    """One run of the module: the resolved container, the wanted peering and the API calls."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client
        self.project_id = module.project_id
        self.container = None
        self.container_aws_region = None
        self.accepter_region = None

    # -- reading ---------------------------------------------------------------------------------
    def resolve_container(self, region_name):
        """The container (raw) or None when the region has none."""
        try:
            if self.params["container_id"]:
                return self.client.get_or_none(container_path(self.project_id, self.params["container_id"]))
            return find_container(list_aws_containers(self.client, self.project_id), region_name)
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing="read the project's AWS network peering container")

    def read_peering(self):
        try:
            peers = self.client.list_all(peers_path(self.project_id), params={"providerName": "AWS"})
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing="list the project's network peering connections")
        return find_peering(peers, self.container["id"], self.params["vpc_id"], self.params["aws_account_id"])

    def get_peering(self, peer_id):
        try:
            return self.client.get_or_none(peer_path(self.project_id, peer_id))
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing="read network peering connection %s" % peer_id)

    # -- writing ---------------------------------------------------------------------------------
    def body(self):
        return request_body(self.container["id"], self.params["aws_account_id"], self.params["vpc_id"],
                            self.params["route_table_cidr_block"], self.accepter_region)

    def create(self):
        body = self.body()
        doing = "request a network peering to %s in account %s" % (self.params["vpc_id"], self.params["aws_account_id"])
        try:
            return self.client.post(peers_path(self.project_id), body)
        except AtlasOutcomeUnknown:
            pass  # the request may have been committed: re-read before deciding, never POST blindly
        except AtlasApiError as exc:
            if exc.error_code != "PEER_ALREADY_EXISTS":
                self.module.fail_on_error(exc, doing=doing)
            # Another run created it between our read and our POST: adopt it.
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing=doing)
        existing = self.read_peering()
        if existing is not None:
            return existing
        try:
            return self.client.post(peers_path(self.project_id), body)
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing=doing)

    def update(self, current):
        try:
            return self.client.patch(peer_path(self.project_id, current["id"]), self.body())
        except AtlasApiError as exc:
            if exc.error_code == "PEER_INVALID_STATE":
                self.module.fail_json(
                    msg=("Atlas refused to change peering %s while it is %s: 409 PEER_INVALID_STATE. Run again once it is AVAILABLE "
                         "or PENDING_ACCEPTANCE." % (current["id"], current.get("statusName"))),
                    error_code=exc.error_code, status=exc.status, peering=peering_result(current, self.container))
            self.module.fail_on_error(exc, doing="change network peering connection %s" % current["id"])
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing="change network peering connection %s" % current["id"])

    def delete(self, current):
        """Request the deletion; True when this run requested it."""
        try:
            self.client.delete(peer_path(self.project_id, current["id"]))
            return True
        except AtlasOutcomeUnknown:
            again = self.get_peering(current["id"])
            if again is None or again.get("statusName") == "TERMINATING":
                return True
            return self.delete(again)
        except AtlasApiError as exc:
            if exc.status == 404 or exc.error_code == "PEER_ALREADY_REQUESTED_DELETION":
                return False
            self.module.fail_on_error(exc, doing="delete network peering connection %s" % current["id"])
        except AtlasError as exc:
            self.module.fail_on_error(exc, doing="delete network peering connection %s" % current["id"])

    # -- waiting ---------------------------------------------------------------------------------
    def wait(self, peer_id, reached, what):
        """Poll the peering until reached(raw_or_None); return the last read."""
        timeout = self.params["wait_timeout"]
        try:
            return poll(lambda: self.get_peering(peer_id), reached, timeout=timeout,
                        initial_interval=self.params.get("poll_interval") or POLL_INTERVAL,
                        max_interval=self.params.get("poll_max_interval") or POLL_MAX_INTERVAL)
        except WaitTimeout as exc:
            last = exc.last_value
            status = last.get("statusName") if last else "gone"
            hint = ""
            if last and last.get("statusName") == "PENDING_ACCEPTANCE":
                hint = (" Accept %s in AWS account %s, region %s." % (last.get("connectionId"), last.get("awsAccountId"), self.accepter_region))
            self.module.fail_json(
                msg="Peering %s is still %s after %s s of waiting for %s.%s" % (peer_id, status, timeout, what, hint),
                peering=peering_result(last, self.container) if last else None)

    def wait_gone(self, peer_id):
        self.wait(peer_id, lambda raw: raw is None, "its deletion")


def run_present(run, module):
    params = module.params
    atlas_cidr = (run.container or {}).get("atlasCidrBlock")
    if atlas_cidr and networks.cidrs_overlap(params["route_table_cidr_block"], atlas_cidr):
        # Atlas would refuse it (409 OVERLAPPING_CIDR_BLOCK, worded as an overlap with another peer): say it before any write.
        module.fail_on_value("route_table_cidr_block", params["route_table_cidr_block"],
                             "overlaps the CIDR %s of the Atlas container in %s: Atlas cannot route to a VPC whose CIDR overlaps its "
                             "container's; peer a VPC with a non-overlapping CIDR" % (atlas_cidr, run.container.get("regionName")))
    current = run.read_peering()
    before = peering_result(current, run.container) if current else {}
    changed = False

    if current is not None and current.get("statusName") == "FAILED":
        if not params["recreate_failed"]:
            module.fail_json(msg=failure_message(current, run.accepter_region), error_state_name=current.get("errorStateName"),
                             peering=before)
        changed = True
        if not module.check_mode:
            run.delete(current)
            run.wait_gone(current["id"])
        current = None
    elif current is not None and current.get("statusName") == "TERMINATING":
        # Someone deleted it: the wanted peering must be requested again once the old one is gone.
        changed = True
        if not module.check_mode:
            run.wait_gone(current["id"])
        current = None

    if current is None:
        changed = True
        if module.check_mode:
            planned = dict(run.body(), id=None, connectionId=None, statusName=None, errorStateName=None)
            after = peering_result(planned, run.container)
            module.exit_json(changed=True, peering=after, diff=dict(before=before, after=after))
        current = run.create()
    else:
        drift = peering_drift(current, params["route_table_cidr_block"], run.accepter_region, run.container_aws_region)
        if drift:
            changed = True
            if module.check_mode:
                planned = dict(current, routeTableCidrBlock=params["route_table_cidr_block"], accepterRegionName=run.accepter_region)
                after = peering_result(planned, run.container)
                module.exit_json(changed=True, peering=after, diff=dict(before=before, after=after))
            if current.get("statusName") in TRANSIENT_STATES:
                # Atlas refuses changes (PEER_INVALID_STATE) while it is requesting or finalising the peering.
                current = run.wait(current["id"], lambda raw: raw is None or raw.get("statusName") not in TRANSIENT_STATES,
                                   "a state in which Atlas accepts changes")
                if current is None:
                    module.fail_json(msg="Peering disappeared while waiting to change it: someone deleted it. Run again to request it again.",
                                     peering=None)
                if current.get("statusName") == "FAILED":
                    module.fail_json(msg=failure_message(current, run.accepter_region), error_state_name=current.get("errorStateName"),
                                     peering=peering_result(current, run.container))
            current = run.update(current)

    if not module.check_mode and params["wait_for"] != "none" and not wait_reached(current, params["wait_for"]):
        current = run.wait(current["id"], lambda raw: raw is None or wait_reached(raw, params["wait_for"]),
                           "the pcx- connection id" if params["wait_for"] == "connection" else "AVAILABLE")
        if current is None:
            module.fail_json(msg="Peering disappeared while waiting for it: someone deleted it. Run again to request it again.",
                             peering=None)
    if current.get("statusName") == "FAILED":
        module.fail_json(msg=failure_message(current, run.accepter_region), error_state_name=current.get("errorStateName"),
                         peering=peering_result(current, run.container))

    after = peering_result(current, run.container)
    module.exit_json(changed=changed, peering=after, diff=dict(before=before, after=after))


def run_absent(run, module):
    current = run.read_peering() if run.container is not None else None
    if current is None:
        module.exit_json(changed=False, peering=None, diff=dict(before={}, after={}))
    before = peering_result(current, run.container)
    changed = current.get("statusName") != "TERMINATING"
    remaining = current
    if not module.check_mode:
        if changed:
            changed = run.delete(current)
        if module.params["wait_for"] == "none":
            # Report what is left (TERMINATING) so that a caller polling with wait_for=none sees when it is gone.
            remaining = run.get_peering(current["id"])
        else:
            run.wait_gone(current["id"])
            remaining = None
    elif changed:
        remaining = None  # what a real run leads to
    after = peering_result(remaining, run.container) if remaining else None
    module.exit_json(changed=changed, peering=after, diff=dict(before=before, after=after or {}))


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
    params["aws_account_id"] = module.validated("aws_account_id", networks.aws_account_id, params["aws_account_id"])
    params["vpc_id"] = module.validated("vpc_id", networks.vpc_id, params["vpc_id"])
    if params["route_table_cidr_block"] is not None:
        params["route_table_cidr_block"] = module.validated("route_table_cidr_block", networks.route_table_cidr_block, params["route_table_cidr_block"])
    if params["container_id"] is not None and not re.match(r"^[0-9a-f]{24}$", params["container_id"]):
        module.fail_on_value("container_id", params["container_id"], "must be an Atlas container id: 24 lower-case hex digits")
    if params["wait_timeout"] < 0:
        module.fail_on_value("wait_timeout", params["wait_timeout"], "must be 0 or more seconds")
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
    region_name = validate(module)

    run = PeeringRun(module)
    run.container = run.resolve_container(region_name)
    if run.container is None:
        if module.params["state"] == "absent":
            module.exit_json(changed=False, peering=None, diff=dict(before={}, after={}))  # no container, no peering
        if module.params["container_id"]:
            module.fail_on_value("container_id", module.params["container_id"], "must be the id of an AWS container of project %s"
                                 % run.project_id)
        module.fail_json(msg=("Project %s has no Atlas network peering container in %s: create it first with "
                              "cloudwire.atlas.atlas_container (region=%s, atlas_cidr_block=...)." % (run.project_id, region_name, region_name)))
    run.container_aws_region = atlas_to_aws_region(run.container.get("regionName"))
    run.accepter_region = module.params["accepter_region"] or run.container_aws_region

    if module.params["state"] == "present":
        run_present(run, module)
    else:
        run_absent(run, module)


if __name__ == "__main__":
    main()
