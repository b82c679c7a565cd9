#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: atlas_access_list
short_description: Manage the IP access list of a MongoDB Atlas project
version_added: 0.1.0
description:
  - Adds, updates and removes entries of an Atlas project's IP access list (formerly the whitelist), using the C(accessList) API
    that replaced the C(whitelist) API Atlas removed in July 2021.
  - Also available as C(cloudwire.atlas.atlas_whitelist), the name the C(community.mongodb) Atlas modules used, so playbooks
    written for them keep working.
  - Entries compare as sets after normalising; V(1.2.3.4) and V(1.2.3.4/32) are the same entry.
  - All additions and comment changes go to Atlas in one request, because Atlas does not support concurrent additions. When another
    writer changes the list at the same time, the module reads it again and retries.
  - This is the project's database access list, not the API access list of the API key.
options:
  entries:
    description:
      - The entries to add (O(state=present)) or remove (O(state=absent)).
    type: list
    elements: dict
    required: true
    suboptions:
      cidr_block:
        description:
          - A CIDR block such as V(10.20.0.0/16). Exactly one of O(entries[].cidr_block), O(entries[].ip_address) and
            O(entries[].aws_security_group) per entry.
        type: str
      ip_address:
        description:
          - A single IP address such as V(203.0.113.7).
        type: str
      aws_security_group:
        description:
          - An AWS security group id (V(sg-) and 8 or 17 hex digits) of a VPC peered with the project.
          - Atlas accepts security groups only once the project has a network peering connection.
        type: str
      comment:
        description:
          - Up to 80 characters. When omitted, the comment of an existing entry is left as it is.
        type: str
      delete_after_date:
        description:
          - Makes the entry temporary; Atlas deletes it at this ISO 8601 date-time (V(2026-11-27T10:00:00Z)), which must be in
            the future and at most 7 days ahead. Not allowed on security-group entries.
        type: str
  state:
    description:
      - V(present) adds the entries (and updates their comments); V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove every entry of the project that O(entries) does not list.
    type: bool
    default: false
  wait:
    description:
      - With O(state=present), wait until Atlas reports every entry in O(entries) C(ACTIVE); an entry that Atlas reports C(FAILED) fails the task.
      - Check mode never waits.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds O(wait) waits at most.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between the first two status reads of O(wait); each following interval is 1.5 times the previous one, up to
        O(poll_max_interval). The first read is immediate.
    type: float
    default: 1
  poll_max_interval:
    description:
      - The longest interval between two status reads of O(wait), in seconds.
    type: float
    default: 10
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: cloudwire.atlas.atlas_vpc_peering
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Open the project to the peered VPC and an office address, and wait until Atlas applied them
  cloudwire.atlas.atlas_access_list:
    project_name: payments-dev
    entries:
      - cidr_block: 10.20.0.0/16
        comment: payments-dev app VPC (peered)
      - ip_address: 203.0.113.7
        comment: office egress
    wait: true

- name: Let a support engineer in for the next 8 hours (Atlas deletes the entry then; each run moves the time)
  cloudwire.atlas.atlas_access_list:
    project_id: 5f3a556351db42631e16f33a
    entries:
      - ip_address: 198.51.100.23
        comment: support ticket 4711
        delete_after_date: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() + 8 * 3600, utc=true) }}"

- name: Make the access list exactly these entries
  cloudwire.atlas.atlas_access_list:
    project_name: payments-dev
    entries:
      - aws_security_group: sg-0123456789abcdef0
        comment: app servers
    purge: true

- name: Remove the office address (atlas_whitelist is the same module under the community.mongodb name)
  cloudwire.atlas.atlas_whitelist:
    project_name: payments-dev
    entries:
      - cidr_block: 203.0.113.7/32
    state: absent
"""

RETURN = r"""
entries:
  description: The project's whole access list after the run (what it would be, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    cidr_block:
      description: The CIDR block; V(<address>/32) for a single address; V(null) for a security group.
      type: str
      sample: 10.20.0.0/16
    ip_address:
      description: The address, for an entry of a single address; otherwise V(null).
      type: str
      sample: null
    aws_security_group:
      description: The security group id, for a security-group entry; otherwise V(null).
      type: str
      sample: null
    comment:
      description: The comment, or V(null).
      type: str
      sample: payments-dev app VPC (peered)
    delete_after_date:
      description: When Atlas deletes a temporary entry (UTC), or V(null).
      type: str
      sample: null
added:
  description: The entries this run added (would add, in check mode); same keys as RV(entries).
  returned: always
  type: list
  elements: dict
removed:
  description: The entries this run removed (would remove, in check mode); same keys as RV(entries).
  returned: always
  type: list
  elements: dict
updated:
  description: The entries whose comment or expiry this run changed (would change), as they are after the change; same keys as RV(entries).
  returned: always
  type: list
  elements: dict
diff:
  description: The access list before and after, as lists of entries.
  returned: always
  type: dict
"""

import random
import time

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import normalize_access_list_entry, plan_access_list, public
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import access_list_conflict, access_list_failed, access_list_not_active
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule, check_poll_options
from ansible_collections.cloudwire.atlas.plugins.module_utils.waiting import WaitTimeout, poll

POLL_INTERVAL = 1.0
POLL_MAX_INTERVAL = 10.0

WRITE_ATTEMPTS = 4


def normalise_wanted(module):
    """Validate every entry before any call; fail naming entries[i], the value and the rule."""
    wanted = []
    seen = {}
    check_expiry = module.params["state"] == "present"
    for index, entry in enumerate(module.params["entries"]):
        option = "entries[%d]" % index
        given = dict((k, v) for k, v in entry.items() if v not in (None, ""))
        try:
            normalised = normalize_access_list_entry(given, check_expiry=check_expiry)
        except ValueError as exc:
            # The rule already quotes the offending value; repeating the whole entry would only add noise.
            module.fail_json(msg="Invalid %s: %s" % (option, exc), option=option)
        if normalised["key"] in seen:
            module.fail_on_value(option, given, "names the same entry (%s) as entries[%d]: list each entry once"
                                 % (normalised["key"], seen[normalised["key"]]))
        seen[normalised["key"]] = index
        wanted.append(normalised)
    return wanted


def converge(module, wanted, state, purge):
    """Read, compare, write; on a concurrent write re-read and retry. Returns (first plan, whether anything was written)."""
    client, project_id = module.client, module.project_id
    first_plan = None
    written_plan = None
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        plan = plan_access_list(access_lists.list_entries(client, project_id), wanted, state, purge)
        first_plan = first_plan or plan
        if module.check_mode:
            return plan, False
        to_post = plan["post"]
        if to_post:
            written_plan = written_plan or plan
            if not access_lists.add(client, project_id, to_post):
                if attempt == WRITE_ATTEMPTS:
                    raise access_list_conflict([e["key"] for e in to_post], project_id, attempt)
                time.sleep(0.5 + random.random())  # let the other writer finish
                continue
        for entry in plan["removed"]:
            access_lists.delete(client, project_id, entry["key"])
        if plan["removed"]:
            written_plan = dict(written_plan or plan, removed=plan["removed"])
        break
    if written_plan is None:
        return first_plan, False
    return dict(written_plan, before=first_plan["before"]), True


def wait_active(module, entries, timeout, interval=POLL_INTERVAL, max_interval=POLL_MAX_INTERVAL):
    """Poll each entry's status until every one is ACTIVE; one FAILED ends the wait with a failure."""
    pending = [entry["key"] for entry in entries]
    failed = []

    def fetch():
        for key in list(pending):
            status = access_lists.status(module.client, module.project_id, key)
            if status == "ACTIVE":
                pending.remove(key)
            elif status == "FAILED":
                failed.append(key)
        return list(pending)

    try:
        poll(fetch, lambda rest: not rest or failed, timeout=timeout, initial_interval=interval, max_interval=max_interval)
    except WaitTimeout:
        raise access_list_not_active(pending, timeout)
    if failed:
        raise access_list_failed(failed)


def apply(module, wanted):
    params = module.params
    plan, written = converge(module, wanted, params["state"], params["purge"])
    changed = bool(plan["added"] or plan["updated"] or plan["removed"])
    after = plan["after"]
    if written:
        after = access_lists.list_entries(module.client, module.project_id)
    if params["wait"] and params["state"] == "present" and wanted and not module.check_mode:
        wait_active(module, wanted, params["wait_timeout"], params["poll_interval"], params["poll_max_interval"])

    module.exit_json(
        changed=changed,
        entries=[public(e) for e in after],
        added=[public(e) for e in plan["added"]],
        updated=[public(e) for e in plan["updated"]],
        removed=[public(e) for e in plan["removed"]],
        diff=dict(before=[public(e) for e in plan["before"]], after=[public(e) for e in after]),
    )


def main():
    entry_options = dict(
        cidr_block=dict(type="str"),
        ip_address=dict(type="str"),
        aws_security_group=dict(type="str"),
        comment=dict(type="str"),
        delete_after_date=dict(type="str"),
    )
    module = AtlasModule(
        argument_spec=dict(
            entries=dict(type="list", elements="dict", required=True, options=entry_options),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            purge=dict(type="bool", default=False),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=300),
            poll_interval=dict(type="float", default=POLL_INTERVAL),
            poll_max_interval=dict(type="float", default=POLL_MAX_INTERVAL),
        ),
        supports_check_mode=True,
    )
    params = module.params
    wanted = normalise_wanted(module)
    if params["purge"] and params["state"] == "absent":
        module.fail_on_value("purge", True, "applies only with state=present (state=absent removes just the listed entries)")
    check_poll_options(module)
    module.run(apply, module, wanted)


if __name__ == "__main__":
    main()
