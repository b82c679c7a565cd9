"""Fixtures for the simulator's own tests (servers and atlas_env come from tests/conftest.py)."""

import pytest
from requests.auth import HTTPDigestAuth

from simulator_helpers import AtlasSession, customer_ec2


@pytest.fixture
def api(atlas_env):
    """The owner key's session."""
    with AtlasSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"])) as session:
        yield session


@pytest.fixture
def readonly_api(atlas_env):
    with AtlasSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["readonly_public_key"], atlas_env["readonly_private_key"])) as session:
        yield session


@pytest.fixture
def ec2(atlas_env):
    """The customer's EC2 (moto's default account) in us-east-1."""
    return customer_ec2(atlas_env)


@pytest.fixture
def gid(atlas_env):
    return atlas_env["project_id"]
