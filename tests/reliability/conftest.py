"""The reliability suite's servers and bookkeeping.

The servers are support.fixtures': the patched moto server (hack/moto_server.py) behind the fault proxy
(tests/support/fault_proxy.py), and the Atlas simulator with the short delays of `simulator_delays` below; every test
starts from reset servers (`rel`). Each test records
what it injected and what it proved in `figures`; at the end of the session the totals go to
tests/output/reliability/summary.json, which tests/reliability/render_report.py turns into docs/RELIABILITY.md's table.
"""

import json
import os
import time

import pytest

from support.paths import OUTPUT_DIR
from support.servers import fresh_atlas_env

SUMMARY_PATH = os.path.join(OUTPUT_DIR, "reliability", "summary.json")
# moto accepts any key; a secret that looks like a real one, so the secret scans search for something specific.
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYrel" + os.urandom(4).hex()
# Any key id works for moto without IAM enforcement; not in the AKIA form, so it never reads as a real key.
AWS_ACCESS_KEY = "RELIABILITYTESTKEYID"


class Figures:
    """Counters per category; each test adds what it did and proved."""

    def __init__(self):
        self.data = {}
        self.tests = {}

    def add(self, category, **counts):
        bucket = self.data.setdefault(category, {})
        for key, value in counts.items():
            bucket[key] = bucket.get(key, 0) + value

    def note(self, category, key, value):
        self.data.setdefault(category, {})[key] = value


_FIGURES = Figures()


@pytest.fixture(scope="session")
def figures():
    return _FIGURES


def pytest_runtest_logreport(report):
    if report.when == "call" and "tests/reliability/" in report.nodeid.replace(os.sep, "/"):
        _FIGURES.tests[report.nodeid] = {"outcome": report.outcome, "seconds": round(report.duration, 1)}


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    if not _FIGURES.tests:
        return
    os.makedirs(os.path.dirname(SUMMARY_PATH), exist_ok=True)
    summary = {
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tests": _FIGURES.tests,
        "passed": sum(1 for t in _FIGURES.tests.values() if t["outcome"] == "passed"),
        "failed": sum(1 for t in _FIGURES.tests.values() if t["outcome"] != "passed"),
        "seconds": round(sum(t["seconds"] for t in _FIGURES.tests.values()), 1),
        "figures": _FIGURES.data,
    }
    with open(SUMMARY_PATH, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1, sort_keys=True)


@pytest.fixture(scope="module")
def simulator_delays():
    return dict(initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=1.0, access_list_delay=0.5)


def fresh_world(moto_server, atlas_simulator, fault_proxy):
    """Reset servers, proxy without faults or calls, one project with an owner key and a read-only key. Shaped like the
    shared `atlas_env` (so support.playbooks.run_tasks can run plays with it), AWS through the proxy."""
    fault_proxy.clear_faults()
    fault_proxy.clear()
    return fresh_atlas_env(moto_server, atlas_simulator, "cloudwire-reliability", aws_endpoint=fault_proxy.url,
                           aws_access_key_id=AWS_ACCESS_KEY, aws_secret_access_key=AWS_SECRET, proxy=fault_proxy)


@pytest.fixture
def new_world(moto_server, atlas_simulator, fault_proxy):
    """A function that resets both servers and returns a fresh world, for a test that needs several."""
    return lambda: fresh_world(moto_server, atlas_simulator, fault_proxy)


@pytest.fixture
def rel(moto_server, atlas_simulator, fault_proxy):
    """A fresh world (fresh_world) for each test."""
    yield fresh_world(moto_server, atlas_simulator, fault_proxy)
    fault_proxy.clear_faults()
    atlas_simulator.clear_faults()
