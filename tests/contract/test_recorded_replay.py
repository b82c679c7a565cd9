"""Every file of the recorded Atlas corpus (tests/contract/recorded/) replayed against the simulator, one test per file.

For each file: set up, through the control API, the state the recording implies (the project, its key, the containers,
clusters and entries the answer shows, the rate-limit bucket one request above the recorded Remaining); send the recorded
request (method, path, query, headers, body) with real digest auth; compare the status, every header the file names, and
the body after masking what differs by nature (hosts, ids, Atlas VPC ids, creation times, random name suffixes).

A file that cannot be replayed is in NOT_REPLAYED with its reason, and a test proves the reason (the simulator does not
serve that endpoint). Where the simulator answers a newer Atlas than an old recording, RECORDED_DRIFT says so per file.
"""

import datetime
import json
import os
import re
import secrets

import pytest
import requests
from requests.auth import HTTPDigestAuth

from support.atlas import recorded
from support.paths import RECORDED_DIR

ALL_FILES = sorted(name for name in os.listdir(RECORDED_DIR) if name.endswith(".json"))
V1_REASON = "/api/atlas/v1.0 is not served (the collection calls only v2)"
NOT_REPLAYED = {
    "containers-list-v1-1.json": V1_REASON + "; and its body is the CLI's re-serialised results[], not an HTTP answer",
    "containers-list-v1-2.json": V1_REASON + "; and its body is partial (a user pasted only results)",
    "peers-get-v1-400-1.json": (V1_REASON + "; its finding, 400 PATH_PARAM_PARSE_ERROR for a malformed peer id, is asserted on v2 "
                                "by tests/simulator/test_sim_groups.py"),
    "peers-list-v1-1.json": V1_REASON + "; and its body is the CLI's re-serialised results[] (omitempty), not an HTTP answer",
    "other-groups-create-1.json": "POST /groups is not served: creating projects is no operation of the collection",
    "other-groups-delete-1.json": "DELETE /groups/{groupId} is not served: deleting projects is no operation of the collection",
    "other-groups-delete-409-1.json": "DELETE /groups/{groupId} is not served: deleting projects is no operation of the collection",
    "other-liveMigrations-linkTokens-delete-404-1.json": "/orgs/{orgId}/liveMigrations is not served",
    "other-onlineArchives-pause-409-1.json": "/groups/{groupId}/clusters/{name}/onlineArchives is not served",
}
REPLAYED = [name for name in ALL_FILES if name not in NOT_REPLAYED]
# Files recorded before Atlas changed: (key the simulator adds, why). The test checks the difference is still there.
RECORDED_DRIFT = {
    "groups-get-2.json": ("withDefaultAlertsSettings", "captured in Dec 2024, before GET /groups/{groupId} returned it; "
                          "groups-get-1.json (Aug 2026) has it"),
}
# How each replayed request authenticates when it is not with the project's key.
AUTHENTICATION = {
    "accessList-create-401-1.json": "none",       # the first, unauthenticated leg of digest auth: the challenge
    "other-databaseUsers-create-401-1.json": "unknown key",  # TestSetupFailureFlow/Invalid_Public_Key
}
# Headers a file names that the simulator does not reproduce, and why.
IGNORED_HEADERS = {
    "date": "the time of the answer",
    "server": "Atlas's web server (mdbws)",
    "x-java-method": "the name of Atlas's Java resource method",
    "x-mongodb-service-version": "the git hash of Atlas's build",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TEMPLATE_GROUP_ID = "{groupId}"  # how the Terraform recorder masked the project id in paths and bodies


def project_id_of(recording):
    """The recorded project id, or a new one where the recorder masked it as `{groupId}` or the path names none."""
    match = re.search(r"/groups/([^/]+)", recording["path"])
    return secrets.token_hex(12) if match is None or match.group(1) == TEMPLATE_GROUP_ID else match.group(1)


def capture_year(recording):
    captured = recording["source"].get("captured_at")
    return int(captured.split()[3]) if captured else None


def with_project_id(value, gid):
    """The recording with the Terraform recorder's `{groupId}` put back as the seeded project's id."""
    return json.loads(json.dumps(value).replace(TEMPLATE_GROUP_ID, gid))


# ---- the state a recording implies ---------------------------------------------------------------------------------

def entry_seed(entry):
    seed = {key: entry[key] for key in ("comment",) if key in entry}
    for key in ("ipAddress", "awsSecurityGroup", "cidrBlock"):
        if key in entry:
            seed[key] = entry[key]
            break
    return seed


def implied_state(name, recording, gid):
    """The seed document that puts the simulator where Atlas was when it gave this answer."""
    body = recording["response_body"]
    project = {"id": gid, "name": f"replay-{gid[:8]}"}
    if isinstance(body, dict) and body.get("errorCode") == "GROUP_NOT_FOUND":
        project["id"] = secrets.token_hex(12)  # the answer is about a project Atlas does not have: the key's is another one
    state = {"projects": [project]}
    if name.startswith("groups-get"):
        project.update(name=body["name"], orgId=body["orgId"], tags=body["tags"])
    elif name.startswith("accessList-list"):
        state["access_list"] = [{"project": gid, "entries": [entry_seed(e) for e in body["results"]]}]
    elif name.startswith("accessList-get"):
        state["access_list"] = [{"project": gid, "entries": [entry_seed(body)]}]
    elif name.startswith("accessList-delete"):
        state["access_list"] = [{"project": gid, "entries": [{"ipAddress": recording["path"].rsplit("/", 1)[1]}]}]
    elif name.startswith("containers-list"):
        for container in body["results"]:
            if container["providerName"] == "AWS":
                state.setdefault("containers", []).append({"project": gid, "regionName": container["regionName"],
                                                           "atlasCidrBlock": container["atlasCidrBlock"]})
            if container["provisioned"]:
                # Provisioned = a dedicated cluster runs there (containers-list-7.json: without one it is not); an Azure
                # container exists only with its cluster.
                region = container.get("regionName") or container["region"]
                state.setdefault("clusters", []).append({"project": gid, "name": f"c-{region.lower().replace('_', '-')}",
                                                         "providerName": container["providerName"], "regionName": region})
    remaining = {k.lower(): v for k, v in recording["response_headers"].items()}.get("ratelimit-remaining")
    if remaining is not None:
        endpoint_set = next((name for name in ("accessList", "containers", "clusters", "databaseUsers") if f"/{name}" in recording["path"]),
                            "group")
        state["rate_limits"] = [{"project": gid, "endpoint_set": endpoint_set, "remaining": int(remaining) + 1}]
    return state


def future_timestamps(value, now):
    """Recorded timestamps in a request (deleteAfterDate) are in the past by now: each gets a time in the next day."""
    found = sorted({v for v in walk_strings(value) if TIMESTAMP.match(v)})
    return {old: (now + datetime.timedelta(hours=1, minutes=index)).strftime("%Y-%m-%dT%H:%M:%SZ") for index, old in enumerate(found)}


def walk_strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)
    elif isinstance(value, str):
        yield value


def replace_strings(value, mapping):
    if isinstance(value, dict):
        return {key: replace_strings(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [replace_strings(item, mapping) for item in value]
    return mapping.get(value, value) if isinstance(value, str) else value


# ---- masking: what differs by nature between two Atlases ---------------------------------------------------------

class Masker:
    """Hosts to <host>; ObjectIds, Atlas VPC ids and times to numbered tokens in order of first appearance, so the same
    value in two places must stay the same value; a vnet name's random suffix to <suffix>."""

    def __init__(self, keep=()):
        self.tokens = {}
        self.keep = set(keep)  # values compared as they are (the timestamps the replay itself sent)

    def _token(self, kind, value):
        return self.tokens.setdefault((kind, value), f"<{kind}:{sum(1 for k, _v in self.tokens if k == kind) + 1}>")

    def string(self, text):
        if text in self.keep:
            return text
        text = re.sub(r"^https?://[^/]+", "<host>", text)
        text = re.sub(r"vpc-[0-9a-f]{17}\b", lambda m: self._token("vpc", m.group(0)), text)
        text = re.sub(r"(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])", lambda m: self._token("id", m.group(0)), text)
        text = re.sub(r"^(vnet_<id:\d+>_)[a-z0-9]{8}$", r"\1<suffix>", text)
        return self._token("time", text) if TIMESTAMP.match(text) else text

    def __call__(self, value):
        if isinstance(value, dict):
            return {key: self(value[key]) for key in sorted(value)}
        if isinstance(value, list):
            return [self(item) for item in value]
        return self.string(value) if isinstance(value, str) else value


def jackson_pretty(body):
    """How Atlas's digest filter writes its body (Jackson's default pretty printer), from the recorded keys in order."""
    return "{\n" + ",\n".join(f"  {json.dumps(key)} : {json.dumps(value)}" for key, value in body.items()) + "\n}"


# ---- the replay ---------------------------------------------------------------------------------------------------

def send(base_url, recording, gid, auth, timestamps):
    """The recorded request, with the Terraform recorder's `{groupId}` and the query it did not keep filled back in."""
    query = list(recording["query"].items())
    body = recording["response_body"]
    self_links = [link["href"] for link in body.get("links", []) if link.get("rel") == "self"] if isinstance(body, dict) else []
    if self_links and "?" in self_links[0]:
        # The Terraform recorder kept only configured query variables (query_note); the self link shows what was sent.
        sent = dict(query)
        query = [tuple(pair.split("=", 1)) for pair in self_links[0].split("?", 1)[1].split("&")]
        assert all(sent.get(k, v) == v for k, v in query) and set(sent) <= {k for k, _v in query}, (recording["query"], self_links[0])
    request_body = recording["request_body"]
    data = None if request_body is None else json.dumps(replace_strings(with_project_id(request_body, gid), timestamps))
    return requests.request(recording["method"], base_url + recording["path"].replace(TEMPLATE_GROUP_ID, gid), params=query, data=data,
                            headers=dict(recording["request_headers"]), auth=auth, timeout=30)


def authentication(name, atlas_env, key):
    how = AUTHENTICATION.get(name, "project key")
    if how == "none":
        return None
    if how == "unknown key":
        return HTTPDigestAuth("unknownk", secrets.token_hex(16))
    return HTTPDigestAuth(key["public_key"], key["private_key"])


def check_headers(name, recording, answer):
    ours = {k.lower(): v for k, v in answer.headers.items()}
    named = {k.lower(): v for k, v in recording["response_headers"].items()}
    named.update({k.lower(): v for k, v in recording["source"].get("other_response_headers", {}).items()})
    for header, value in named.items():
        if header in IGNORED_HEADERS:
            continue
        assert header in ours, f"{name}: the simulator sent no {header} (recorded {value!r})"
        if header == "www-authenticate":
            assert re.sub(r'nonce="[^"]*"', 'nonce="<nonce>"', ours[header]) == re.sub(r'nonce="[^"]*"', 'nonce="<nonce>"', value), name
        else:
            assert ours[header] == value, f"{name}: {header} is {ours[header]!r}, recorded {value!r}"
    if "other_response_headers" in recording["source"] and capture_year(recording) >= 2026:
        # A full capture of today's Atlas: what it did not send, the simulator must not send either.
        for header in ("ratelimit-limit", "ratelimit-remaining", "x-error-code", "www-authenticate"):
            assert header in named or header not in ours, f"{name}: the simulator sent {header} where Atlas sent none"


def expected_body(name, recording, ours, gid, timestamps):
    body = replace_strings(with_project_id(recording["response_body"], gid), timestamps)
    if name in RECORDED_DRIFT:
        key, _why = RECORDED_DRIFT[name]
        assert key not in body and key in ours, f"{name}: the drift '{key}' is gone: drop it from RECORDED_DRIFT"
        ours = {k: v for k, v in ours.items() if k != key}
    return body, ours


def replay(name, atlas_env):
    recording = recorded(name)
    sim = atlas_env["sim"]
    gid = project_id_of(recording)
    state = implied_state(name, recording, gid)
    key = {"public_key": secrets.token_hex(4), "private_key": secrets.token_hex(16)}
    state["api_keys"] = [dict(key, roles={state["projects"][0]["id"]: "owner"})]
    sim.seed(state)
    timestamps = future_timestamps(recording["request_body"], datetime.datetime.now(datetime.timezone.utc))
    answer = send(atlas_env["base_url"], recording, gid, authentication(name, atlas_env, key), timestamps)
    return recording, gid, timestamps, answer


@pytest.mark.parametrize("name", REPLAYED)
def test_recorded_answer_replays(name, atlas_env):
    recording, gid, timestamps, answer = replay(name, atlas_env)
    assert answer.status_code == recording["status"], answer.text
    check_headers(name, recording, answer)
    if recording["response_body"] is None:
        assert answer.content == b""
        return
    if recording["status"] == 401:
        assert answer.text == jackson_pretty(recording["response_body"])  # byte for byte, Jackson's spacing and key order
        return
    expected, ours = expected_body(name, recording, answer.json(), gid, timestamps)
    assert Masker(keep=timestamps.values())(ours) == Masker(keep=timestamps.values())(expected)


def test_every_file_is_replayed_or_listed_with_its_reason():
    assert set(NOT_REPLAYED) <= set(ALL_FILES), set(NOT_REPLAYED) - set(ALL_FILES)
    assert len(REPLAYED) + len(NOT_REPLAYED) == len(ALL_FILES) == 37
    assert all(reason.strip() for reason in NOT_REPLAYED.values())
    assert set(RECORDED_DRIFT) | set(AUTHENTICATION) <= set(REPLAYED)


@pytest.mark.parametrize("name", sorted(NOT_REPLAYED))
def test_a_listed_file_names_an_endpoint_the_simulator_does_not_serve(name, atlas_env):
    recording = recorded(name)
    gid = project_id_of(recording)
    key = {"public_key": secrets.token_hex(4), "private_key": secrets.token_hex(16)}
    atlas_env["sim"].seed({"projects": [{"id": gid, "name": f"listed-{gid[:8]}"}], "api_keys": [dict(key, roles={gid: "owner"})]})
    path = recording["path"].replace(TEMPLATE_GROUP_ID, gid).replace("a0123456789abcdef012345a", secrets.token_hex(12))
    answer = requests.request(recording["method"], atlas_env["base_url"] + path, auth=HTTPDigestAuth(key["public_key"], key["private_key"]),
                              headers={"Accept": recording["request_headers"].get("Accept", "application/json")}, timeout=30)
    body = answer.json()
    # 404 for a path the simulator has no route for, 405 for a method it does not serve on a path it has.
    assert answer.status_code in (404, 405) and body["errorCode"] == "RESOURCE_NOT_FOUND", (name, answer.text)
    assert body["parameters"] == [path.split("?", 1)[0]]


def test_the_access_list_session_replays_in_recorded_order(atlas_env):
    """TestAccessList's eight access-list answers for one project, in the order Atlas gave them, with no state set up but
    the project: the entries come and go as recorded and Ratelimit-Remaining falls 1199 ... 1192 across POST, GET, DELETE."""
    session = [recorded(name) for name in REPLAYED if name.startswith("accessList-")]
    gid = "6a793f62c0eb9e7a1771502a"

    def captured(recording):
        return datetime.datetime.strptime(recording["source"]["captured_at"], "%a, %d %b %Y %H:%M:%S GMT")

    session = sorted((r for r in session if gid in r["path"]), key=captured)
    assert len(session) == 8
    key = {"public_key": secrets.token_hex(4), "private_key": secrets.token_hex(16)}
    atlas_env["sim"].seed({"projects": [{"id": gid, "name": "accessList-e2e-149"}], "api_keys": [dict(key, roles={gid: "owner"})]})
    auth = HTTPDigestAuth(key["public_key"], key["private_key"])
    now = datetime.datetime.now(datetime.timezone.utc)
    for recording in session:
        timestamps = future_timestamps(recording["request_body"], now)
        answer = send(atlas_env["base_url"], recording, gid, auth, timestamps)
        assert answer.status_code == recording["status"], (recording["source"]["test"], answer.text)
        assert answer.headers["RateLimit-Remaining"] == recording["response_headers"]["Ratelimit-Remaining"], recording["source"]["test"]
        if recording["response_body"] is not None:
            expected = replace_strings(recording["response_body"], timestamps)
            assert Masker(keep=timestamps.values())(answer.json()) == Masker(keep=timestamps.values())(expected), recording["source"]["test"]
