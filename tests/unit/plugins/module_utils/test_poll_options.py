# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""check_poll_options: poll_interval / poll_max_interval of the waiting modules, and the backoff they give poll()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.module import check_poll_options
from ansible_collections.cloudwire.atlas.plugins.module_utils.waiting import WaitTimeout, poll


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, **params):
        self.params = params

    def fail_on_value(self, option, value, rule):
        raise Failed("%s %r %s" % (option, value, rule))


def test_defaults_and_a_lower_cap_are_accepted():
    check_poll_options(FakeModule(poll_interval=1.0, poll_max_interval=15.0))
    check_poll_options(FakeModule(poll_interval=0.5, poll_max_interval=0.5))


@pytest.mark.parametrize("interval, cap, option", [(0, 15, "poll_interval"), (-1, 15, "poll_interval"), (5, 2, "poll_max_interval")])
def test_bad_values_fail_naming_the_option(interval, cap, option):
    with pytest.raises(Failed, match="^%s " % option):
        check_poll_options(FakeModule(poll_interval=interval, poll_max_interval=cap))


def test_the_backoff_grows_by_half_up_to_the_cap():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    with pytest.raises(WaitTimeout):
        poll(lambda: None, lambda value: False, timeout=60, initial_interval=1, max_interval=15, sleep=sleep, clock=lambda: now[0])
    assert slept[:8] == [1.0, 1.5, 2.25, 3.375, 5.062, 7.594, 11.391, 15.0]
    assert max(slept) == 15.0 and round(sum(slept), 3) == 60.0
