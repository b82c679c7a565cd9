# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's input rules, checked on the controller with the same helpers the modules use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: vpc_peering_input_errors
short_description: The rules a C(cloudwire.atlas.vpc_peering) host's inputs break, one message per broken rule
version_added: 0.1.0
author:
  - cloudwire platform engineering (@cloudwire)
description:
  - Checks the inputs of one host of the C(cloudwire.atlas.vpc_peering) role with the rules the Atlas modules enforce
    (Atlas CIDR /21 to /24 in RFC 1918 and canonical, VPC CIDR in RFC 1918 and not overlapping the Atlas CIDR, subnets
    inside the VPC, an AWS region Atlas supports, 12-digit account, VPC, security group and project ids, access-list
    comment at most 80 characters, an Atlas base URL with a scheme and a host and without credentials before the host),
    so the role can stop before its first write.
  - And which inputs go together (when both are given in O(_input)) - exactly one of the project id and name, exactly one of an
    existing VPC and a stack, a stack's VPC CIDR and two subnets, a security group for an existing VPC in security-group mode,
    the state, the form of a role ARN and of a stack name.
  - Each message names the role variable, its value and the rule.
options:
  _input:
    description: The host's inputs, keyed by role variable name (C(vpc_peering_atlas_cidr_block), ...); missing or empty ones are not checked.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the inputs
  ansible.builtin.assert:
    that: errors | length == 0
    fail_msg: "{{ errors | join('; ') }}"
  vars:
    errors: "{{ {'vpc_peering_atlas_cidr_block': '10.8.0.0/20'} | cloudwire.atlas.vpc_peering_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per broken rule, empty when every rule holds.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text


def vpc_peering_input_errors(inputs):
    """dict of role inputs -> list of messages (empty when valid)."""
    # Imported here: ansible-core loads every filter file of the collection in every worker process that templates any of its
    # filters, compiling what they import from source; the rules are needed by one task only (preflight's record of the wants).
    from ansible_collections.cloudwire.atlas.plugins.module_utils.inputs import input_errors  # pylint: disable=import-outside-toplevel
    if not isinstance(inputs, dict):
        raise AnsibleFilterError("vpc_peering_input_errors expects a dict of role inputs, got %s" % type(inputs).__name__)
    return input_errors(dict((key, to_text(value) if isinstance(value, bytes) else value) for key, value in inputs.items()))


class FilterModule(object):
    def filters(self):
        return {"vpc_peering_input_errors": vpc_peering_input_errors}
