"""The fixtures every pytest suite shares (loaded once, by `-p support.fixtures` in pytest.ini).

Servers, each started on first use and stopped at the end of the session:
    moto_server        (session) moto through hack/moto_server.py
    atlas_simulator    (module)  the Atlas simulator with the delays of `simulator_delays`; one process per set of delays
    fault_proxy        (session) support.fault_proxy.FaultProxy in front of moto_server
A suite whose waits must really poll overrides `simulator_delays` in its conftest.py (or a test module):

    @pytest.fixture(scope="module")
    def simulator_delays():
        return dict(initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=3.0, access_list_delay=2.0)

State:
    atlas_env          (function) both servers reset, a project with an owner key and a read-only key (fresh_atlas_env)
    world              (module)   fresh servers for inventories/local: the project `cloudwire-<suite directory>`, the
                                  existing VPC of local-legacy-east, the environment of playbooks/peer.yml runs
Factory for a suite's conftest: `api = atlas_session_fixture()` (owner key), `atlas_session_fixture(readonly=True)`.
"""

import pytest

from support.atlas import AtlasSession, digest_auth
from support.aws import create_existing_vpc
from support.fault_proxy import FaultProxy
from support.playbooks import playbook_env
from support.servers import AtlasSimulator, MotoServer, fresh_atlas_env


class SimulatorPool:
    """One Atlas simulator per set of delays, started when first asked for, all stopped together."""

    def __init__(self, aws_endpoint):
        self.aws_endpoint = aws_endpoint
        self.running = {}

    def get(self, delays):
        key = tuple(sorted(delays.items()))
        if key not in self.running:
            self.running[key] = AtlasSimulator(aws_endpoint=self.aws_endpoint, **delays).start()
        return self.running[key]

    def stop(self):
        for server in self.running.values():
            server.stop()
        self.running = {}


@pytest.fixture(scope="session")
def moto_server():
    with MotoServer() as server:
        yield server


@pytest.fixture(scope="session")
def simulator_pool(moto_server):  # pylint: disable=redefined-outer-name
    pool = SimulatorPool(moto_server.url)
    yield pool
    pool.stop()


@pytest.fixture(scope="module")
def simulator_delays():
    """Seconds the simulator keeps peerings INITIATING, FINALIZING, TERMINATING and access-list entries PENDING: none by
    default (the simulator's own start-up values)."""
    return {}


@pytest.fixture(scope="module")
def atlas_simulator(simulator_pool, simulator_delays):  # pylint: disable=redefined-outer-name
    return simulator_pool.get(simulator_delays)


@pytest.fixture(scope="session")
def fault_proxy(moto_server):  # pylint: disable=redefined-outer-name
    """A proxy in front of moto that injects AWS faults and logs every call (the simulator itself talks to moto directly)."""
    with FaultProxy(moto_server.url) as proxy:
        yield proxy


@pytest.fixture
def atlas_env(moto_server, atlas_simulator):  # pylint: disable=redefined-outer-name
    """Both servers reset, a project seeded with an owner key and a read-only key."""
    yield fresh_atlas_env(moto_server, atlas_simulator)


@pytest.fixture(scope="module")
def world(request, moto_server, atlas_simulator):  # pylint: disable=redefined-outer-name
    """Fresh servers, the project, the existing VPC; the environment every playbook run of the test module uses."""
    atlas = fresh_atlas_env(moto_server, atlas_simulator, "cloudwire-" + request.path.parent.name)
    vpc_id = create_existing_vpc(moto_server.url)
    return {"sim": atlas_simulator, "moto": moto_server, "atlas": atlas, "vpc_id": vpc_id,
            "env": playbook_env(atlas["env"], CLOUDWIRE_LOCAL_EXISTING_VPC_ID=vpc_id), "runs": {}}


def atlas_session_fixture(readonly=False, session_class=AtlasSession):
    """A fixture for a conftest: a session of `session_class` on the simulator's Atlas API with the owner key of `atlas_env`
    (the read-only key with readonly=True), closed after the test."""

    @pytest.fixture
    def session(atlas_env):  # pylint: disable=redefined-outer-name
        with session_class(atlas_env["base_url"], digest_auth(atlas_env, readonly)) as opened:
            yield opened

    return session
