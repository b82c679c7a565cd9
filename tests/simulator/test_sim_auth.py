"""Authentication and authorisation as Atlas does them: digest challenges and nonces, service-account tokens,
key roles per project, the API access list, and the versioned media type."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requests.auth import HTTPDigestAuth

from simulator_helpers import assert_error
from support.atlas import SUCCESS_TYPE, VERSIONED, AtlasSession, recorded


def challenges(sim):
    return [r for r in sim.requests() if r["challenge"]]


def test_first_request_is_challenged_exactly_as_atlas_does(atlas_env, gid):
    answer = requests.get(f"{atlas_env['base_url']}/api/atlas/v2/groups/{gid}/peers", headers={"Accept": VERSIONED}, timeout=10)
    assert answer.status_code == 401
    header = answer.headers["WWW-Authenticate"]
    assert header.startswith('Digest realm="MMS Public API", domain="", nonce="')
    assert header.endswith('", algorithm=MD5, qop="auth", stale=false')
    # The body is Atlas's, not FACTS.md's code-less one: errorCode UNEXPECTED_ERROR, pretty-printed, no X-Error-Code header
    # (recorded: accessList-create-401-1.json).
    refused = recorded("accessList-create-401-1.json")
    assert answer.json() == refused["response_body"]
    assert list(answer.json()) == list(refused["response_body"])  # Jackson's own key order, unlike every other body
    assert answer.text.startswith('{\n  "error" : 401,\n') and answer.headers["Content-Type"] == "application/json"
    assert "X-Error-Code" not in answer.headers
    log = atlas_env["sim"].requests()
    assert [(r["status"], r["challenge"], r["principal"]) for r in log] == [(401, True, None)]


def test_one_nonce_serves_many_requests(api, gid, atlas_env):
    for _attempt in range(5):
        assert api.get(f"/groups/{gid}/peers").status_code == 200
    assert api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]).status_code == 201  # accessList-create-1.json
    log = atlas_env["sim"].requests()
    assert len(log) == 7
    assert len(challenges(atlas_env["sim"])) == 1
    assert {r["principal"] for r in log if not r["challenge"]} == {atlas_env["public_key"]}


def test_expired_nonce_gets_stale_true_and_the_client_recovers(api, gid, atlas_env):
    sim = atlas_env["sim"]
    sim.config(nonce_lifetime=1.0)
    assert api.get(f"/groups/{gid}/peers").status_code == 200
    time.sleep(1.2)
    answer = api.get(f"/groups/{gid}/peers")
    assert answer.status_code == 200
    assert [r.status_code for r in answer.history] == [401]
    assert answer.history[0].headers["WWW-Authenticate"].endswith("stale=true")
    assert len(challenges(sim)) == 2


def test_replayed_nonce_count_is_refused(atlas_env, gid):
    url = f"{atlas_env['base_url']}/api/atlas/v2/groups/{gid}/peers"
    auth = HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"])
    first = requests.get(url, auth=auth, headers={"Accept": VERSIONED}, timeout=10)
    assert first.status_code == 200
    replay = requests.get(url, headers={"Accept": VERSIONED, "Authorization": first.request.headers["Authorization"]}, timeout=10)
    assert replay.status_code == 401
    assert replay.headers["WWW-Authenticate"].endswith("stale=true")


@pytest.mark.parametrize("which", ["wrong_password", "unknown_key"])
def test_bad_credentials_get_a_new_challenge_not_access(atlas_env, gid, which):
    user = atlas_env["public_key"] if which == "wrong_password" else "nobodyxx"
    with AtlasSession(atlas_env["base_url"], HTTPDigestAuth(user, "not-the-key")) as session:
        answer = session.get(f"/groups/{gid}/peers")
    assert answer.status_code == 401
    assert "stale=false" in answer.headers["WWW-Authenticate"]
    assert all(r["status"] == 401 for r in atlas_env["sim"].requests())
    # A refused key gets the challenge's very bytes (recorded: other-databaseUsers-create-401-1.json, its notes).
    assert [r.status_code for r in answer.history] == [401] and answer.text == answer.history[0].text
    assert answer.json() == recorded("other-databaseUsers-create-401-1.json")["response_body"]


def test_read_only_key_reads_but_cannot_write(readonly_api, gid):
    assert readonly_api.get(f"/groups/{gid}/containers").status_code == 200
    answer = readonly_api.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": "10.8.0.0/21", "regionName": "US_EAST_1"})
    body = assert_error(answer, 401, "USER_UNAUTHORIZED", [])
    assert body["detail"] == "Current user is not authorized to perform this action."
    assert_error(readonly_api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]), 401, "USER_UNAUTHORIZED")


def test_key_outside_the_project_and_unknown_projects(atlas_env, api, gid):
    sim = atlas_env["sim"]
    sim.seed({"projects": [{"name": "other"}]})
    other = sim.state()["projects"][-1]
    assert_error(api.get(f"/groups/{other['id']}/peers"), 401, "NOT_IN_GROUP")
    assert_error(api.get("/groups/byName/other"), 401, "NOT_IN_GROUP")
    assert_error(api.get("/groups/0123456789abcdef01234567/peers"), 404, "GROUP_NOT_FOUND", ["0123456789abcdef01234567"])
    body = assert_error(api.get("/groups/byName/nope"), 404, "GROUP_NAME_NOT_FOUND", ["nope"])
    assert body["detail"] == 'No group with name "nope" exists.'
    assert api.get(f"/groups/byName/{atlas_env['project_name']}").json()["id"] == gid


def test_api_access_list_refuses_callers_not_on_it(atlas_env):
    sim = atlas_env["sim"]
    sim.seed({"api_keys": [{"public_key": "fencedky", "private_key": "fenced-secret", "roles": {atlas_env["project_name"]: "owner"},
                            "access_list": ["10.9.9.9/32"]}]})
    with AtlasSession(atlas_env["base_url"], HTTPDigestAuth("fencedky", "fenced-secret")) as session:
        body = assert_error(session.get(f"/groups/{atlas_env['project_id']}/peers"), 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", ["127.0.0.1"])
        assert body["detail"] == "IP address 127.0.0.1 is not allowed to access this resource."
        sim.config(caller_ip="10.9.9.9")
        assert session.get(f"/groups/{atlas_env['project_id']}/peers").status_code == 200
        sim.config(caller_ip="10.9.9.10")
        assert_error(session.get(f"/groups/{atlas_env['project_id']}/peers"), 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", ["10.9.9.10"])


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "application/vnd.atlas.2022-12-31+json", "application/vnd.atlas.2099-01-01+json"])
def test_missing_or_wrong_version_is_406(atlas_env, gid, accept):
    auth = HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"])
    with AtlasSession(atlas_env["base_url"], auth, accept=accept) as session:
        if accept is None:
            session.headers.pop("Accept", None)
        answer = session.get(f"/groups/{gid}/peers")
    assert answer.status_code == 406
    assert answer.json() == {"detail": "Invalid accept header or version date.", "error": 406, "errorCode": "INVALID_VERSION_DATE",
                             "parameters": [], "reason": "Not Acceptable"}


def test_later_known_version_resolves_to_2023_01_01(atlas_env, gid):
    auth = HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"])
    with AtlasSession(atlas_env["base_url"], auth, accept="application/vnd.atlas.2025-03-12+json") as session:
        answer = session.get(f"/groups/{gid}/peers")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == SUCCESS_TYPE  # with charset (recorded: accessList-list-1.json)


def assert_refused(answer):
    """Atlas's authentication filter: 401 with no errorCode and no challenge for a bearer token."""
    assert answer.status_code == 401
    assert answer.json() == {"detail": "You are not authorized for this resource.", "error": 401, "reason": "Unauthorized"}
    assert "WWW-Authenticate" not in answer.headers


def get_token(base_url, client_id, secret):
    return requests.post(f"{base_url}/api/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"},
                         headers={"Accept": "application/json"}, timeout=10)


def bearer_session(base_url, token):
    session = AtlasSession(base_url)
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_service_account_token_works_until_it_expires(atlas_env, gid):
    sim = atlas_env["sim"]
    made = sim.seed({"service_accounts": [{"client_secret": "sa-secret", "roles": {atlas_env["project_name"]: "owner"}}]})
    client_id = made["service_accounts"][0]["client_id"]
    assert client_id.startswith("mdb_sa_id_") and len(client_id) == len("mdb_sa_id_") + 24
    sim.config(token_lifetime=2)
    answer = get_token(atlas_env["base_url"], client_id, "sa-secret")
    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 2 and token["access_token"]
    with bearer_session(atlas_env["base_url"], token["access_token"]) as session:
        assert session.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]).status_code == 201  # accessList-create-1.json
        time.sleep(2.2)
        assert_refused(session.get(f"/groups/{gid}/peers"))
    assert [r["principal"] for r in sim.requests()][:2] == [client_id, client_id]


def test_token_endpoint_refuses_bad_client_and_grant(atlas_env):
    made = atlas_env["sim"].seed({"service_accounts": [{"client_secret": "sa-secret", "roles": {atlas_env["project_name"]: "read_only"}}]})
    client_id = made["service_accounts"][0]["client_id"]
    assert get_token(atlas_env["base_url"], client_id, "wrong").status_code == 401
    answer = requests.post(f"{atlas_env['base_url']}/api/oauth/token", auth=(client_id, "sa-secret"), data={"grant_type": "password"}, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"
    with bearer_session(atlas_env["base_url"], "made-up-token") as session:
        assert_refused(session.get(f"/groups/{atlas_env['project_id']}/peers"))


def test_read_only_service_account_and_its_access_list(atlas_env, gid):
    sim = atlas_env["sim"]
    made = sim.seed({"service_accounts": [{"client_secret": "s", "roles": {atlas_env["project_name"]: "read_only"}, "access_list": ["10.1.0.0/16"]}]})
    client_id = made["service_accounts"][0]["client_id"]
    # Tokens can be made from anywhere; using them is what the access list guards.
    token = get_token(atlas_env["base_url"], client_id, "s").json()["access_token"]
    with bearer_session(atlas_env["base_url"], token) as session:
        assert_error(session.get(f"/groups/{gid}/peers"), 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", ["127.0.0.1"])
        sim.config(caller_ip="10.1.2.3")
        assert session.get(f"/groups/{gid}/peers").status_code == 200
        assert_error(session.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}]), 401, "USER_UNAUTHORIZED")


def test_revoked_token_is_refused(atlas_env, gid):
    made = atlas_env["sim"].seed({"service_accounts": [{"client_secret": "s", "roles": {atlas_env["project_name"]: "owner"}}]})
    client_id = made["service_accounts"][0]["client_id"]
    token = get_token(atlas_env["base_url"], client_id, "s").json()["access_token"]
    revoked = requests.post(f"{atlas_env['base_url']}/api/oauth/revoke", auth=(client_id, "s"),
                            data={"token": token, "token_type_hint": "access_token"}, timeout=10)
    assert revoked.status_code == 200
    with bearer_session(atlas_env["base_url"], token) as session:
        assert_refused(session.get(f"/groups/{gid}/peers"))


def test_concurrent_clients_each_with_their_own_nonce(atlas_env, gid):
    def work(_index):
        with AtlasSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"])) as session:
            return [session.get(f"/groups/{gid}/peers").status_code for _attempt in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [[200] * 5] * 8
    assert len(challenges(atlas_env["sim"])) == 8
