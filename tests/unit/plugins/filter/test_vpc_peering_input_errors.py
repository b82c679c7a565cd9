# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.filter.vpc_peering_input_errors import vpc_peering_input_errors

VALID = {
    "vpc_peering_atlas_cidr_block": "192.168.248.0/21",
    "vpc_peering_vpc_cidr_block": "10.10.0.0/16",
    "vpc_peering_subnet_cidr_blocks": ["10.10.1.0/24", "10.10.2.0/24"],
    "vpc_peering_aws_region": "us-east-1",
    "vpc_peering_aws_account_id": "123456789012",
    "vpc_peering_vpc_id": "",
    "vpc_peering_security_group_id": "",
    "vpc_peering_atlas_project_id": "",
    "vpc_peering_access_list_comment": "VPC peering app",
}


def test_valid_inputs_break_no_rule():
    assert vpc_peering_input_errors(VALID) == []


@pytest.mark.parametrize("change, words", [
    ({"vpc_peering_atlas_cidr_block": "192.168.240.0/20"}, ["vpc_peering_atlas_cidr_block", "/21 to /24"]),
    ({"vpc_peering_atlas_cidr_block": "192.168.248.0/25"}, ["vpc_peering_atlas_cidr_block", "/21 to /24"]),
    ({"vpc_peering_atlas_cidr_block": "172.99.0.0/24"}, ["vpc_peering_atlas_cidr_block", "RFC 1918"]),
    ({"vpc_peering_atlas_cidr_block": "10.10.0.0/21"}, ["vpc_peering_atlas_cidr_block", "vpc_peering_vpc_cidr_block", "overlap"]),
    ({"vpc_peering_vpc_cidr_block": "10.10.0.0/40"}, ["vpc_peering_vpc_cidr_block", "CIDR notation"]),
    ({"vpc_peering_vpc_cidr_block": "100.64.0.0/16"}, ["vpc_peering_vpc_cidr_block", "RFC 1918"]),
    ({"vpc_peering_subnet_cidr_blocks": ["10.10.1.0/24", "10.99.2.0/24"]}, ["vpc_peering_subnet_cidr_blocks", "10.99.2.0/24", "inside"]),
    ({"vpc_peering_aws_region": "us-moon-1"}, ["vpc_peering_aws_region", "us-moon-1"]),
    ({"vpc_peering_aws_account_id": "12345678901"}, ["vpc_peering_aws_account_id", "12 digits"]),
    ({"vpc_peering_vpc_id": "vpc-12xyz"}, ["vpc_peering_vpc_id", "vpc-12xyz"]),
    ({"vpc_peering_security_group_id": "sg-12"}, ["vpc_peering_security_group_id", "sg-12"]),
    ({"vpc_peering_atlas_project_id": "12345"}, ["vpc_peering_atlas_project_id", "24"]),
    ({"vpc_peering_access_list_comment": "c" * 81}, ["vpc_peering_access_list_comment", "81", "80"]),
])
def test_each_rule_names_the_input(change, words):
    errors = vpc_peering_input_errors(dict(VALID, **change))
    assert len(errors) == 1, errors
    assert all(word in errors[0] for word in words), errors
