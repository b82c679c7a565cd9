#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_status
short_description: One poll of what a wait of the vpc_peering role waits for
version_added: 0.1.0
description:
  - Reads, once, the status of one Atlas peering (by id), of access-list entries, or whether a cluster has its private connection
    string yet, and says whether the wait is over. The
    C(cloudwire.atlas.vpc_peering) role loops over it, one item per poll, so that every poll prints what it saw.
  - Runs on the controller (an action plugin, no module process), so a poll costs one HTTP call, and the loop of one host keeps one
    Atlas session, so the digest challenge is paid once per loop.
  - Fails when the wait cannot succeed (a C(FAILED) peering or entry, with what to do about it) and, at its last poll
    (O(poll) equal to O(polls)), when what it waits for has not happened yet.
  - Connection options are read on the controller (task arguments, C(module_defaults) of C(group/cloudwire.atlas.atlas), or the
    controller's C(MONGODB_ATLAS_*) environment variables; the task's C(environment) keyword does not apply).
options:
  peering_id:
    description: The peering to read. Required unless O(wait_for=active) or O(wait_for=private_srv).
    type: str
  cluster_name:
    description:
      - The cluster whose private (network peering) SRV connection string O(wait_for=private_srv) waits for. Required with
        O(wait_for=private_srv); not with O(peering_id) or O(entries).
    type: str
  entries:
    description:
      - Access-list entries to read the status of, by value (C(10.0.0.0/16), C(sg-...)). Required with O(wait_for=active).
      - With O(wait_for=available), the wait is over only when the peering is C(AVAILABLE) and every entry C(ACTIVE) (one wait for
        both, when nothing has to happen between them).
    type: list
    elements: str
  wait_for:
    description:
      - What the wait waits for. V(connection) the peering's C(pcx-) id, V(available) the peering C(AVAILABLE), V(gone) the peering
        gone, V(active) every entry of O(entries) C(ACTIVE), V(private_srv) the private SRV connection string of O(cluster_name).
    type: str
    choices: [connection, available, gone, active, private_srv]
    required: true
  poll:
    description: The number of this poll in its loop.
    type: int
    default: 1
  polls:
    description: How many polls the loop makes at most; the last one fails when the wait is not over.
    type: int
    default: 1
  poll_seconds:
    description: Seconds between two polls (for the messages).
    type: float
    default: 10
  aws_account_id:
    description: The VPC's AWS account (for the messages).
    type: str
  accepter_region:
    description: The VPC's region (for the messages).
    type: str
  since:
    description:
      - Epoch seconds of the change the wait follows (the role passes when the Atlas step requested the peering, or when the AWS
        step accepted its connection). The poll reads no earlier than O(poll_seconds) after it, sleeping at most O(poll_seconds), so
        a wait's first poll comes one interval after the change, not at once.
    type: float
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
    details: Read-only.
  diff_mode:
    support: N/A
    details: Read-only.
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Wait until Atlas reports the peering AVAILABLE, printing the status at each poll
  cloudwire.atlas.vpc_peering_status:
    project_name: payments-dev
    peering_id: "{{ atlas_peering.peering.id }}"
    wait_for: available
    poll: "{{ item }}"
    polls: 90
    poll_seconds: 10
  register: peering_status
  loop: "{{ range(1, 91) | list }}"
  loop_control:
    label: "poll {{ item }}: {{ peering_status.summary | default('?') }}"
    pause: 10
    break_when:
      - peering_status.reached | default(false)
"""

RETURN = r"""
summary:
  description: What this poll saw, in a few words (C(PENDING_ACCEPTANCE pcx-...), C(AVAILABLE), C(gone), C(ACTIVE), C(PENDING 10.0.0.0/16)).
  returned: always
  type: str
reached:
  description: Whether what the wait waits for has happened.
  returned: always
  type: bool
peering:
  description: The peering (C(id), C(connection_id), C(status_name), C(error_state_name), C(container_id), C(vpc_id)), or null when gone.
  returned: with O(peering_id)
  type: dict
entries:
  description: The status of each entry of O(entries) (C(ACTIVE), C(PENDING), C(FAILED)); empty without O(entries).
  returned: always
  type: dict
pending:
  description: The entries of O(entries) not yet C(ACTIVE).
  returned: always
  type: list
  elements: str
private_srv:
  description: The private SRV connection string of O(cluster_name), or null until Atlas gives one.
  returned: with O(cluster_name)
  type: str
"""
