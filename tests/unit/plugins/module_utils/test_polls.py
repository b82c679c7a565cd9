# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""polls.py: what one poll of the role's waits means (reached, keep polling, failed with what to do)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.polls import cluster_outcome, entries_due, status_outcome

PEER = {"id": "p" * 24, "statusName": "PENDING_ACCEPTANCE", "connectionId": "pcx-0123456789abcdef0", "awsAccountId": "123456789012",
        "vpcId": "vpc-0123456789abcdef0", "containerId": "c" * 24}


def args(wait_for, poll=1, polls=10, **extra):
    return dict(wait_for=wait_for, poll=poll, polls=polls, poll_seconds=1, peering_id=PEER["id"], accepter_region="us-east-1", **extra)


def test_the_connection_wait_ends_with_the_pcx_and_prints_it():
    out = status_outcome(args("connection"), PEER, {})
    assert out["reached"] and out["summary"] == "PENDING_ACCEPTANCE pcx-0123456789abcdef0" and not out.get("failed")
    out = status_outcome(args("connection"), dict(PEER, statusName="INITIATING", connectionId=None), {})
    assert not out["reached"] and out["summary"] == "INITIATING" and not out.get("failed")


def test_the_last_poll_fails_and_says_what_to_do():
    out = status_outcome(args("available", poll=10), PEER, {})
    assert out["failed"] and "still PENDING_ACCEPTANCE after 10 polls 1 s apart" in out["msg"]
    assert "Accept pcx-0123456789abcdef0 in AWS account 123456789012, region us-east-1" in out["msg"]
    gone = status_outcome(args("available", poll=10), None, {})
    assert gone["failed"] and "someone deleted it" in gone["msg"]


def test_a_failed_peering_ends_every_wait_but_the_one_for_its_deletion():
    failed = dict(PEER, statusName="FAILED", errorStateName="REJECTED")
    out = status_outcome(args("available"), failed, {})
    assert out["failed"] and "REJECTED" in out["msg"] and "rejected the peering request in AWS account 123456789012" in out["msg"]
    assert not status_outcome(args("gone"), failed, {}).get("failed")
    assert status_outcome(args("gone"), None, {})["reached"]


def test_access_list_entries():
    out = status_outcome(dict(args("active"), peering_id=None), None, {"10.0.0.0/16": "PENDING", "sg-0123456789abcdef0": "ACTIVE"})
    assert not out["reached"] and out["pending"] == ["10.0.0.0/16"] and out["summary"] == "PENDING 10.0.0.0/16"
    assert status_outcome(dict(args("active"), peering_id=None), None, {"10.0.0.0/16": "ACTIVE"})["summary"] == "ACTIVE"
    failed = status_outcome(dict(args("active"), peering_id=None), None, {"10.0.0.0/16": "FAILED"})
    assert failed["failed"] and "FAILED" in failed["msg"]


def test_one_wait_for_the_peering_available_and_the_entries_active():
    both = args("available", entries=["10.0.0.0/16"])
    available = dict(PEER, statusName="AVAILABLE")
    # The entries are read only once the peering is AVAILABLE; a wait for them alone reads them every poll.
    assert not entries_due(both, dict(PEER, statusName="FINALIZING")) and entries_due(both, available)
    assert entries_due(dict(args("active"), entries=["10.0.0.0/16"]), None) and not entries_due(args("available"), available)
    out = status_outcome(both, dict(PEER, statusName="FINALIZING"), {})
    assert not out["reached"] and out["summary"] == "FINALIZING pcx-0123456789abcdef0" and not out.get("failed")
    out = status_outcome(both, available, {"10.0.0.0/16": "PENDING"})
    assert not out["reached"] and out["summary"] == "AVAILABLE pcx-0123456789abcdef0; access list: PENDING 10.0.0.0/16"
    assert not status_outcome(both, available, {})["reached"], "AVAILABLE, but the entry not read yet"
    assert status_outcome(both, available, {"10.0.0.0/16": "ACTIVE"})["summary"] == "AVAILABLE pcx-0123456789abcdef0; access list: ACTIVE"
    assert status_outcome(both, available, {"10.0.0.0/16": "ACTIVE"})["reached"]
    # The last poll names what it still waits for: the entry once the peering is AVAILABLE, else the peering.
    last = status_outcome(dict(both, poll=10), available, {"10.0.0.0/16": "PENDING"})
    assert last["failed"] and "Access-list entries 10.0.0.0/16 are still not ACTIVE after 10 polls" in last["msg"]
    last = status_outcome(dict(both, poll=10), dict(PEER, statusName="FINALIZING"), {})
    assert last["failed"] and "still FINALIZING" in last["msg"]
    failed = status_outcome(both, available, {"10.0.0.0/16": "FAILED"})
    assert failed["failed"] and "FAILED" in failed["msg"]


# ---- polls.py, the wait for a cluster's private connection string: reached with the string, keep polling without it, failed
# when the cluster is gone or at the last poll (saying when Atlas gives one).
ARGS = {"cluster_name": "shared-dev", "wait_for": "private_srv", "poll": 1, "polls": 3, "poll_seconds": 2}
PEERED = {"name": "shared-dev", "connectionStrings": {"privateSrv": "mongodb+srv://shared-dev-pri.x.mongodb.net"}}


def test_reached_with_the_string():
    out = cluster_outcome(ARGS, PEERED)
    assert out["reached"] and out["private_srv"] == out["summary"] == "mongodb+srv://shared-dev-pri.x.mongodb.net" and "failed" not in out


def test_without_it_the_wait_goes_on_until_its_last_poll():
    waiting = cluster_outcome(ARGS, {"name": "shared-dev", "connectionStrings": {}})
    assert not waiting["reached"] and waiting["summary"] == "no private connection string yet" and "failed" not in waiting
    last = cluster_outcome(dict(ARGS, poll=3), {"name": "shared-dev"})
    assert last["failed"] and "still has no private connection string after 3 polls 2 s apart" in last["msg"]
    assert "a peering AVAILABLE in a region of the cluster" in last["msg"]


def test_a_cluster_gone_ends_the_wait():
    gone = cluster_outcome(ARGS, None)
    assert gone["failed"] and gone["summary"] == "cluster gone" and "vpc_peering_cluster_name" in gone["msg"]
