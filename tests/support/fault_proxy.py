"""A small HTTP proxy in front of moto server that injects AWS faults per Action and logs every call.

    proxy = FaultProxy(moto.url); proxy.start(); proxy.url      # free port on 127.0.0.1, a thread of this process
    proxy.add_fault("DescribeVpcs", kind="throttle", count=3)   # the next 3 DescribeVpcs get AWS's throttling error
    proxy.add_fault("AcceptVpcPeeringConnection", kind="error", status=503)
    proxy.add_fault("*", kind="latency", latency=1.5, count=2)
    proxy.calls(); proxy.counts(); proxy.writes(); proxy.clear(); proxy.stop()

Clients (botocore, ansible's amazon.aws modules) talk to proxy.url as if it were moto: the request is forwarded byte for
byte (Host header included, so SigV4 signatures still verify when moto enforces IAM). The Action is read from the query
string or the form body (query/EC2 protocols) or X-Amz-Target (JSON protocols); the service from the SigV4 credential
scope. Injected errors use the error shape of the service's protocol, so botocore classifies them as AWS would
(``RequestLimitExceeded`` for EC2, ``Throttling`` for STS/CloudFormation/IAM, ``InternalError``/``ServiceUnavailable``).

The proxy also remembers the temporary secret keys and session tokens it sees in AssumeRole answers
(``proxy.captured_secrets``), so a test can search a run's output for credentials it never chose itself.
"""

import http.client
import json
import re
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
READ_PREFIXES = ("Describe", "Get", "List")
# Calls that change nothing on the account: obtaining credentials.
NON_WRITES = frozenset(("AssumeRole", "GetCallerIdentity", "GetSessionToken"))
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_SECRET_TAGS = re.compile(r"<(SecretAccessKey|SessionToken)>([^<]+)</\1>")
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "content-length"))


def is_write(action):
    return not (action.startswith(READ_PREFIXES) or action in NON_WRITES)


def _error_body(service, protocol, code, message):
    request_id = str(uuid.uuid4())
    if protocol == "json":
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    if service == "ec2":
        return "text/xml", (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>'
            "<RequestID>%s</RequestID></Response>" % (code, message, request_id)).encode()
    kind = "Sender" if code in ("Throttling", "ThrottlingException") else "Receiver"
    return "text/xml", (
        '<ErrorResponse xmlns="https://%s.amazonaws.com/doc/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message>'
        "</Error><RequestId>%s</RequestId></ErrorResponse>" % (service, kind, code, message, request_id)).encode()


def _throttle(service, protocol):
    """AWS's own throttling answer for the service: EC2 503 RequestLimitExceeded, query APIs 400 Throttling."""
    if service == "ec2":
        return 503, "RequestLimitExceeded", "Request limit exceeded."
    if protocol == "json":
        return 400, "ThrottlingException", "Rate exceeded"
    return 400, "Throttling", "Rate exceeded"


def _server_error(service, status):
    if status == 503:
        return 503, ("Unavailable" if service == "ec2" else "ServiceUnavailable"), "The service is unavailable. Please try again shortly."
    return status, ("InternalError" if service == "ec2" else "InternalFailure"), "An internal error has occurred."


class FaultProxy:
    """The proxy server, its fault rules and its call log."""

    def __init__(self, target_url):
        parsed = urllib.parse.urlparse(target_url)
        self.target = (parsed.hostname, parsed.port)
        self.url = None
        self._server = None
        self._thread = None
        self._lock = threading.Lock()
        self._faults = []
        self._calls = []
        self.captured_secrets = set()

    # ---- control ------------------------------------------------------------------------------------------------
    def start(self):
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._server.daemon_threads = True
        self.url = "http://%s:%d" % (LOOPBACK, self._server.server_port)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and close the port; a second stop does nothing."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def add_fault(self, action="*", kind="throttle", count=1, status=None, latency=0.0, service=None):
        """The next `count` calls of `action` ("*" = any; `service` narrows it) get: kind=throttle (the service's
        throttling error), error (status 500 or 503, AWS's shape), or latency (seconds, then forwarded)."""
        if kind not in ("throttle", "error", "latency"):
            raise ValueError("kind must be throttle, error or latency")
        with self._lock:
            self._faults.append({"action": action, "service": service, "kind": kind, "count": count, "status": status or 500,
                                 "latency": latency})

    def clear_faults(self):
        with self._lock:
            self._faults = []

    def pending_faults(self):
        with self._lock:
            return [dict(f) for f in self._faults if f["count"] > 0]

    def calls(self):
        """Every call: time, service, action, status, fault (None or the kind injected)."""
        with self._lock:
            return [dict(c) for c in self._calls]

    def clear(self):
        with self._lock:
            self._calls = []

    def counts(self):
        """Calls per "service:Action" (faulted ones included)."""
        return Counter("%s:%s" % (c["service"], c["action"]) for c in self.calls())

    def writes(self):
        """Calls that would change something on AWS (anything but Describe*/Get*/List* and credential calls)."""
        return [c for c in self.calls() if is_write(c["action"])]

    def injected(self):
        return [c for c in self.calls() if c["fault"] and c["fault"] != "latency"] + [c for c in self.calls() if c["fault"] == "latency"]

    # ---- internals ----------------------------------------------------------------------------------------------
    def _take_fault(self, service, action):
        with self._lock:
            for fault in self._faults:
                if fault["count"] > 0 and fault["action"] in ("*", action) and fault["service"] in (None, service):
                    fault["count"] -= 1
                    return dict(fault)
        return None

    def _log(self, service, action, status, fault):
        with self._lock:
            self._calls.append({"time": time.time(), "service": service, "action": action, "status": status, "fault": fault})


class _Handler(BaseHTTPRequestHandler):
    owner = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _identify(self, body):
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        service = scope.group(1) if scope else "unknown"
        target = self.headers.get("X-Amz-Target")
        if target:
            return service, target.rsplit(".", 1)[-1], "json"
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        action = (query.get("Action") or [None])[0]
        if action is None and "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            action = (urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action") or [None])[0]
        return service, action or "%s %s" % (self.command, urllib.parse.urlparse(self.path).path), "query"

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        service, action, protocol = self._identify(body)
        fault = self.owner._take_fault(service, action)
        if fault and fault["kind"] == "latency":
            time.sleep(fault["latency"])
        elif fault:
            status, code, message = (_throttle(service, protocol) if fault["kind"] == "throttle" else _server_error(service, fault["status"]))
            content_type, payload = _error_body(service, protocol, code, message)
            self.owner._log(service, action, status, fault["kind"])
            self._reply(status, [("Content-Type", content_type)], payload)
            return
        try:
            conn = http.client.HTTPConnection(*self.owner.target, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "proxy-connection")}
            conn.request(self.command, self.path, body=body if body or self.command in ("POST", "PUT", "PATCH") else None, headers=headers)
            answer = conn.getresponse()
            payload = answer.read()
            reply_headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            status = answer.status
            conn.close()
        except OSError as exc:
            self.owner._log(service, action, 502, None)
            self._reply(502, [("Content-Type", "text/plain")], ("fault proxy: moto unreachable: %s" % exc).encode())
            return
        if action == "AssumeRole" and status == 200:
            with self.owner._lock:
                self.owner.captured_secrets.update(m.group(2) for m in _SECRET_TAGS.finditer(payload.decode("utf-8", "replace")))
        self.owner._log(service, action, status, fault["kind"] if fault else None)
        self._reply(status, reply_headers, payload)

    def _reply(self, status, headers, payload):
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle
