# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""polls.py, the wait for a cluster's private connection string: reached with the string, keep polling without it, failed when
the cluster is gone or at the last poll (saying when Atlas gives one)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.polls import cluster_outcome

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
