"""The simulator as a process: loopback only, clean exit on SIGTERM/SIGINT, and the `support.servers serve` demo command."""

import os
import signal
import socket
import subprocess
import sys
import time

import requests

from support.paths import REPO_ROOT, SIMULATOR_DIR, TESTS_DIR
from support.servers import AtlasSimulator


def test_binds_loopback_only_and_stops_cleanly_on_sigterm(moto_server):
    sim = AtlasSimulator(aws_endpoint=moto_server.url).start()
    try:
        assert sim.url.startswith("http://127.0.0.1:")
        assert requests.get(f"{sim.url}/_sim/health", timeout=5).json() == {"ok": True}
        port = int(sim.url.rsplit(":", 1)[1])
        connections = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=False).stdout
        if connections:  # ss may be missing; when present, the only listener is on 127.0.0.1
            assert all("127.0.0.1:" in line for line in connections.splitlines())
        process = sim.process
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        sim.stop()


def test_refuses_to_bind_anything_but_loopback(moto_server):
    env = dict(os.environ, PYTHONPATH=SIMULATOR_DIR)
    answer = subprocess.run([sys.executable, "-m", "atlas_simulator", "--host", "0.0.0.0", "--aws-endpoint", moto_server.url],
                            capture_output=True, text=True, env=env, timeout=30, check=False)
    assert answer.returncode != 0 and "invalid choice" in answer.stderr


def test_sigint_also_stops_it(moto_server):
    sim = AtlasSimulator(aws_endpoint=moto_server.url).start()
    try:
        sim.process.send_signal(signal.SIGINT)
        assert sim.process.wait(timeout=10) == 0
    finally:
        sim.stop()


def test_serve_command_prints_the_environment_and_stops_both_servers(tmp_path):
    env_file = tmp_path / "demo.env"
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-m", "support.servers", "serve", "--env-file", str(env_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=TESTS_DIR))
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line.strip())
            if line.startswith("# simulator control API"):
                break
        exported = dict(line[len("export "):].split("=", 1) for line in lines if line.startswith("export "))
        assert set(exported) >= {"MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "AWS_ENDPOINT_URL",
                                 "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MONGODB_ATLAS_PROJECT_ID"}
        written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert written["MONGODB_ATLAS_BASE_URL"] == exported["MONGODB_ATLAS_BASE_URL"]
        base, moto_url = written["MONGODB_ATLAS_BASE_URL"], written["AWS_ENDPOINT_URL"]
        state = requests.get(f"{base}/_sim/state", timeout=5).json()
        assert [p["name"] for p in state["projects"]] == ["cloudwire-demo"]
        assert state["config"]["initiating_delay"] == 2.0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        for url in (base, moto_url):
            host, port = url.replace("http://", "").split(":")
            with socket.socket() as probe:
                assert probe.connect_ex((host, int(port))) != 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
