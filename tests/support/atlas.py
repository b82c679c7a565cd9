"""The Atlas side of the tests: HTTP sessions on the simulator's Atlas API, operator calls, the recorded corpus.

    with AtlasSession(atlas_env["base_url"], digest_auth(atlas_env)) as api: api.get(f"/groups/{gid}/peers")
    atlas_api(atlas_env, "DELETE", f"/groups/{gid}/accessList/10.30.0.0%2F16")   # an operator's hand edit (asserts 2xx)
    recorded("groups-get-1.json")                                                  # tests/contract/recorded/<name>, parsed
    wait_until("the peering to be gone", lambda: ... is None, timeout=60)
"""

import json
import os
import time

import requests
from requests.auth import HTTPDigestAuth

from support.paths import RECORDED_DIR

VERSIONED = "application/vnd.atlas.2023-01-01+json"
# What Atlas answers successes with (recorded: tests/contract/recorded/accessList-list-1.json and every 2026 file).
SUCCESS_TYPE = VERSIONED + ";charset=utf-8"


def recorded(name):
    """One file of the recorded Atlas corpus (tests/contract/recorded/<name>), parsed."""
    with open(os.path.join(RECORDED_DIR, name), encoding="utf-8") as recording:
        return json.load(recording)


def digest_auth(atlas, readonly=False):
    """Digest auth with the seeded project's owner key, or its read-only key."""
    prefix = "readonly_" if readonly else ""
    return HTTPDigestAuth(atlas[prefix + "public_key"], atlas[prefix + "private_key"])


class AtlasSession(requests.Session):
    """requests against {base_url}/api/atlas/v2 with the versioned Accept header; paths are relative to /api/atlas/v2."""

    def __init__(self, base_url, auth=None, accept=VERSIONED):
        super().__init__()
        self.base = f"{base_url}/api/atlas/v2"
        self.auth = auth
        if accept is not None:
            self.headers["Accept"] = accept

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs.setdefault("timeout", 30)
        return super().request(method, url if url.startswith("http") else self.base + url, *args, **kwargs)


def atlas_api(atlas, method, path, body=None):
    """A call to the simulator's Atlas API as the project owner (digest auth), like an operator doing something by hand."""
    with AtlasSession(atlas["base_url"], digest_auth(atlas)) as session:
        answer = session.request(method, path, json=body)
    assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
    return answer.json() if answer.content else {}


def wait_until(what, predicate, timeout=60, interval=0.5):
    """The first true value of predicate(), polled every `interval` seconds; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")
