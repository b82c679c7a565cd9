# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.waiting import WaitTimeout, poll


def _states(*values):
    seen = list(values)

    def fetch():
        return seen.pop(0) if len(seen) > 1 else seen[0]
    return fetch


def test_returns_at_once_when_already_done(fake_clock):
    polled = []
    result = poll(_states("AVAILABLE"), lambda s: s == "AVAILABLE", timeout=60, on_poll=polled.append,
                  sleep=fake_clock.sleep, clock=fake_clock.clock)
    assert result == "AVAILABLE"
    assert polled == ["AVAILABLE"]
    assert fake_clock.sleeps == []


def test_backs_off_and_returns_promptly_once_done(fake_clock):
    fetch = _states("INITIATING", "INITIATING", "INITIATING", "PENDING_ACCEPTANCE", "AVAILABLE")
    result = poll(fetch, lambda s: s == "AVAILABLE", timeout=600, initial_interval=2, max_interval=4,
                  sleep=fake_clock.sleep, clock=fake_clock.clock)
    assert result == "AVAILABLE"
    assert fake_clock.sleeps == [2.0, 3.0, 4.0, 4.0]


def test_timeout_carries_the_last_value_and_polls_at_the_deadline(fake_clock):
    fetch = _states({"statusName": "INITIATING"}, {"statusName": "PENDING_ACCEPTANCE"})
    with pytest.raises(WaitTimeout) as caught:
        poll(fetch, lambda p: p["statusName"] == "AVAILABLE", timeout=9, initial_interval=4, max_interval=15,
             sleep=fake_clock.sleep, clock=fake_clock.clock, describe=lambda p: p["statusName"])
    assert caught.value.last_value == {"statusName": "PENDING_ACCEPTANCE"}
    assert fake_clock.sleeps == [4.0, 5.0]  # the second sleep is cut to end exactly at the timeout
    assert caught.value.polls == 3
    assert "PENDING_ACCEPTANCE" in str(caught.value) and "timeout 9" in str(caught.value)


def test_on_poll_can_stop_early(fake_clock):
    def fail_on_failed(state):
        if state == "FAILED":
            raise RuntimeError("peering failed")

    with pytest.raises(RuntimeError, match="peering failed"):
        poll(_states("INITIATING", "FAILED"), lambda s: s == "AVAILABLE", timeout=600, on_poll=fail_on_failed,
             sleep=fake_clock.sleep, clock=fake_clock.clock)
    assert fake_clock.sleeps == [1.0]


def test_zero_timeout_polls_once(fake_clock):
    with pytest.raises(WaitTimeout):
        poll(_states("X"), lambda s: False, timeout=0, sleep=fake_clock.sleep, clock=fake_clock.clock)
    assert fake_clock.sleeps == []


def test_the_backoff_grows_by_half_up_to_the_cap():
    """The backoff the waiting modules' poll_interval / poll_max_interval give poll() (module.check_poll_options)."""
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    with pytest.raises(WaitTimeout):
        poll(lambda: None, lambda value: False, timeout=60, initial_interval=1, max_interval=15, sleep=sleep, clock=lambda: now[0])
    assert slept[:8] == [1.0, 1.5, 2.25, 3.375, 5.062, 7.594, 11.391, 15.0]
    assert max(slept) == 15.0 and round(sum(slept), 3) == 60.0
