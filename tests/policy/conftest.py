"""The automation-policy tests run the playbooks like tests/e2e: moto (patched, see hack/moto_server.py) and the Atlas
simulator on free 127.0.0.1 ports, started and stopped by support.fixtures, whose `world` fixture each test module shares."""

import pytest


@pytest.fixture(scope="module")
def simulator_delays():
    """Short but non-zero delays, so the role's waits really poll."""
    return dict(initiating_delay=0.5, finalizing_delay=0.5, terminating_delay=0.5, access_list_delay=0.5)
