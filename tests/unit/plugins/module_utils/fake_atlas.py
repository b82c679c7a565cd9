# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small scripted Atlas stand-in for the client's unit tests: real HTTP on 127.0.0.1 (free port), real Digest
challenges and nonce checks, OAuth client-credentials tokens, and a queue of scripted answers (errors, 429s,
dropped connections, slow answers). The full simulator lives in tests/simulator; this one only serves the unit tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import os
import re
import socket
import sys
import threading
import time

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

REALM = "MMS Public API"
RECORDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "contract", "recorded")
# What real Atlas answers to the digest challenge and to a refused key alike (recorded/accessList-create-401-1.json).
UNAUTHORIZED_BODY = {"error": 401, "reason": "Unauthorized", "detail": "You are not authorized for this resource.",
                     "errorCode": "UNEXPECTED_ERROR"}


def _md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Reply:
    """One scripted answer. ``action`` is None (answer), "drop" (close without answering) or "sleep" (answer late).

    ``body`` is sent as JSON, or as it is when it is bytes; a Content-Type in ``headers`` replaces the default one.
    """

    def __init__(self, status=200, body=None, headers=None, action=None, delay=0.0, match=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.action = action
        self.delay = delay
        self.match = match  # optional (method, path-prefix) the reply is for


def recording(name):
    """One recorded Atlas answer of tests/contract/recorded (see its README) as a dict."""
    with open(os.path.join(RECORDED, name), encoding="utf-8") as handle:
        return json.load(handle)


def recorded_names(prefix=""):
    return sorted(name for name in os.listdir(RECORDED) if name.endswith(".json") and name.startswith(prefix))


def recorded_reply(name):
    """The recorded answer as Atlas sent it: status, Content-Type (charset included), RateLimit and X-Error-Code headers, body."""
    answer = recording(name)
    headers = dict(answer.get("response_headers") or {})
    for header, value in ((answer.get("source") or {}).get("other_response_headers") or {}).items():
        if header.lower() == "x-error-code":
            headers[header] = value
    body = answer.get("response_body")
    raw = b"" if body is None else json.dumps(body, indent=1).encode("utf-8")
    if body is not None:
        headers.setdefault("Content-Type", "application/vnd.atlas.2023-01-01+json;charset=utf-8" if answer["status"] < 400
                           else "application/json")
    return Reply(answer["status"], raw, headers)


def api_error(status, code, detail="", parameters=None, reason="Error"):
    return Reply(status, {"error": status, "errorCode": code, "detail": detail, "parameters": parameters or [], "reason": reason})


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that time out or go away on purpose leave broken pipes behind; anything else is a bug worth seeing.
        if not isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
            ThreadingHTTPServer.handle_error(self, request, client_address)


class FakeAtlas:
    """Start with ``with FakeAtlas() as atlas:``; ``atlas.url`` is the base URL."""

    def __init__(self, public_key="pubkey", private_key="priv-secret-123", client_id="mdb_sa_id_0123456789abcdef01234567",
                 client_secret="sa-secret-456", token_ttl=3600):
        self.public_key = public_key
        self.private_key = private_key
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        self.script = []
        self.routes = {}
        self.log = []
        self.tokens = []
        self._nonces = {}  # nonce -> highest nc seen
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- control --------------------------------------------------------------------------------------------------
    def start(self):
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def add(self, *replies):
        """Queue scripted answers; each authenticated request takes the first one that matches it."""
        self.script.extend(replies)

    def route(self, method, path, body, status=200):
        """A standing answer for an exact API path (under /api/atlas/v2)."""
        self.routes[(method, path)] = (status, body)

    def expire_nonces(self):
        """Make every issued nonce stale, as Atlas does after a while."""
        with self._lock:
            self._nonces.clear()

    def api_requests(self):
        """The authenticated API requests that reached the handler (not challenges, not token requests)."""
        return [entry for entry in self.log if entry["authenticated"] and entry["path"].startswith("/api/atlas/")]

    # -- handler --------------------------------------------------------------------------------------------------
    def _handler_class(self):
        atlas = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _answer(self, status, body=None, headers=None):
                data = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode("utf-8"))
                headers = dict(headers or {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if body is not None and not any(name.lower() == "content-type" for name in headers):
                    self.send_header("Content-Type", "application/vnd.atlas.2023-01-01+json" if status < 400 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _challenge(self, stale=False):
                nonce = base64.b64encode(os.urandom(18)).decode("ascii")
                with atlas._lock:
                    atlas._nonces[nonce] = 0
                header = 'Digest realm="%s", domain="", nonce="%s", algorithm=MD5, qop="auth", stale=%s' % (
                    REALM, nonce, "true" if stale else "false")
                self._answer(401, json.dumps(UNAUTHORIZED_BODY, indent=2).encode("utf-8"),
                             {"WWW-Authenticate": header, "Content-Type": "application/json"})

            def _check_digest(self):
                header = self.headers.get("Authorization", "")
                if not header.startswith("Digest "):
                    return "challenge"
                fields = dict((key, quoted or bare) for key, quoted, bare in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header[7:]))
                nonce = fields.get("nonce")
                nc = int(fields.get("nc", "0"), 16)
                with atlas._lock:
                    known = nonce in atlas._nonces
                    if known and nc <= atlas._nonces[nonce]:
                        return "replay"
                    if known:
                        atlas._nonces[nonce] = nc
                if not known:
                    return "stale"
                ha1 = _md5("%s:%s:%s" % (fields.get("username"), REALM, atlas.private_key))
                ha2 = _md5("%s:%s" % (self.command, fields.get("uri")))
                expected = _md5("%s:%s:%s:%s:%s:%s" % (ha1, nonce, fields.get("nc"), fields.get("cnonce"), fields.get("qop"), ha2))
                if fields.get("username") != atlas.public_key or fields.get("response") != expected:
                    return "bad"
                return "ok"

            def _handle(self):
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                entry = dict(method=self.command, path=split.path, query=parse_qs(split.query), headers=dict(self.headers),
                             body=raw, authenticated=False)
                atlas.log.append(entry)

                if split.path == "/api/oauth/token":
                    expected = "Basic " + base64.b64encode(("%s:%s" % (atlas.client_id, atlas.client_secret)).encode()).decode()
                    if self.headers.get("Authorization") != expected or parse_qs(raw.decode()).get("grant_type") != ["client_credentials"]:
                        return self._answer(401, {"error": "invalid_client", "error_description": "bad client credentials"})
                    reply = atlas._next_reply("POST", split.path)
                    if reply is not None:
                        return self._play(reply)
                    token = "tok-%d" % (len(atlas.tokens) + 1)
                    atlas.tokens.append(token)
                    return self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": atlas.token_ttl})

                auth = self.headers.get("Authorization", "")
                if auth.startswith("Bearer "):
                    if auth[7:] not in atlas.tokens:
                        return self._answer(401, {"error": 401, "errorCode": None, "detail": "invalid token", "reason": "Unauthorized"})
                else:
                    verdict = self._check_digest()
                    if verdict != "ok":
                        return self._challenge(stale=(verdict == "stale"))
                entry["authenticated"] = True

                # The versions Atlas has for the path: the clusters endpoints have three, every other one 2023-01-01 only.
                versions = ("2023-01-01", "2023-02-01", "2024-08-05") if re.match(r"^/api/atlas/v2/groups/[^/]+/clusters(/[^/]+)?$", split.path) \
                    else ("2023-01-01",)
                if not any(self.headers.get("Accept", "").startswith("application/vnd.atlas.%s+json" % v) for v in versions):
                    return self._answer(406, {"error": 406, "errorCode": "INVALID_VERSION_DATE", "parameters": [],
                                              "detail": "Invalid accept header or version date.", "reason": "Not Acceptable"})
                reply = atlas._next_reply(self.command, split.path)
                if reply is not None:
                    return self._play(reply)
                api_path = unquote(split.path[len("/api/atlas/v2"):])
                if (self.command, api_path) in atlas.routes:
                    status, body = atlas.routes[(self.command, api_path)]
                    if callable(body):
                        body = body(entry)
                    return self._answer(status, body)
                return self._answer(404, {"error": 404, "errorCode": "RESOURCE_NOT_FOUND", "parameters": [api_path],
                                          "detail": "Cannot find resource %s." % api_path, "reason": "Not Found"})

            def _play(self, reply):
                if reply.action == "drop":
                    # The request was read (a write would have been committed), then the connection goes away.
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if reply.delay:
                    time.sleep(reply.delay)
                return self._answer(reply.status, reply.body, reply.headers)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        return Handler

    def _next_reply(self, method, path):
        with self._lock:
            for index, reply in enumerate(self.script):
                if reply.match is None or (reply.match[0] == method and path.startswith(reply.match[1])):
                    return self.script.pop(index)
        return None
