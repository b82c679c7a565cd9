"""The reliability suite's servers and bookkeeping.

One patched moto server (hack/moto_server.py) behind the fault proxy (tests/support/fault_proxy.py), and one Atlas
simulator with short delays, for the whole session; every test starts from reset servers (`rel`). Each test records
what it injected and what it proved in `figures`; at the end of the session the totals go to
tests/output/reliability/summary.json, which tests/reliability/render_report.py turns into docs/RELIABILITY.md's table.
"""

import json
import os
import sys
import time

import pytest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _path in (os.path.join(TESTS_DIR, "e2e"), os.path.join(TESTS_DIR, "modules"), os.path.dirname(os.path.abspath(__file__))):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from support.fault_proxy import FaultProxy  # noqa: E402  pylint: disable=wrong-import-position
from support.servers import (  # noqa: E402  pylint: disable=wrong-import-position
    CUSTOMER_ACCOUNT_ID, AtlasSimulator, MotoServer, seed_project)

SUMMARY_PATH = os.path.join(os.path.dirname(TESTS_DIR), "tests", "output", "reliability", "summary.json")
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


@pytest.fixture(scope="session")
def moto_server():
    """moto with the CloudFormation route-table fix of hack/moto_server.py (the role's stacks are deleted on unpeer)."""
    with MotoServer() as server:
        yield server


@pytest.fixture(scope="session")
def fault_proxy(moto_server):  # pylint: disable=redefined-outer-name
    """Everything ansible runs talks to AWS through this proxy; the simulator talks to moto directly."""
    with FaultProxy(moto_server.url) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def atlas_simulator(moto_server):  # pylint: disable=redefined-outer-name
    with AtlasSimulator(aws_endpoint=moto_server.url, initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=1.0,
                        access_list_delay=0.5) as server:
        yield server


def make_env(atlas, aws_endpoint, **extra):
    env = {
        "MONGODB_ATLAS_BASE_URL": atlas["base_url"],
        "MONGODB_ATLAS_PUBLIC_KEY": atlas["public_key"],
        "MONGODB_ATLAS_PRIVATE_KEY": atlas["private_key"],
        "MONGODB_ATLAS_PROJECT_ID": atlas["project_id"],
        "MONGODB_ATLAS_PROJECT_NAME": atlas["project_name"],
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
    }
    env.update(extra)
    return env


def fresh_world(moto_server, atlas_simulator, fault_proxy):
    """Reset servers, proxy without faults or calls, one project with an owner key and a read-only key. Shaped like the
    shared `atlas_env` (so tests/modules/module_playbook.py can run plays with it), AWS through the proxy."""
    moto_server.reset()
    atlas_simulator.reset()
    fault_proxy.clear_faults()
    fault_proxy.clear()
    atlas = seed_project(atlas_simulator, "cloudwire-reliability")
    atlas.update({
        "aws_endpoint": fault_proxy.url,
        "aws_access_key_id": AWS_ACCESS_KEY,
        "aws_secret_access_key": AWS_SECRET,
        "aws_account_id": CUSTOMER_ACCOUNT_ID,
        "sim": atlas_simulator,
        "moto": moto_server,
        "proxy": fault_proxy,
    })
    atlas["env"] = make_env(atlas, fault_proxy.url)
    return atlas


@pytest.fixture
def new_world(moto_server, atlas_simulator, fault_proxy):  # pylint: disable=redefined-outer-name
    """A function that resets both servers and returns a fresh world, for a test that needs several."""
    return lambda: fresh_world(moto_server, atlas_simulator, fault_proxy)


@pytest.fixture
def rel(moto_server, atlas_simulator, fault_proxy):  # pylint: disable=redefined-outer-name
    """A fresh world (fresh_world) for each test."""
    yield fresh_world(moto_server, atlas_simulator, fault_proxy)
    fault_proxy.clear_faults()
    atlas_simulator.clear_faults()
