# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering_aws action plugin: the AWS step on the controller. Its calls are proven end to end in tests/e2e and
tests/policy (moto server, least privilege); here, what it refuses before its first call, check mode, and its documentation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_aws
from ansible_collections.cloudwire.atlas.plugins.module_utils import aws_step
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_aws as documentation
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import documented_and_taken, run_action

VPC = dict(name="app", vpc_id="vpc-0a1b2c3d", accept="pcx-0a1b2c3d")


def test_bad_input_fails_naming_the_field_before_any_call():
    wide = run_action(vpc_peering_aws, region="us-east-1", destination_cidr_block="192.168.248.1/21", vpcs=[VPC])
    assert wide == dict(failed=True, msg="Invalid destination_cidr_block '192.168.248.1/21': not in canonical form, the block it "
                                         "names is 192.168.248.0/21"), wide
    dns = run_action(vpc_peering_aws, region="us-east-1", destination_cidr_block="192.168.248.0/21", vpcs=[dict(VPC, dns=["Dns"])])
    assert dns["failed"] is True and "dns" in dns["msg"] and "EnableDnsSupport" in dns["msg"], dns
    no_name = run_action(vpc_peering_aws, region="us-east-1", destination_cidr_block="192.168.248.0/21", vpcs=[dict(vpc_id="vpc-0a1b2c3d")])
    assert no_name["failed"] is True and "name" in no_name["msg"], no_name


def test_check_mode_skips_it():
    skipped = run_action(vpc_peering_aws, check_mode=True, region="us-east-1", destination_cidr_block="192.168.248.0/21", vpcs=[VPC])
    assert skipped["skipped"] is True and not skipped.get("changed"), skipped


def test_the_documented_options_are_the_options_it_takes():
    documented, taken = documented_and_taken(documentation, aws_step.argument_spec())
    assert documented == taken
