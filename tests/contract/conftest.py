"""Fixtures for the contract tests: sessions that check every response against the spec extract as it arrives."""

import pytest

from contract_session import ContractSession
from support.aws import customer_ec2
from support.fixtures import atlas_session_fixture

owner = atlas_session_fixture(session_class=ContractSession)
reader = atlas_session_fixture(readonly=True, session_class=ContractSession)


@pytest.fixture
def customer(atlas_env):
    return customer_ec2(atlas_env)
