# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering_aws action plugin: the AWS step and its waits on the controller, printing the status at each poll. Its EC2
calls are proven end to end in tests/e2e and tests/policy (moto server, least privilege), the step's order and judgement in
module_utils/test_aws_step.py; here, what it refuses before its first call, check mode, the polls it prints against
fake_atlas over HTTP, no secret in its result, and its documentation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_aws
from ansible_collections.cloudwire.atlas.plugins.module_utils import aws_step
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_aws as documentation
from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import GROUP, atlas_connection, documented_and_taken, run_action
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply

PEER = "5f0123456789abcdef012345"
PCX = "pcx-0a1b2c3d4e5f67890"
VPC = dict(name="app", vpc_id="vpc-0a1b2c3d", accept=PCX)
AWS = dict(region="us-east-1", access_key="AKIAUNIT", secret_key="unit-aws-secret", endpoint_url="http://127.0.0.1:9")


def test_bad_input_fails_naming_the_field_before_any_call():
    wide = run_action(vpc_peering_aws, destination_cidr_block="192.168.248.1/21", vpcs=[VPC], **AWS)
    assert wide == dict(failed=True, msg="Invalid destination_cidr_block '192.168.248.1/21': not in canonical form, the block it "
                                         "names is 192.168.248.0/21"), wide
    dns = run_action(vpc_peering_aws, destination_cidr_block="192.168.248.0/21", vpcs=[dict(VPC, dns=["Dns"])], **AWS)
    assert dns["failed"] is True and "dns" in dns["msg"] and "EnableDnsSupport" in dns["msg"], dns
    no_name = run_action(vpc_peering_aws, destination_cidr_block="192.168.248.0/21", vpcs=[dict(vpc_id="vpc-0a1b2c3d")], **AWS)
    assert no_name["failed"] is True and "name" in no_name["msg"], no_name


def test_check_mode_skips_it():
    skipped = run_action(vpc_peering_aws, check_mode=True, destination_cidr_block="192.168.248.0/21", vpcs=[VPC], **AWS)
    assert skipped["skipped"] is True and not skipped.get("changed"), skipped


def test_each_poll_is_printed_as_it_is_made_and_no_secret_is_in_the_result(atlas, monkeypatch):
    """A VPC accepted by an earlier run waits for AVAILABLE only: no EC2 call, two polls."""
    said = []
    monkeypatch.setattr(vpc_peering_aws.display, "display", lambda line, *args, **kwargs: said.append(line))
    peer = ("GET", "/api/atlas/v2/groups/%s/peers/%s" % (GROUP, PEER))
    atlas.add(Reply(200, {"id": PEER, "statusName": "FINALIZING", "connectionId": PCX}, match=peer),
              Reply(200, {"id": PEER, "statusName": "AVAILABLE", "connectionId": PCX}, match=peer))
    vpcs = [dict(name="app", vpc_id="vpc-0a1b2c3d", peering_id=PEER, wait_available=True)]
    result = run_action(vpc_peering_aws, **atlas_connection(atlas, destination_cidr_block="192.168.248.0/21", poll_seconds=0, polls=3, vpcs=vpcs, **AWS))
    assert not result.get("failed") and result["changed"] is False, result
    assert said == ["app: waiting until Atlas reports the peering AVAILABLE, poll 1: FINALIZING %s" % PCX,
                    "app: waiting until Atlas reports the peering AVAILABLE, poll 2: AVAILABLE %s" % PCX], said
    assert [poll["summary"] for poll in result["vpcs"]["app"]["polls"]] == ["FINALIZING %s" % PCX, "AVAILABLE %s" % PCX], result
    for secret in (atlas.private_key, AWS["secret_key"]):
        assert secret not in repr(result)


def test_the_documented_options_are_the_options_it_takes():
    documented, taken = documented_and_taken(documentation, aws_step.argument_spec())
    assert documented == taken
