"""Fixtures for the contract tests: sessions that check every response against the spec extract as it arrives."""

import pytest
from requests.auth import HTTPDigestAuth

from contract_session import ContractSession
from simulator_helpers import customer_ec2


@pytest.fixture
def owner(atlas_env):
    with ContractSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"])) as session:
        yield session


@pytest.fixture
def reader(atlas_env):
    with ContractSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["readonly_public_key"], atlas_env["readonly_private_key"])) as session:
        yield session


@pytest.fixture
def customer(atlas_env):
    return customer_ec2(atlas_env)
