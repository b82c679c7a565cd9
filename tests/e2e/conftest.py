"""End-to-end runs of playbooks/peer.yml and playbooks/unpeer.yml with the real ansible-playbook against moto server and the
Atlas simulator (both on free 127.0.0.1 ports, started and stopped here)."""

import os
import sys

import pytest

from support.servers import AtlasSimulator

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, E2E_DIR)


@pytest.fixture(scope="session")
def atlas_simulator(moto_server):
    """Overrides the shared fixture: short but non-zero delays, so every wait of the role really polls (TERMINATING lasts long
    enough that the teardown's first poll sees it on a loaded machine too)."""
    with AtlasSimulator(aws_endpoint=moto_server.url, initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=3.0,
                        access_list_delay=2.0) as server:
        yield server
