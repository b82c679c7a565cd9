# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_access_list: waiting until every entry is ACTIVE (the comparison itself is tested in module_utils/test_access_lists.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import normalize_access_list_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasStateError
from ansible_collections.cloudwire.atlas.plugins.modules.atlas_access_list import wait_active


def want(**entry):
    return normalize_access_list_entry(entry, check_expiry=False)


class StatusModule:
    check_mode = False

    def __init__(self, statuses):
        self.client = self
        self.project_id = "f" * 24
        self.statuses = statuses  # entry value -> list of STATUS answers in turn

    def get(self, path):
        value = path.split("/accessList/")[1][:-len("/status")]
        return {"STATUS": self.statuses[value].pop(0)}


def instant_poll(monkeypatch):
    from ansible_collections.cloudwire.atlas.plugins.modules import atlas_access_list  # pylint: disable=import-outside-toplevel
    original = atlas_access_list.poll
    monkeypatch.setattr(atlas_access_list, "poll", lambda fetch, done, timeout, **intervals: original(
        fetch, done, timeout, sleep=lambda s: None, **intervals))


def test_waiting_polls_each_entry_until_active(monkeypatch):
    instant_poll(monkeypatch)
    module = StatusModule({"10.0.0.0%2F16": ["PENDING", "PENDING", "ACTIVE"], "sg-0123456789abcdef0": ["ACTIVE"]})
    wait_active(module, [want(cidr_block="10.0.0.0/16"), want(aws_security_group="sg-0123456789abcdef0")], timeout=60)
    assert module.statuses == {"10.0.0.0%2F16": [], "sg-0123456789abcdef0": []}


def test_a_failed_entry_fails_the_wait(monkeypatch):
    instant_poll(monkeypatch)
    module = StatusModule({"10.0.0.0%2F16": ["PENDING", "FAILED"]})
    with pytest.raises(AtlasStateError, match="FAILED") as caught:
        wait_active(module, [want(cidr_block="10.0.0.0/16")], timeout=60)
    assert caught.value.result["failed"] == ["10.0.0.0/16"]


def test_a_wait_that_runs_out_names_the_pending_entries(monkeypatch):
    instant_poll(monkeypatch)
    module = StatusModule({"10.0.0.0%2F16": ["PENDING"] * 10})
    with pytest.raises(AtlasStateError, match="not ACTIVE after 0 s") as caught:
        wait_active(module, [want(cidr_block="10.0.0.0/16")], timeout=0)
    assert caught.value.result["pending"] == ["10.0.0.0/16"]
