# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering_plan action plugin: the plan on the controller. Its reads of both clouds are proven end to end in tests/e2e
(moto server and the Atlas simulator); here, what it refuses before its first call on either cloud, and its documentation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_plan
from ansible_collections.cloudwire.atlas.plugins.module_utils import plan_step
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_plan as documentation
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import atlas_connection, documented_and_taken, run_action


def plan(atlas, check_mode=True, **args):
    return run_action(vpc_peering_plan, check_mode=check_mode, **atlas_connection(atlas, **args))


def test_bad_input_fails_naming_the_field_before_any_call(atlas):
    base = dict(region="us-east-1", atlas_cidr_block="192.168.248.0/21")
    no_vpc = plan(atlas, vpcs=[], **base)
    assert no_vpc == dict(failed=True, option="vpcs", msg="Invalid vpcs []: must list at least one VPC"), no_vpc
    both = plan(atlas, vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d", stack_name="app-network")], **base)
    assert both["failed"] is True and "vpcs[0].vpc_id" in both["msg"] and "not both" in both["msg"], both
    cidr = plan(atlas, vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d")], region="us-east-1", atlas_cidr_block="192.168.248.0/33")
    assert cidr["failed"] is True and "atlas_cidr_block" in cidr["msg"] and "192.168.248.0/33" in cidr["msg"], cidr
    no_region = plan(atlas, vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d")], atlas_cidr_block="192.168.248.0/21")
    assert no_region == dict(failed=True, option="region",
                             msg="region is required (or AWS_REGION): the AWS region of the VPCs and of the Atlas container"), no_region
    unknown = plan(atlas, vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d", colour="red")], **base)
    assert unknown["failed"] is True and "colour" in unknown["msg"], unknown
    assert atlas.log == []


def test_a_password_in_the_base_url_never_shows(atlas):
    args = atlas_connection(atlas, region="us-east-1", atlas_cidr_block="192.168.248.0/21", vpcs=[])
    args["base_url"] = "https://svc:hunter2-Secret@cloud.mongodb.com"
    failed = run_action(vpc_peering_plan, check_mode=True, **args)
    assert failed["failed"] is True and "hunter2-Secret" not in repr(failed) and atlas.private_key not in repr(failed), failed
    assert atlas.log == []


def test_the_documented_options_are_the_options_it_takes():
    documented, taken = documented_and_taken(documentation, plan_step.argument_spec())
    assert documented == taken
