"""Start and stop moto server and the Atlas simulator on free 127.0.0.1 ports, and drive the simulator's control API.

    moto = MotoServer(); moto.start(); moto.url; moto.reset(); moto.stop()
    sim = AtlasSimulator(aws_endpoint=moto.url); sim.start(); sim.url; sim.stop()
    sim.reset(); sim.seed({...}); sim.add_fault(...); sim.requests(); sim.clear_requests(); sim.writes(); sim.config(...)
    sim.add_cluster(project, name, regions=[...]); sim.remove_cluster(project, name); sim.clusters()
    sim.verify_database_user_password(project, username, password, database="admin")

    env = fresh_atlas_env(moto, sim)   # both reset, a project with an owner and a read-only key: what `atlas_env` yields

`PYTHONPATH=tests python -m support.servers serve` starts both, seeds a demo project and key, prints the environment for
ansible-playbook (MONGODB_ATLAS_*, AWS_*) and runs until SIGTERM/SIGINT.
"""

import argparse
import atexit
import json
import os
import secrets
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import quote

import requests

from support.paths import MOTO_LAUNCHER, REPO_ROOT, SIMULATOR_DIR

LOOPBACK = "127.0.0.1"
# moto server accepts any key; these map to its default account, which plays the customer.
CUSTOMER_ACCOUNT_ID = "123456789012"
CUSTOMER_ACCESS_KEY_ID = "testing"
CUSTOMER_SECRET_ACCESS_KEY = "testing"
START_TIMEOUT = 30
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")

_RUNNING = []


def _stop_all_at_exit():
    for server in list(_RUNNING):
        server.stop()


atexit.register(_stop_all_at_exit)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class _Process:
    """A child process we started, its log file, and how to stop it."""

    name = "server"

    def __init__(self):
        self.process = None
        self.url = None
        self._log = None
        self.log_path = None

    def _spawn(self, argv, env=None):
        self._log = tempfile.NamedTemporaryFile(prefix=f"{self.name}-", suffix=".log", delete=False)  # pylint: disable=consider-using-with
        self.log_path = self._log.name
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log, env=env, cwd=REPO_ROOT)  # pylint: disable=consider-using-with
        _RUNNING.append(self)

    def _fail(self, why):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                tail = log.read()[-3000:]
        except FileNotFoundError:
            tail = ""
        self.stop()
        raise RuntimeError(f"{self.name} did not start: {why}\n{tail}")

    def stop(self):
        """SIGTERM our own child, wait for a clean exit, SIGKILL only if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()
        if self._log:
            self._log.close()
            self._log = None
            if not os.environ.get("KEEP_SERVER_LOGS"):  # set KEEP_SERVER_LOGS=1 to keep them for debugging
                try:
                    os.unlink(self.log_path)
                except FileNotFoundError:
                    pass
        self.process = None
        if self in _RUNNING:
            _RUNNING.remove(self)

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        raise NotImplementedError


class MotoServer(_Process):
    """moto server (through hack/moto_server.py) on a free loopback port."""

    name = "moto"

    def start(self):
        for _attempt in range(5):
            port = free_port()
            self._spawn([sys.executable, MOTO_LAUNCHER, "-H", LOOPBACK, "-p", str(port)])
            self.url = f"http://{LOOPBACK}:{port}"
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    requests.get(f"{self.url}/moto-api/data.json", timeout=2)
                    return self
                except requests.ConnectionError:
                    time.sleep(0.1)
            if self.process.poll() is None:
                self._fail("no answer within %s s" % START_TIMEOUT)
            self.stop()  # lost the port to someone else: try another
        raise RuntimeError("moto server did not start on any free port")

    def reset(self):
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()


class AtlasSimulator(_Process):
    """The Atlas simulator (tests/simulator/atlas_simulator) on a free loopback port, and its control API."""

    name = "atlas-simulator"

    def __init__(self, aws_endpoint, **options):
        super().__init__()
        self.aws_endpoint = aws_endpoint
        # ca_bundle: how the control API verifies a simulator started with tls_cert/tls_key (HTTPS).
        self.verify = options.pop("ca_bundle", True)
        # env: extra environment of the simulator process, e.g. ATLAS_SIMULATOR_AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY
        # (the moto IAM user it assumes Atlas's role with when moto enforces IAM).
        self.extra_env = options.pop("env", None) or {}
        self.options = options  # e.g. initiating_delay=2.0, passed as --initiating-delay 2.0

    def start(self):
        argv = [sys.executable, "-m", "atlas_simulator", "--host", LOOPBACK, "--port", "0", "--aws-endpoint", self.aws_endpoint]
        for name, value in self.options.items():
            argv += [f"--{name.replace('_', '-')}", str(value)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (SIMULATOR_DIR, os.environ.get("PYTHONPATH")) if p), **self.extra_env)
        self._spawn(argv, env=env)
        ready, _writable, _errors = select.select([self.process.stdout], [], [], START_TIMEOUT)
        line = self.process.stdout.readline().decode("utf-8").strip() if ready else ""
        if not line:
            self._fail("it printed no URL within %s s" % START_TIMEOUT)
        self.url = json.loads(line)["url"]
        return self

    # ---- control API ------------------------------------------------------------------------------------------
    def _control(self, method, path, payload=None):
        answer = requests.request(method, f"{self.url}/_sim/{path}", json=payload, timeout=30, verify=self.verify)
        if answer.status_code != 200:
            raise RuntimeError(f"simulator control {method} /_sim/{path} failed: {answer.status_code} {answer.text}")
        return answer.json()

    def reset(self):
        """Forget every project, key, container, peering, fault and logged request; config back to start-up values."""
        return self._control("POST", "reset")

    def seed(self, document):
        """Add projects, api_keys, service_accounts, containers, peerings, access_list (see docs/simulator.md)."""
        return self._control("POST", "seed", document)

    def config(self, **changes):
        """Change delays, lifetimes or caller_ip; with no arguments just read the config."""
        if changes:
            return self._control("POST", "config", changes)
        return self._control("GET", "config")

    def add_fault(self, method="*", path=".*", kind="status", status=429, retry_after=None, count=1, latency=0.0, token_bucket=False,
                  error_code=None, parameters=None):
        """The next `count` requests matching method and path regex get: kind=status (429/500/503... with an ApiError body,
        `error_code`/`parameters` to choose it), latency (seconds added, then normal handling), or drop (handled and
        committed, then the connection is closed without an answer)."""
        spec = {"method": method, "path": path, "kind": kind, "status": status, "retry_after": retry_after, "count": count,
                "latency": latency, "token_bucket": token_bucket, "error_code": error_code, "parameters": parameters}
        return self._control("POST", "faults", spec)

    def faults(self):
        return self._control("GET", "faults")

    def clear_faults(self):
        return self._control("DELETE", "faults")

    def requests(self):
        """The request log: method, path, query, status, principal, challenge, fault, time."""
        return self._control("GET", "requests")

    def clear_requests(self):
        return self._control("DELETE", "requests")

    def writes(self):
        """Authenticated write attempts (POST/PATCH/PUT/DELETE) to the Atlas API, challenges left out."""
        return [r for r in self.requests() if r["method"] in WRITE_METHODS and r["path"].startswith("/api/atlas/") and not r["challenge"]]

    def state(self):
        return self._control("GET", "state")

    def add_cluster(self, project, name, **fields):
        """Seed a cluster in a project (id or name): `regions` (a list) or `regionName`, `providerName` (AWS, AZURE),
        `instanceSize` (M10...), `mongoDBVersion`, `stateName`, `nodeCount`. A dedicated cluster provisions the container of
        each region (making it with the next free 192.168.x.0/21 if there is none). Returns the cluster."""
        return self._control("POST", "clusters", dict(fields, project=project, name=name))[0]

    def remove_cluster(self, project, name):
        """Remove a seeded cluster; a container no cluster or peering uses any more loses its VPC (vpcId null)."""
        return self._control("DELETE", f"clusters/{quote(project, safe='')}/{quote(name, safe='')}")

    def clusters(self):
        return self._control("GET", "clusters")

    def verify_database_user_password(self, project, username, password, database="admin"):
        """Whether `password` is the database user's (the simulator keeps a salted hash; nothing shows the password)."""
        return self._control("POST", "database_users/verify", {"project": project, "username": username, "password": password,
                                                               "databaseName": database})["match"]


def seed_project(sim, project_name="cloudwire-test"):
    """One project with an owner key and a read-only key; returns the values atlas_env exposes."""
    owner = {"public_key": secrets.token_hex(4), "private_key": secrets.token_hex(16)}
    readonly = {"public_key": secrets.token_hex(4), "private_key": secrets.token_hex(16)}
    made = sim.seed({
        "projects": [{"name": project_name}],
        "api_keys": [dict(owner, roles={project_name: "owner"}), dict(readonly, roles={project_name: "read_only"})],
    })
    return {
        "base_url": sim.url,
        "public_key": owner["public_key"],
        "private_key": owner["private_key"],
        "readonly_public_key": readonly["public_key"],
        "readonly_private_key": readonly["private_key"],
        "project_id": made["projects"][0]["id"],
        "project_name": project_name,
    }


def environment(atlas, aws_endpoint, aws_access_key_id=CUSTOMER_ACCESS_KEY_ID, aws_secret_access_key=CUSTOMER_SECRET_ACCESS_KEY):
    """The variables naming these servers that ansible-playbook (and the Atlas/AWS clients) read; support.playbooks.playbook_env
    adds them to a run's environment."""
    return {
        "MONGODB_ATLAS_BASE_URL": atlas["base_url"],
        "MONGODB_ATLAS_PUBLIC_KEY": atlas["public_key"],
        "MONGODB_ATLAS_PRIVATE_KEY": atlas["private_key"],
        "MONGODB_ATLAS_PROJECT_ID": atlas["project_id"],
        "MONGODB_ATLAS_PROJECT_NAME": atlas["project_name"],
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_ACCESS_KEY_ID": aws_access_key_id,
        "AWS_SECRET_ACCESS_KEY": aws_secret_access_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def fresh_atlas_env(moto, sim, project_name="cloudwire-test", aws_endpoint=None, aws_access_key_id=CUSTOMER_ACCESS_KEY_ID,
                    aws_secret_access_key=CUSTOMER_SECRET_ACCESS_KEY, **extra):
    """Both servers reset, one project seeded with an owner key and a read-only key (seed_project), and what a test needs to
    reach them: the shape of the `atlas_env` fixture. AWS is reached at `aws_endpoint` (moto unless given, e.g. a fault
    proxy in front of it) with the given keys; `extra` entries are added (e.g. proxy=...)."""
    moto.reset()
    sim.reset()
    env = seed_project(sim, project_name)
    env.update({
        "aws_endpoint": aws_endpoint or moto.url,
        "aws_access_key_id": aws_access_key_id,
        "aws_secret_access_key": aws_secret_access_key,
        "aws_account_id": CUSTOMER_ACCOUNT_ID,
        "sim": sim,
        "moto": moto,
    })
    env.update(extra)
    env["env"] = environment(env, env["aws_endpoint"], aws_access_key_id, aws_secret_access_key)
    return env


def serve(argv):
    parser = argparse.ArgumentParser(prog="python -m support.servers serve", description="moto + Atlas simulator with a seeded demo project")
    parser.add_argument("--project-name", default="cloudwire-demo")
    parser.add_argument("--env-file", help="also write the environment here as KEY=VALUE lines")
    parser.add_argument("--initiating-delay", type=float, default=2.0)
    parser.add_argument("--finalizing-delay", type=float, default=3.0)
    parser.add_argument("--terminating-delay", type=float, default=2.0)
    parser.add_argument("--access-list-delay", type=float, default=2.0)
    args = parser.parse_args(argv)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    with MotoServer() as moto:
        with AtlasSimulator(moto.url, initiating_delay=args.initiating_delay, finalizing_delay=args.finalizing_delay,
                            terminating_delay=args.terminating_delay, access_list_delay=args.access_list_delay) as sim:
            env = environment(seed_project(sim, args.project_name), moto.url)
            lines = [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
            if args.env_file:
                with open(args.env_file, "w", encoding="utf-8") as env_file:
                    env_file.write("".join(f"{key}={value}\n" for key, value in env.items()))
            print("\n".join(lines), flush=True)
            print(f"# simulator control API: {sim.url}/_sim/ ; moto: {moto.url} ; stop with SIGTERM or Ctrl-C", flush=True)
            stopped.wait()
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "serve":
        sys.exit("usage: PYTHONPATH=tests python -m support.servers serve [--env-file PATH] [--project-name NAME] [--*-delay SECONDS]")
    sys.exit(serve(sys.argv[2:]))
