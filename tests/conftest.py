"""Servers every pytest suite shares: moto server and the Atlas simulator, one pair per session (per xdist worker)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support.servers import (  # noqa: E402  pylint: disable=wrong-import-position
    CUSTOMER_ACCESS_KEY_ID, CUSTOMER_ACCOUNT_ID, CUSTOMER_SECRET_ACCESS_KEY, AtlasSimulator, MotoServer, environment, seed_project)


@pytest.fixture(scope="session")
def moto_server():
    with MotoServer() as server:
        yield server


@pytest.fixture(scope="session")
def atlas_simulator(moto_server):  # pylint: disable=redefined-outer-name
    with AtlasSimulator(aws_endpoint=moto_server.url) as server:
        yield server


@pytest.fixture
def atlas_env(moto_server, atlas_simulator):  # pylint: disable=redefined-outer-name
    """Both servers reset, a project seeded with an owner key and a read-only key."""
    moto_server.reset()
    atlas_simulator.reset()
    env = seed_project(atlas_simulator)
    env.update({
        "aws_endpoint": moto_server.url,
        "aws_access_key_id": CUSTOMER_ACCESS_KEY_ID,
        "aws_secret_access_key": CUSTOMER_SECRET_ACCESS_KEY,
        "aws_account_id": CUSTOMER_ACCOUNT_ID,
        "sim": atlas_simulator,
        "moto": moto_server,
    })
    env["env"] = environment(env, moto_server.url)
    yield env
