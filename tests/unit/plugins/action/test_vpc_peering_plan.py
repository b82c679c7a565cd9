# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering_plan action plugin: the plan on the controller. Its reads are proven against botocore's Stubber in
module_utils/test_plan_step.py and end to end in tests/e2e (moto server, the Atlas simulator); here, what it refuses before
its first call, that check mode runs it (it only reads), a failed AWS read said with what failed and no secret, and its
documentation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_plan
from ansible_collections.cloudwire.atlas.plugins.module_utils import plan_step
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_plan as documentation
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import atlas_connection, documented_and_taken, run_action

ATLAS_CIDR = "192.168.248.0/21"
# Nothing listens on port 9 of the loopback: every AWS call is refused at once.
AWS = dict(region="us-east-1", access_key="AKIAUNIT", secret_key="unit-aws-secret", endpoint_url="http://127.0.0.1:9")


def test_bad_input_fails_naming_the_field_before_any_call(atlas):
    empty = run_action(vpc_peering_plan, **atlas_connection(atlas, atlas_cidr_block=ATLAS_CIDR, vpcs=[], **AWS))
    assert empty["failed"] is True and empty["msg"].startswith("Invalid vpcs") and "must list at least one VPC" in empty["msg"], empty
    both = run_action(vpc_peering_plan, **atlas_connection(atlas, atlas_cidr_block=ATLAS_CIDR,
                                                           vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d", stack_name="app-net")], **AWS))
    assert both["failed"] is True and "vpcs[0].vpc_id" in both["msg"] and "not both" in both["msg"], both
    wide = run_action(vpc_peering_plan, **atlas_connection(atlas, atlas_cidr_block="192.168.248.1/21",
                                                           vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d")], **AWS))
    assert wide["failed"] is True and "atlas_cidr_block" in wide["msg"], wide
    assert atlas.log == [], "a refused input reached Atlas"


def test_check_mode_runs_it_and_a_failed_aws_read_says_what_failed_without_a_secret(atlas):
    """The plan only reads: check mode runs it (the drift report is its findings). AWS refuses the connection here."""
    args = atlas_connection(atlas, atlas_cidr_block=ATLAS_CIDR, vpcs=[dict(name="app", vpc_id="vpc-0a1b2c3d")], **AWS)
    result = run_action(vpc_peering_plan, check_mode=True, **args)
    assert result["failed"] is True and not result.get("skipped"), result
    assert result["msg"].startswith("Failed to describe vpcs: ") and "127.0.0.1:9" in result["msg"], result
    for secret in (atlas.private_key, AWS["secret_key"]):
        assert secret not in repr(result)


def test_the_documented_options_are_the_options_it_takes():
    documented, taken = documented_and_taken(documentation, plan_step.argument_spec())
    assert documented == taken
