"""Fixtures for the simulator's own tests (servers and atlas_env come from support.fixtures)."""

import pytest

from support.aws import customer_ec2
from support.fixtures import atlas_session_fixture

# The owner key's session, and the read-only key's.
api = atlas_session_fixture()
readonly_api = atlas_session_fixture(readonly=True)


@pytest.fixture
def ec2(atlas_env):
    """The customer's EC2 (moto's default account) in us-east-1."""
    return customer_ec2(atlas_env)


@pytest.fixture
def gid(atlas_env):
    return atlas_env["project_id"]
