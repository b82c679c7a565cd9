"""The automation-policy tests run the playbooks like tests/e2e: moto (patched, see hack/moto_server.py) and the Atlas
simulator on free 127.0.0.1 ports, started and stopped here."""

import os
import sys

import pytest

from support.servers import AtlasSimulator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))


@pytest.fixture(scope="session")
def atlas_simulator(moto_server):
    """Overrides the shared fixture: short but non-zero delays, so the role's waits really poll."""
    with AtlasSimulator(aws_endpoint=moto_server.url, initiating_delay=0.5, finalizing_delay=0.5, terminating_delay=0.5,
                        access_list_delay=0.5) as server:
        yield server
