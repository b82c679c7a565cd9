# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""inputs.py: the role's rules on which inputs go together (the value rules are tested with the filter)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.inputs import input_errors

STACK_HOST = {"vpc_peering_state": "present", "vpc_peering_atlas_project_id": "", "vpc_peering_atlas_project_name": "dev",
              "vpc_peering_vpc_id": "", "vpc_peering_stack_name": "app-net", "vpc_peering_vpc_cidr_block": "10.20.0.0/16",
              "vpc_peering_subnet_cidr_blocks": ["10.20.1.0/24", "10.20.2.0/24"], "vpc_peering_access_list_mode": "cidr",
              "vpc_peering_security_group_id": "", "vpc_peering_aws_assume_role_arn": ""}


def test_a_valid_host_has_no_error():
    assert input_errors(STACK_HOST) == []
    # Extra vars given as key=value arrive as strings.
    assert input_errors(dict(STACK_HOST, vpc_peering_poll_seconds="10", vpc_peering_wait_timeout="0")) == []


@pytest.mark.parametrize("changes, words", [
    ({"vpc_peering_atlas_project_id": "0123456789abcdef01234567"}, ["vpc_peering_atlas_project_id and vpc_peering_atlas_project_name", "not both"]),
    ({"vpc_peering_atlas_project_name": ""}, ["give exactly one", "not neither"]),
    ({"vpc_peering_vpc_id": "vpc-0123456789abcdef0"}, ["vpc_peering_vpc_id and vpc_peering_stack_name", "not both"]),
    ({"vpc_peering_stack_name": ""}, ["vpc_peering_vpc_id and vpc_peering_stack_name", "not neither"]),
    ({"vpc_peering_stack_name": "1-bad"}, ["vpc_peering_stack_name", "'1-bad'", "stack name"]),
    ({"vpc_peering_vpc_cidr_block": ""}, ["vpc_peering_vpc_cidr_block: required with vpc_peering_stack_name app-net"]),
    ({"vpc_peering_subnet_cidr_blocks": ["10.20.1.0/24"]}, ["exactly two subnet CIDR blocks, got 1"]),
    ({"vpc_peering_state": "gone"}, ["vpc_peering_state", "'gone'"]),
    ({"vpc_peering_aws_assume_role_arn": "arn:aws:iam::12:role/x"}, ["vpc_peering_aws_assume_role_arn", "ARN of an IAM role"]),
    ({"vpc_peering_stack_name": "", "vpc_peering_vpc_id": "vpc-0123456789abcdef0", "vpc_peering_access_list_mode": "security_group"},
     ["vpc_peering_security_group_id: required with vpc_peering_access_list_mode=security_group"]),
    ({"vpc_peering_poll_seconds": 0}, ["vpc_peering_poll_seconds: 0 is not a whole number of seconds of 1 or more"]),
    ({"vpc_peering_poll_seconds": "soon"}, ["vpc_peering_poll_seconds: 'soon'"]),
    ({"vpc_peering_poll_seconds": True}, ["vpc_peering_poll_seconds: True"]),
    ({"vpc_peering_wait_timeout": -5}, ["vpc_peering_wait_timeout: -5 is not a whole number of seconds of 0 or more"]),
    ({"vpc_peering_atlas_base_url": "cloud.mongodb.com"}, ["vpc_peering_atlas_base_url: 'cloud.mongodb.com'", "https://"]),
    ({"vpc_peering_atlas_base_url": "https://ops:hunter2-secret@atlas.internal"},
     ["vpc_peering_atlas_base_url: 'https://***@atlas.internal' holds credentials before its host"]),
])
def test_inputs_that_do_not_go_together_are_named(changes, words):
    errors = input_errors(dict(STACK_HOST, **changes))
    assert len(errors) == 1, errors
    for word in words:
        assert word in errors[0], (word, errors)


def test_a_base_url_holding_a_password_is_an_error_that_does_not_show_it():
    (error,) = input_errors(dict(STACK_HOST, vpc_peering_atlas_base_url="https://ops:hunter2-secret@atlas.internal"))
    assert "hunter2-secret" not in error and "ops:" not in error, error
    assert input_errors(dict(STACK_HOST, vpc_peering_atlas_base_url="https://cloud.mongodb.com")) == []
