"""Faults injected through the control API: 429 (with and without Retry-After, token-bucket body), 5xx, latency,
and a connection dropped after the write was committed. Each applies to the next N matching requests only."""

import time

import pytest
import requests

from simulator_helpers import assert_error


def test_429_with_retry_after_then_normal(api, gid, atlas_env):
    sim = atlas_env["sim"]
    sim.add_fault(method="GET", path=r"/peers$", status=429, retry_after=3, count=2)
    for _attempt in range(2):
        body = assert_error(api.get(f"/groups/{gid}/peers"), 429, "RATE_LIMITED")
        assert body["reason"] == "Too Many Requests"
    assert api.get(f"/groups/{gid}/peers").status_code == 200
    log = [r for r in sim.requests() if not r["challenge"]]
    assert [(r["status"], r["fault"]) for r in log] == [(429, 429), (429, 429), (200, None)]
    assert sim.faults() == []


def test_429_headers_and_token_bucket_body(api, gid, atlas_env):
    sim = atlas_env["sim"]
    sim.add_fault(path="/containers", status=429, retry_after=5, token_bucket=True)
    sim.add_fault(path="/containers", status=429)
    first = api.get(f"/groups/{gid}/containers")
    assert first.headers["Retry-After"] == "5"
    assert (first.headers["RateLimit-Limit"], first.headers["RateLimit-Remaining"]) == ("10", "0")
    body = assert_error(first, 429, "RATE_LIMITED_TOKEN_BUCKET")
    assert body["parameters"][1] == 5 and body["detail"].startswith("Rate limit exceeded for api/atlas/v2/groups/")
    second = api.get(f"/groups/{gid}/containers")
    assert second.status_code == 429 and "Retry-After" not in second.headers


@pytest.mark.parametrize("status, code", [(500, "UNEXPECTED_ERROR"), (503, "SERVICE_UNAVAILABLE"), (502, "UNEXPECTED_ERROR")])
def test_server_errors_do_not_commit(api, gid, atlas_env, status, code):
    atlas_env["sim"].add_fault(method="POST", path="/accessList", status=status)
    assert_error(api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]), status, code)
    assert api.get(f"/groups/{gid}/accessList").json()["totalCount"] == 0
    assert api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]).json()["totalCount"] == 1


def test_fault_matches_method_and_path_only(api, gid, atlas_env):
    atlas_env["sim"].add_fault(method="DELETE", path="/accessList/", status=500)
    assert api.get(f"/groups/{gid}/accessList").status_code == 200
    assert api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]).status_code == 201  # recorded: accessList-create-1.json
    assert api.delete(f"/groups/{gid}/accessList/1.2.3.4").status_code == 500
    assert api.delete(f"/groups/{gid}/accessList/1.2.3.4").status_code == 204


def test_latency(api, gid, atlas_env):
    atlas_env["sim"].add_fault(method="GET", path="/peers", kind="latency", latency=0.6)
    started = time.monotonic()
    assert api.get(f"/groups/{gid}/peers").status_code == 200
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    assert api.get(f"/groups/{gid}/peers").status_code == 200
    assert time.monotonic() - started < 0.5
    with pytest.raises(requests.Timeout):
        atlas_env["sim"].add_fault(method="GET", path="/peers", kind="latency", latency=1.0)
        api.get(f"/groups/{gid}/peers", timeout=0.3)


def test_drop_after_commit(api, gid, atlas_env):
    sim = atlas_env["sim"]
    sim.add_fault(method="POST", path="/containers$", kind="drop")
    with pytest.raises(requests.ConnectionError):
        api.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": "10.8.0.0/21", "regionName": "US_EAST_1"})
    # The write happened although no answer came back.
    containers = api.get(f"/groups/{gid}/containers").json()["results"]
    assert [c["atlasCidrBlock"] for c in containers] == ["10.8.0.0/21"]
    assert [(r["method"], r["status"], r["fault"]) for r in sim.writes()] == [("POST", None, "drop")]


def test_faults_on_the_token_endpoint(atlas_env):
    sim = atlas_env["sim"]
    made = sim.seed({"service_accounts": [{"client_secret": "s", "roles": {atlas_env["project_name"]: "owner"}}]})
    client_id = made["service_accounts"][0]["client_id"]
    sim.add_fault(method="POST", path="^/api/oauth/token$", status=429, retry_after=1)
    url = f"{atlas_env['base_url']}/api/oauth/token"
    first = requests.post(url, auth=(client_id, "s"), data={"grant_type": "client_credentials"}, timeout=10)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert requests.post(url, auth=(client_id, "s"), data={"grant_type": "client_credentials"}, timeout=10).status_code == 200


def test_request_log_and_clearing(api, gid, atlas_env):
    sim = atlas_env["sim"]
    api.get(f"/groups/{gid}/peers", params={"itemsPerPage": 5})
    log = sim.requests()
    assert log[-1]["path"] == f"/api/atlas/v2/groups/{gid}/peers" and log[-1]["query"] == "itemsPerPage=5"
    assert set(log[-1]) >= {"method", "path", "query", "status", "principal", "challenge", "time"}
    sim.clear_requests()
    assert sim.requests() == []
    sim.add_fault(count=3)
    assert sim.faults()[0]["remaining"] == 3
    sim.clear_faults()
    assert sim.faults() == []


def test_fault_with_a_chosen_error_code(api, gid, atlas_env):
    atlas_env["sim"].add_fault(method="POST", path="/accessList$", status=409, error_code="PEER_ALREADY_REQUESTED_DELETION", parameters=["x"])
    body = assert_error(api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]), 409, "PEER_ALREADY_REQUESTED_DELETION", ["x"])
    assert body["detail"] == "The peer with ID x has already been requested for deletion."
    atlas_env["sim"].add_fault(method="GET", status=400, error_code="SOMETHING_NEW")
    assert assert_error(api.get(f"/groups/{gid}/peers"), 400, "SOMETHING_NEW")["detail"] == "Injected fault."
