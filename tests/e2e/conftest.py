"""End-to-end runs of playbooks/peer.yml and playbooks/unpeer.yml with the real ansible-playbook against moto server and the
Atlas simulator (both on free 127.0.0.1 ports, started and stopped by support.fixtures, whose `world` fixture each test
module shares)."""

import pytest


@pytest.fixture(scope="module")
def simulator_delays():
    """Short but non-zero delays, so every wait of the role really polls (TERMINATING lasts long enough that the teardown's
    first poll sees it on a loaded machine too)."""
    return dict(initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=3.0, access_list_delay=2.0)
