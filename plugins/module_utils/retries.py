# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When the Atlas client tries a call again, and how long it waits: the retry policy, apart from the calls it governs.

Only throttling (429), server errors (500, 502, 503, 504) and connection failures are retried, all within one deadline;
a write is re-sent only when it cannot have reached Atlas. Pure: sleep, clock and randomness are injectable.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import random
import time

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# The answers that may carry Retry-After (429, and 503 per the spec's newest version).
RETRY_AFTER_STATUSES = frozenset((429, 503))
# Methods whose repetition cannot do harm: re-sent even when a previous attempt may have reached the server.
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def is_retried_status(status):
    """Whether an answer with this HTTP status is tried again."""
    return status in RETRY_STATUSES


def may_resend(method):
    """Whether a request of this method is sent again after it may have reached Atlas (its answer was lost)."""
    return method in SAFE_METHODS


def retry_after_seconds(response):
    """Seconds Atlas asked us to wait: the Retry-After header, else parameters[1] of RATE_LIMITED_TOKEN_BUCKET.

    ``response`` has ``headers`` and ``json()`` (a requests.Response).
    """
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            when = _http_date(header)
            if when is not None:
                return max(0.0, when - time.time())
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("errorCode") == "RATE_LIMITED_TOKEN_BUCKET":
        params = body.get("parameters") or []
        if len(params) > 1:
            try:
                return max(0.0, float(params[1]))
            except (TypeError, ValueError):
                return None
    return None


def _http_date(text):
    """Seconds since the epoch for an HTTP-date (RFC 9110 allows one in Retry-After), or None."""
    try:
        parsed = email.utils.parsedate_tz(text)
    except (TypeError, ValueError):
        return None
    return email.utils.mktime_tz(parsed) if parsed else None


class RetryPolicy:
    """When to try again: full-jitter exponential backoff, Retry-After honoured, everything inside one deadline.

    A policy is shared by all calls of a client; ``start()`` gives the per-call state. ``sleep``, ``clock`` and
    ``rand`` are injectable so tests run without waiting.
    """

    def __init__(self, deadline=300.0, base_delay=1.0, max_delay=30.0, sleep=time.sleep, clock=time.monotonic, rand=random.random):
        self.deadline = float(deadline)
        self.base_delay = float(base_delay)
        self.max_delay = float(max_delay)
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    def start(self):
        return RetryBudget(self)


class RetryBudget:
    """Per-call retry state: attempts so far and the time the call started."""

    def __init__(self, policy):
        self.policy = policy
        self.started = policy.clock()
        self.retries = 0

    def elapsed(self):
        return self.policy.clock() - self.started

    def remaining(self):
        return self.policy.deadline - self.elapsed()

    def backoff(self):
        """The next full-jitter delay: uniform in [0, min(max_delay, base_delay * 2 ** retries)]."""
        cap = min(self.policy.max_delay, self.policy.base_delay * (2 ** self.retries))
        return self.policy.rand() * cap

    def next_delay(self, retry_after=None):
        """Seconds to wait before the next attempt, or None when the deadline leaves no room for one."""
        if retry_after is not None:
            # Atlas's own advice: wait at least Retry-After; a little jitter keeps parallel jobs from waking together.
            delay = retry_after + self.policy.rand() * min(1.0, self.policy.max_delay)
        else:
            delay = self.backoff()
        if self.elapsed() + delay >= self.policy.deadline:
            return None
        return delay

    def wait(self, delay):
        self.retries += 1
        self.policy.sleep(delay)
