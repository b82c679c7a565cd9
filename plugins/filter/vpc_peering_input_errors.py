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
    comment at most 80 characters), so the role can stop before its first write.
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

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region


def _check(errors, name, value, check, *args):
    try:
        return check(value, *args)
    except ValueError as exc:
        errors.append("%s: %s" % (name, exc))
    return None


def vpc_peering_input_errors(inputs):
    """dict of role inputs -> list of messages (empty when valid)."""
    if not isinstance(inputs, dict):
        raise AnsibleFilterError("vpc_peering_input_errors expects a dict of role inputs, got %s" % type(inputs).__name__)
    values = dict((key, to_text(value).strip() if isinstance(value, (str, bytes)) else value) for key, value in inputs.items())
    errors = []
    atlas = vpc = None
    if values.get("vpc_peering_atlas_cidr_block"):
        atlas = _check(errors, "vpc_peering_atlas_cidr_block", values["vpc_peering_atlas_cidr_block"], validators.atlas_cidr_block)
    if values.get("vpc_peering_vpc_cidr_block"):
        vpc = _check(errors, "vpc_peering_vpc_cidr_block", values["vpc_peering_vpc_cidr_block"], validators.route_table_cidr_block)
    if atlas and vpc and validators.cidrs_overlap(atlas, vpc):
        errors.append("vpc_peering_atlas_cidr_block %s and vpc_peering_vpc_cidr_block %s overlap: Atlas cannot route to a VPC whose "
                      "CIDR overlaps its container's; choose non-overlapping blocks" % (atlas, vpc))
    for subnet in values.get("vpc_peering_subnet_cidr_blocks") or []:
        block = _check(errors, "vpc_peering_subnet_cidr_blocks", subnet, validators.parse_ipv4_cidr)
        if block is not None and vpc and not block.subnet_of(validators.parse_ipv4_cidr(vpc)):
            errors.append("vpc_peering_subnet_cidr_blocks: %s is not inside vpc_peering_vpc_cidr_block %s" % (subnet, vpc))
    if values.get("vpc_peering_aws_region"):
        _check(errors, "vpc_peering_aws_region", values["vpc_peering_aws_region"], normalize_region)
    if values.get("vpc_peering_aws_account_id"):
        _check(errors, "vpc_peering_aws_account_id", values["vpc_peering_aws_account_id"], validators.aws_account_id)
    if values.get("vpc_peering_vpc_id"):
        _check(errors, "vpc_peering_vpc_id", values["vpc_peering_vpc_id"], validators.vpc_id)
    if values.get("vpc_peering_security_group_id"):
        _check(errors, "vpc_peering_security_group_id", values["vpc_peering_security_group_id"], validators.security_group_id)
    if values.get("vpc_peering_atlas_project_id"):
        _check(errors, "vpc_peering_atlas_project_id", values["vpc_peering_atlas_project_id"], validators.project_id)
    comment = values.get("vpc_peering_access_list_comment")
    if comment is not None and len(to_text(comment)) > validators.COMMENT_MAX_LENGTH:
        errors.append("vpc_peering_access_list_comment is %d characters long: Atlas allows at most %d" % (
            len(to_text(comment)), validators.COMMENT_MAX_LENGTH))
    return errors


class FilterModule(object):
    def filters(self):
        return {"vpc_peering_input_errors": vpc_peering_input_errors}
