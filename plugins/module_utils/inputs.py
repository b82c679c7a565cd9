# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering role's input rules: each value with the validators the modules use, and which inputs go together.

No Ansible imports (the filter cloudwire.atlas.vpc_peering_input_errors wraps it); unit-tested directly. Every message names
the role variable, its value and the rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.cloudwire.atlas.plugins.module_utils import database_users, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/")
_STACK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_VALUE_RULES = (
    ("vpc_peering_aws_region", normalize_region),
    ("vpc_peering_aws_account_id", validators.aws_account_id),
    ("vpc_peering_vpc_id", validators.vpc_id),
    ("vpc_peering_security_group_id", validators.security_group_id),
    ("vpc_peering_atlas_project_id", validators.project_id),
    ("vpc_peering_cluster_name", validators.cluster_name),
    # Checked before it reaches a fact or a module's arguments: its messages never show credentials before the host.
    ("vpc_peering_atlas_base_url", validators.base_url),
)
USER_KEYS = ("username", "password", "auth_type", "auth_database", "roles", "scopes", "description", "update_password")


def _check(errors, name, value, check, *args):
    try:
        return check(value, *args)
    except ValueError as exc:
        errors.append("%s: %s" % (name, exc))
    return None


def _exactly_one(errors, values, first, second, what):
    if first in values and second in values and bool(values[first]) == bool(values[second]):
        errors.append("%s and %s: give exactly one (%s), not %s" % (first, second, what, "both" if values[first] else "neither"))


def input_errors(inputs):
    """dict of role inputs (keyed by variable name) -> one message per broken rule, [] when every rule holds.

    Empty values are not checked for their value; a rule about inputs that go together applies when both are in ``inputs``.
    """
    values = dict((key, value.strip() if isinstance(value, str) else value) for key, value in inputs.items())
    errors = []
    state = values.get("vpc_peering_state")
    if state is not None and state not in ("present", "absent"):
        errors.append("vpc_peering_state: %r is neither present nor absent" % (state,))
    _exactly_one(errors, values, "vpc_peering_atlas_project_id", "vpc_peering_atlas_project_name", "the Atlas project, by id or by name")
    _exactly_one(errors, values, "vpc_peering_vpc_id", "vpc_peering_stack_name", "an existing VPC, or the stack the role builds")

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
    for name, check in _VALUE_RULES:
        if values.get(name):
            _check(errors, name, values[name], check)
    arn = values.get("vpc_peering_aws_assume_role_arn")
    if arn and not _ROLE_ARN.match(arn):
        errors.append("vpc_peering_aws_assume_role_arn: %r is not the ARN of an IAM role (arn:aws:iam::<12-digit account>:role/<name>)" % arn)

    stack = values.get("vpc_peering_stack_name")
    if stack:
        if not _STACK_NAME.match(stack):
            errors.append("vpc_peering_stack_name: %r is not a CloudFormation stack name (a letter, then up to 127 letters, digits "
                          "and hyphens)" % stack)
        if not values.get("vpc_peering_vpc_cidr_block"):
            errors.append("vpc_peering_vpc_cidr_block: required with vpc_peering_stack_name %s (the CIDR of the VPC the stack builds)" % stack)
        if "vpc_peering_subnet_cidr_blocks" in values and len(values["vpc_peering_subnet_cidr_blocks"] or []) != 2:
            errors.append("vpc_peering_subnet_cidr_blocks: the stack %s needs exactly two subnet CIDR blocks, got %d"
                          % (stack, len(values["vpc_peering_subnet_cidr_blocks"] or [])))
    elif all((values.get("vpc_peering_access_list_mode") == "security_group", values.get("vpc_peering_vpc_id"),
              not values.get("vpc_peering_security_group_id"))):
        errors.append("vpc_peering_security_group_id: required with vpc_peering_access_list_mode=security_group and an existing VPC "
                      "(vpc_peering_vpc_id %s): the group to open the Atlas access list to" % values["vpc_peering_vpc_id"])

    # The waits' loops: a poll_seconds of 0 would read Atlas without a pause, wait_timeout // 1 times (Atlas rate-limits each project).
    for name, least in (("vpc_peering_poll_seconds", 1), ("vpc_peering_wait_timeout", 0)):
        if values.get(name) is not None and _whole_seconds(values[name]) < least:
            errors.append("%s: %r is not a whole number of seconds of %d or more" % (name, values[name], least))

    comment = values.get("vpc_peering_access_list_comment")
    if comment is not None and len(str(comment)) > validators.COMMENT_MAX_LENGTH:
        errors.append("vpc_peering_access_list_comment is %d characters long: Atlas allows at most %d" % (
            len(str(comment)), validators.COMMENT_MAX_LENGTH))
    errors.extend(database_user_errors(values.get("vpc_peering_database_users")))
    return errors


def _whole_seconds(value):
    """An int, or the digits of one (extra vars given as key=value are strings); -1 for anything else."""
    if isinstance(value, bool):
        return -1
    try:
        return int(str(value).strip())
    except ValueError:
        return -1


def database_user_errors(users):
    """The rules of vpc_peering_database_users, as atlas_database_user applies them; no message ever contains a password."""
    if users in (None, ""):
        return []
    if not isinstance(users, list):
        return ["vpc_peering_database_users must be a list of users (username, password, roles, ...), not %s" % type(users).__name__]
    errors, seen = [], {}
    for index, user in enumerate(users):
        where = "vpc_peering_database_users[%d]" % index
        if not isinstance(user, dict):
            errors.append("%s must be a dict (username, password, roles, ...)" % where)
            continue
        unknown = sorted(set(user) - set(USER_KEYS))
        if unknown:
            errors.append("%s: unknown key(s) %s (known: %s)" % (where, ", ".join(unknown), ", ".join(USER_KEYS)))
        if user.get("update_password") not in (None, "", "on_create", "always"):
            errors.append("%s.update_password: %r is neither on_create nor always" % (where, user["update_password"]))
        if not user.get("roles"):
            errors.append("%s.roles: list at least one role (role_name, database_name) for user %s" % (where, user.get("username")))
        try:
            normalised = database_users.normalize_user(user, check_expiry=False)
            database_users.check_password(user.get("password"), normalised["auth_type"])
        except ValueError as exc:
            errors.append("%s: %s" % (where, exc))
            continue
        key = (normalised["username"], normalised["auth_database"])
        if key in seen:
            errors.append("%s: user %s (%s) is listed twice (also vpc_peering_database_users[%d])" % (where, key[0], key[1], seen[key]))
        seen[key] = index
    return errors
