"""Atlas's token-bucket rate limiter: one bucket per endpoint set and scope; each answered request takes a token.

Recorded (tests/contract/recorded/accessList-*.json, 2026): `Ratelimit-Limit: 1200` and a `Ratelimit-Remaining` that falls
by one per request across POST, GET and DELETE accessList of one project (1199, 1198 ... 1192 over 25 s, so no refill in
that time); a second project starts again at 1199; digest challenges take none. The refill amount and period are not
recorded: GUESS 100 tokens every 60 s (the docs' sample speaks of a refill "per 60 seconds").
"""

import math
import threading
import time

# Endpoint sets whose bucket is not the configured size: the clusters set holds 10000 (recorded: other-clusters-get-404-1.json,
# Ratelimit-Limit 10000 and Remaining 9988).
SET_CAPACITIES = {"clusters": 10000}


class TokenBucket:
    """`capacity` tokens; every `period` seconds since it was made, `refill` more (never above capacity)."""

    def __init__(self, capacity, refill, period, now):
        self.capacity = capacity
        self.refill = refill
        self.period = period
        self.tokens = capacity
        self.period_start = now

    def _refill(self, now):
        periods = int((now - self.period_start) // self.period) if self.period > 0 else 0
        if periods:
            self.tokens = min(self.capacity, self.tokens + periods * self.refill)
            self.period_start += periods * self.period

    def take(self, now):
        """(taken, tokens left, seconds until the next refill)."""
        self._refill(now)
        wait = max(1, math.ceil(self.period_start + self.period - now))
        if self.tokens <= 0:
            return False, 0, wait
        self.tokens -= 1
        return True, self.tokens, wait


class RateLimiter:
    """The buckets, keyed by (endpoint set, scope), made on first use with the configured sizes."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}

    def _bucket(self, key, config):
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity = SET_CAPACITIES.get(key[0], config["rate_limit_capacity"])
            bucket = TokenBucket(int(capacity), int(config["rate_limit_refill"]), float(config["rate_limit_period"]), self._clock())
            self._buckets[key] = bucket
        return bucket

    def take(self, endpoint_set, scope, config):
        """(taken, headers for the answer, seconds to wait when refused)."""
        with self._lock:
            bucket = self._bucket((endpoint_set, scope), config)
            taken, left, wait = bucket.take(self._clock())
            return taken, {"RateLimit-Limit": str(bucket.capacity), "RateLimit-Remaining": str(left)}, wait

    def set_remaining(self, endpoint_set, scope, remaining, config):
        """Put a bucket at a level (the control API's seed: the state a recorded answer implies)."""
        with self._lock:
            bucket = self._bucket((endpoint_set, scope), config)
            if not 0 <= int(remaining) <= bucket.capacity:
                raise ValueError(f"remaining must be 0 to {bucket.capacity}")
            bucket.tokens = int(remaining)

    def clear(self):
        with self._lock:
            self._buckets.clear()
