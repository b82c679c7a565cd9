# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling with backoff until a condition holds. Pure: clock and sleep are injectable. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

BACKOFF_FACTOR = 1.5


class WaitTimeout(Exception):
    """The condition did not hold within the timeout; ``last_value`` is what the last poll saw."""

    def __init__(self, message, last_value=None, polls=0, waited=0.0):
        self.last_value = last_value
        self.polls = polls
        self.waited = waited
        super(WaitTimeout, self).__init__(message)


def poll(fetch, is_done, timeout, initial_interval=1, max_interval=15, on_poll=None, sleep=time.sleep, clock=time.monotonic,
         describe=None):
    """Call ``fetch()`` until ``is_done(value)`` is true and return that value.

    The first poll is immediate; intervals grow by 1.5x from ``initial_interval`` up to ``max_interval`` and the last
    sleep is cut so that a final poll happens right at ``timeout``. ``on_poll(value)`` sees every value (progress,
    or raise to stop early, e.g. on a FAILED state). ``describe(value)`` shortens the value for the timeout message.
    Raises WaitTimeout carrying the last value seen.
    """
    started = clock()
    interval = float(initial_interval)
    polls = 0
    while True:
        value = fetch()
        polls += 1
        if on_poll is not None:
            on_poll(value)
        if is_done(value):
            return value
        waited = clock() - started
        remaining = timeout - waited
        if remaining <= 0:
            shown = describe(value) if describe is not None else value
            raise WaitTimeout("still waiting after %.0f s (timeout %s s, %d polls); last seen: %s" % (waited, timeout, polls, _short(shown)),
                              last_value=value, polls=polls, waited=waited)
        sleep(min(interval, remaining))
        interval = min(interval * BACKOFF_FACTOR, float(max_interval))


def _short(value, limit=300):
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."
