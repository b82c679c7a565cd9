"""The HTTP face of the simulator: Atlas Admin API v2 routes, auth, versioned media type, faults, request log, control API."""

import base64
import binascii
import json
import re
import socket
import threading
import time
import traceback
from urllib.parse import quote, urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from .auth import REALM, NonceStore, TokenStore, challenge_header, parse_digest, verify_digest
from .clusters import CLUSTER_VERSIONS
from .errors import ApiError
from .model import HEX24, ip_allowed

V2 = "/api/atlas/v2"
RESOURCE_VERSION = "2023-01-01"
VERSIONED_TYPE = f"application/vnd.atlas.{RESOURCE_VERSION}+json"
# What Atlas answers every success with, the 204 of a DELETE included (recorded: accessList-delete-1.json and every 2026 file).
SUCCESS_TYPE = f"{VERSIONED_TYPE};charset=utf-8"
ERROR_TYPE = "application/json"
# Later dates resolve to the newest resource version of the endpoint not newer than them (FACTS.md 1.1): 2023-01-01 for every
# endpoint here but the clusters ones, whose versions are CLUSTER_VERSIONS.
KNOWN_VERSIONS = ("2023-01-01", "2023-02-01", "2023-10-01", "2023-11-15", "2024-05-30", "2024-08-05", "2024-10-23", "2024-11-13",
                  "2025-02-19", "2025-03-12")
ENDPOINT_VERSIONS = {"clusters": CLUSTER_VERSIONS, "cluster": CLUSTER_VERSIONS}
_ACCEPT_VERSION = re.compile(r"application/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json")
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
# Path parameters that are ObjectIds: one that is not 24 hex digits fails to parse before any lookup.
OBJECT_ID_PARAMETERS = ("group_id", "container_id", "peer_id")
# The endpoint set (one rate-limit bucket per set and project) of each route. One set for every access-list operation
# (recorded: accessList-create-1.json ... accessList-delete-3.json, one falling Ratelimit-Remaining); GUESS for the others,
# which no recording with headers shows: one set per resource.
ENDPOINT_SETS = {
    "access_list": "accessList", "access_entry": "accessList", "access_entry_status": "accessList",
    "containers": "containers", "containers_all": "containers", "container": "containers",
    "peers": "peers", "peer": "peers", "group": "group", "group_by_name": "groupByName",
    # The clusters set (recorded: other-clusters-get-404-1.json, Ratelimit-Limit 10000); GUESS one set for the database users.
    "clusters": "clusters", "cluster": "clusters", "database_users": "databaseUsers", "database_user": "databaseUsers",
}
# The links of a Group, in Atlas's order (recorded: groups-get-1.json); `whitelist` survives there although the resource is gone.
GROUP_LINK_RELS = ("containers", "clusters", "databaseUsers", "peers", "processes", "whitelist")

API_RULES = Map([
    Rule(f"{V2}/groups/byName/<group_name>", endpoint="group_by_name", methods=["GET"]),
    Rule(f"{V2}/groups/<group_id>", endpoint="group", methods=["GET"]),
    Rule(f"{V2}/groups/<group_id>/containers", endpoint="containers", methods=["GET", "POST"]),
    Rule(f"{V2}/groups/<group_id>/containers/all", endpoint="containers_all", methods=["GET"]),
    Rule(f"{V2}/groups/<group_id>/containers/<container_id>", endpoint="container", methods=["GET", "PATCH", "DELETE"]),
    Rule(f"{V2}/groups/<group_id>/peers", endpoint="peers", methods=["GET", "POST"]),
    Rule(f"{V2}/groups/<group_id>/peers/<peer_id>", endpoint="peer", methods=["GET", "PATCH", "DELETE"]),
    Rule(f"{V2}/groups/<group_id>/accessList", endpoint="access_list", methods=["GET", "POST"]),
    # PATH_INFO arrives percent-decoded, so `10.0.0.0%2F24` is `10.0.0.0/24` here: hence the path converter.
    Rule(f"{V2}/groups/<group_id>/accessList/<path:entry>/status", endpoint="access_entry_status", methods=["GET"]),
    Rule(f"{V2}/groups/<group_id>/accessList/<path:entry>", endpoint="access_entry", methods=["GET", "DELETE"]),
    # Read only: creating, changing and deleting clusters is no operation of the collection.
    Rule(f"{V2}/groups/<group_id>/clusters", endpoint="clusters", methods=["GET"]),
    Rule(f"{V2}/groups/<group_id>/clusters/<cluster_name>", endpoint="cluster", methods=["GET"]),
    Rule(f"{V2}/groups/<group_id>/databaseUsers", endpoint="database_users", methods=["GET", "POST"]),
    # An IAM ARN username holds a slash, sent as %2F and decoded by then: the username is the rest of the path.
    Rule(f"{V2}/groups/<group_id>/databaseUsers/<database_name>/<path:username>", endpoint="database_user", methods=["GET", "PATCH", "DELETE"]),
], strict_slashes=False, merge_slashes=False)


# Atlas's digest filter refuses (the challenge and a wrong key alike) with this exact text: Jackson's pretty printer, its own
# key order, errorCode UNEXPECTED_ERROR, no parameters (recorded: accessList-create-401-1.json, other-databaseUsers-create-401-1.json).
DIGEST_REFUSED_TEXT = (
    '{\n  "error" : 401,\n  "reason" : "Unauthorized",\n  "detail" : "You are not authorized for this resource.",\n'
    '  "errorCode" : "UNEXPECTED_ERROR"\n}')
# A refused bearer token: no recording exists; FACTS.md 3 gives the filter's body without an errorCode.
BEARER_REFUSED = {"detail": "You are not authorized for this resource.", "error": 401, "reason": "Unauthorized"}


class NotAuthenticated(Exception):
    """A bearer token that is unknown, revoked or expired: 401 with no errorCode."""


class Challenge(Exception):
    """Answer 401 with a digest challenge (no errorCode in the body, as Atlas does)."""

    def __init__(self, stale=False):
        super().__init__("digest challenge")
        self.stale = stale


class DropConnection(Exception):
    """Close the connection without an answer (after the write was committed)."""


def json_response(body, status=200, content_type=SUCCESS_TYPE, headers=None, pretty=False):
    # Atlas writes compact JSON with sorted keys (recorded: every 2026 file's raw snapshot).
    text = json.dumps(body, indent=2, sort_keys=True) if pretty else json.dumps(body, separators=(",", ":"), sort_keys=True)
    return Response(text, status=status, content_type=content_type, headers=headers)


def error_response(error):
    # Every ApiError names its code in a header too (recorded: X-Error-Code in other-clusters-get-404-1.json and the others).
    return json_response(error.body(), status=error.status, content_type=ERROR_TYPE, headers=dict(error.headers, **{"X-Error-Code": error.error_code}))


class Fault:
    """The next `count` requests whose method and path match get this fault."""

    KINDS = ("status", "latency", "drop")

    def __init__(self, spec):
        self.method = str(spec.get("method", "*")).upper()
        self.path = re.compile(spec.get("path", ".*"))
        self.kind = spec.get("kind", "status")
        if self.kind not in self.KINDS:
            raise ValueError(f"fault kind must be one of {self.KINDS}")
        self.status = int(spec.get("status", 429))
        self.retry_after = spec.get("retry_after")
        self.token_bucket = bool(spec.get("token_bucket", False))
        self.error_code = spec.get("error_code")  # any errorCode for the body; parameters fill its template
        self.parameters = list(spec.get("parameters") or [])
        self.latency = float(spec.get("latency", 0))
        self.count = int(spec.get("count", 1))
        self.spec = dict(spec)

    def matches(self, method, path):
        return self.count > 0 and self.method in ("*", method) and self.path.search(path) is not None

    def error(self, path):
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        if self.status == 429:
            headers.update({"RateLimit-Limit": "10", "RateLimit-Remaining": "0"})  # the token-bucket headers (FACTS.md 5)
        if self.error_code:
            return ApiError(self.error_code, *self.parameters, status=self.status, headers=headers)
        if self.status == 429 and self.token_bucket:
            return ApiError("RATE_LIMITED_TOKEN_BUCKET", path.lstrip("/"), self.retry_after or 1, 10, 5, 60, headers=headers)
        if self.status == 429:
            return ApiError("RATE_LIMITED", path, 100, 1, headers=headers)
        if self.status == 503:
            return ApiError("SERVICE_UNAVAILABLE", headers=headers)
        return ApiError("UNEXPECTED_ERROR", status=self.status, headers=headers)

    def describe(self):
        return dict(self.spec, remaining=self.count)


class SimulatorApp:
    """The WSGI application."""

    def __init__(self, atlas):
        self.atlas = atlas
        self.nonces = NonceStore()
        self.tokens = TokenStore()
        self._lock = threading.Lock()
        self.faults = []
        self.log = []

    # ---- WSGI --------------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/_sim/"):
            return self.control(request)(environ, start_response)
        entry = {"time": time.time(), "method": request.method, "path": request.path, "query": request.query_string.decode("latin-1"),
                 "status": None, "principal": None, "challenge": False, "fault": None}
        drop = False
        try:
            response = self.api(request, entry)
        except DropConnection:
            drop, response = True, Response(b"", status=200)
        entry["status"] = None if drop else response.status_code
        with self._lock:
            self.log.append(entry)
        if drop:
            self._drop(environ)
        return response(environ, start_response)

    @staticmethod
    def _drop(environ):
        # The write is committed; shut the socket so the client sees the connection close with no answer.
        # werkzeug then fails to write the (empty) response and treats it as a dropped connection.
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # ---- the API -----------------------------------------------------------------------------------------------
    def api(self, request, entry):
        try:
            if request.path.rstrip("/") == "/api/oauth/token":
                return self.oauth_token(request, entry)
            if request.path.rstrip("/") == "/api/oauth/revoke":
                return self.oauth_revoke(request, entry)
            if not request.path.startswith(V2 + "/"):
                raise ApiError("RESOURCE_NOT_FOUND", request.path)
            principal = self.authenticate(request, entry)
            caller_ip = self.atlas.config["caller_ip"] or request.remote_addr
            if not ip_allowed(caller_ip, principal.access_list):
                raise ApiError("IP_ADDRESS_NOT_ON_ACCESS_LIST", caller_ip)
            if not self._accepts_version(request.headers.get("Accept", "")):
                raise ApiError("INVALID_VERSION_DATE")
            self.apply_fault(request, entry)
            response = self.dispatch(request, principal)
            if entry["fault"] == "drop":
                raise DropConnection()
            return response
        except Challenge as challenge:
            entry["challenge"] = True
            return Response(DIGEST_REFUSED_TEXT, status=401, content_type=ERROR_TYPE,
                            headers={"WWW-Authenticate": challenge_header(self.nonces.issue(), challenge.stale)})
        except NotAuthenticated:
            return json_response(BEARER_REFUSED, status=401, content_type=ERROR_TYPE)
        except ApiError as error:
            if entry["fault"] == "drop":
                raise DropConnection() from None
            return error_response(error)
        except DropConnection:
            raise
        except Exception:  # pylint: disable=broad-exception-caught
            # A simulator bug: answer like Atlas would (500 UNEXPECTED_ERROR) and leave the traceback in the server log.
            traceback.print_exc()
            return error_response(ApiError("UNEXPECTED_ERROR"))

    @staticmethod
    def _accepts_version(accept):
        return any(date in KNOWN_VERSIONS for date in _ACCEPT_VERSION.findall(accept))

    @staticmethod
    def resolved_version(accept, endpoint):
        """The resource version that answers: the endpoint's newest version not newer than the newest date asked for."""
        asked = max(date for date in _ACCEPT_VERSION.findall(accept) if date in KNOWN_VERSIONS)
        return max(version for version in ENDPOINT_VERSIONS.get(endpoint, (RESOURCE_VERSION,)) if version <= asked)

    def authenticate(self, request, entry):
        header = request.headers.get("Authorization", "")
        scheme, _sep, credentials = header.partition(" ")
        if scheme.lower() == "bearer":
            client_id = self.tokens.principal(credentials.strip())
            principal = self.atlas.principal(client_id) if client_id else None
            if principal is None:
                raise NotAuthenticated()
            entry["principal"] = principal.name
            return principal
        if scheme.lower() != "digest":
            raise Challenge()
        params = parse_digest(credentials)
        principal = self.atlas.principal(params.get("username", ""))
        entry["principal"] = params.get("username")
        expected_uri = request.environ.get("REQUEST_URI") or request.full_path.rstrip("?")
        if (principal is None or principal.kind != "api_key" or params.get("realm") != REALM or params.get("qop") != "auth"
                or params.get("uri") != expected_uri):
            raise Challenge()
        try:
            nonce_count = int(params.get("nc", ""), 16)
        except ValueError:
            raise Challenge() from None
        if not verify_digest(params, request.method, principal.secret):
            raise Challenge()
        verdict = self.nonces.check(params.get("nonce", ""), nonce_count, self.atlas.config["nonce_lifetime"])
        if verdict != "ok":
            raise Challenge(stale=True)
        return principal

    def apply_fault(self, request, entry):
        with self._lock:
            fault = next((f for f in self.faults if f.matches(request.method, request.path)), None)
            if fault is None:
                return
            fault.count -= 1
            if fault.count <= 0:
                self.faults.remove(fault)
        entry["fault"] = fault.kind if fault.kind != "status" else fault.status
        if fault.kind == "latency":
            time.sleep(fault.latency)
        elif fault.kind == "status":
            raise fault.error(request.path)

    def dispatch(self, request, principal):
        adapter = API_RULES.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as exc:
            if exc.code == 405:
                raise ApiError("RESOURCE_NOT_FOUND", request.path, status=405) from None
            raise ApiError("RESOURCE_NOT_FOUND", request.path) from None
        for name in OBJECT_ID_PARAMETERS:
            if name in args and not HEX24.match(args[name]):
                # Recorded on v1 for a peer id (peers-get-v1-400-1.json): 400, not a 404. GUESS: v2 and every ObjectId
                # parameter (group, container) alike, since Atlas parses them all as one type before the resource runs.
                raise ApiError("PATH_PARAM_PARSE_ERROR", request.path)
        write = request.method in WRITE_METHODS
        pretty = request.args.get("pretty", "false").lower() == "true"
        with self.atlas.lock:
            self.atlas.advance()
            if endpoint == "group_by_name":
                # GUESS: a lookup by name is scoped to the caller, not to a project it has not found yet.
                rate_headers = self.take_token(request, endpoint, principal.name)
                try:
                    project = self.atlas.project_by_name(principal, args["group_name"])
                except ApiError as error:
                    raise error.with_headers(rate_headers) from None
                return json_response(self.group_view(request, project), pretty=pretty, headers=rate_headers)
            group_id = args["group_id"]
            # An unknown project, or one the key may not use, is refused before the limiter: no RateLimit headers
            # (recorded: other-databaseUsers-create-404-1.json). GUESS for the authorisation refusals alike.
            project = self.atlas.authorize(principal, group_id, write)
            rate_headers = self.take_token(request, endpoint, group_id)
            args["version"] = self.resolved_version(request.headers.get("Accept", ""), endpoint)
            try:
                if endpoint == "group":
                    status, body = 200, self.group_view(request, project)
                else:
                    status, body = getattr(self, f"_{endpoint}")(request, args)
            except ApiError as error:
                # The operation's own errors carry the pair too (recorded: other-clusters-get-404-1.json).
                raise error.with_headers(rate_headers) from None
        # A success names the version that answered (a clusters call asking for 2024-10-23 gets 2024-08-05).
        content_type = f"application/vnd.atlas.{args['version']}+json;charset=utf-8"
        if status == 204:
            return Response(status=204, content_type=content_type, headers=rate_headers)
        return json_response(body, status=status, pretty=pretty, headers=rate_headers, content_type=content_type)

    def take_token(self, request, endpoint, scope):
        """The RateLimit headers for this answer, or 429 RATE_LIMITED_TOKEN_BUCKET when the bucket is empty."""
        config = self.atlas.config
        taken, headers, wait = self.atlas.rate_limiter.take(ENDPOINT_SETS[endpoint], scope, config)
        if not taken:
            raise ApiError("RATE_LIMITED_TOKEN_BUCKET", request.path.lstrip("/"), wait, int(headers["RateLimit-Limit"]),
                           int(config["rate_limit_refill"]), int(config["rate_limit_period"]), headers=dict(headers, **{"Retry-After": str(wait)}))
        return headers

    @staticmethod
    def _body(request):
        content_type = request.mimetype or "application/json"
        if content_type != "application/json" and not _ACCEPT_VERSION.fullmatch(content_type):
            raise ApiError("INVALID_JSON")
        try:
            return json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            raise ApiError("MALFORMED_JSON") from None

    def _object_body(self, request):
        body = self._body(request)
        if not isinstance(body, dict):
            raise ApiError("INVALID_JSON")
        return body

    def group_view(self, request, project):
        """The Group: tags, the 7 links and withDefaultAlertsSettings as Atlas returns them (recorded: groups-get-1.json)."""
        view = self.atlas.group_view(project["id"])
        self_href = f"{request.host_url.rstrip('/')}{V2}/groups/{project['id']}"
        view["links"] = [{"href": self_href, "rel": "self"}]
        view["links"] += [{"href": f"{self_href}/{rel}", "rel": f"https://cloud.mongodb.com/{rel}"} for rel in GROUP_LINK_RELS]
        return view

    def paginate(self, request, items):
        """The Atlas list envelope {links, results, totalCount} for one page."""
        try:
            per_page = int(request.args.get("itemsPerPage", 100))
            page = int(request.args.get("pageNum", 1))
        except ValueError:
            raise ApiError("VALIDATION_ERROR", "itemsPerPage and pageNum must be integers") from None
        if not 1 <= per_page <= 500 or page < 1:
            raise ApiError("VALIDATION_ERROR", "itemsPerPage must be 1 to 500 and pageNum at least 1")
        include_count_text = request.args.get("includeCount", "true")
        include_count = include_count_text.lower() != "false"
        start = (page - 1) * per_page
        base = request.host_url.rstrip("/") + request.path
        # Atlas writes includeCount first, then the other parameters as sent, then pageNum and itemsPerPage (recorded:
        # accessList-list-1.json, containers-list-3.json). GUESS: includeCount is written even when the request left it out.
        kept = [("includeCount", include_count_text)]
        kept += [(k, v) for k, v in request.args.items(multi=True) if k not in ("includeCount", "pageNum", "itemsPerPage")]

        def link(number, rel):
            return {"href": f"{base}?{urlencode(kept + [('pageNum', number), ('itemsPerPage', per_page)])}", "rel": rel}

        links = [link(page, "self")]
        if start + per_page < len(items):
            links.append(link(page + 1, "next"))
        if page > 1:
            links.append(link(page - 1, "previous"))
        body = {"links": links, "results": items[start:start + per_page]}
        if include_count:
            body["totalCount"] = len(items)
        return body

    # ---- route handlers: (request, args) -> (status, body); called with the model lock held -------------------
    def _containers(self, request, args):
        if request.method == "POST":
            return 200, self.atlas.create_container(args["group_id"], self._object_body(request))
        return 200, self.paginate(request, self.atlas.list_containers(args["group_id"], request.args.get("providerName", "AWS")))

    def _containers_all(self, request, args):
        return 200, self.paginate(request, self.atlas.list_containers(args["group_id"], None))

    def _container(self, request, args):
        if request.method == "PATCH":
            return 200, self.atlas.update_container(args["group_id"], args["container_id"], self._object_body(request))
        if request.method == "DELETE":
            self.atlas.delete_container(args["group_id"], args["container_id"])
            return 204, None
        return 200, self.atlas.get_container(args["group_id"], args["container_id"])

    def _peers(self, request, args):
        if request.method == "POST":
            return 200, self.atlas.create_peer(args["group_id"], self._object_body(request))
        return 200, self.paginate(request, self.atlas.list_peers(args["group_id"], request.args.get("providerName", "AWS")))

    def _peer(self, request, args):
        if request.method == "PATCH":
            return 200, self.atlas.update_peer(args["group_id"], args["peer_id"], self._object_body(request))
        if request.method == "DELETE":
            self.atlas.delete_peer(args["group_id"], args["peer_id"])
            return 202, {}
        return 200, self.atlas.get_peer(args["group_id"], args["peer_id"])

    def _with_links(self, request, group_id, entry):
        # An ipAddress entry's own link names its cidrBlock, `<ip>%2F32` (recorded: accessList-get-1.json).
        value = entry.get("awsSecurityGroup") or entry["cidrBlock"]
        href = f"{request.host_url.rstrip('/')}{V2}/groups/{group_id}/accessList/{value.replace('/', '%2F')}"
        return dict(entry, links=[{"href": href, "rel": "self"}])

    def _access_list(self, request, args):
        group_id = args["group_id"]
        status = 200
        if request.method == "POST":
            self.atlas.add_access_list(group_id, self._body(request))
            status = 201  # the spec says 200; Atlas answers 201 Created (recorded: accessList-create-1.json ... -5.json)
        entries = [self._with_links(request, group_id, e) for e in self.atlas.list_access_list(group_id)]
        return status, self.paginate(request, entries)

    def _access_entry(self, request, args):
        if request.method == "DELETE":
            self.atlas.delete_entry(args["group_id"], args["entry"])
            return 204, None
        return 200, self._with_links(request, args["group_id"], self.atlas.get_entry(args["group_id"], args["entry"]))

    def _access_entry_status(self, request, args):
        return 200, self.atlas.entry_status(args["group_id"], args["entry"])

    def _cluster_href(self, request, group_id, name):
        return f"{request.host_url.rstrip('/')}{V2}/groups/{group_id}/clusters/{quote(name, safe='')}"

    def _clusters(self, request, args):
        group_id = args["group_id"]
        clusters = self.atlas.api_clusters(group_id, args["version"], lambda name: self._cluster_href(request, group_id, name))
        return 200, self.paginate(request, clusters)

    def _cluster(self, request, args):
        group_id, name = args["group_id"], args["cluster_name"]
        return 200, self.atlas.api_cluster(group_id, name, args["version"], self._cluster_href(request, group_id, name))

    def _user_href(self, request, group_id, database, username):
        return (f"{request.host_url.rstrip('/')}{V2}/groups/{group_id}/databaseUsers/{quote(database, safe='')}/"
                f"{quote(username, safe='')}")

    def _database_users(self, request, args):
        group_id = args["group_id"]

        def href_of(user):
            return self._user_href(request, group_id, user["databaseName"], user["username"])

        if request.method == "POST":
            return 201, self.atlas.create_database_user(group_id, self._body(request), href_of)  # the spec: 201 Created
        return 200, self.paginate(request, self.atlas.list_database_users(group_id, href_of))

    def _database_user(self, request, args):
        group_id, database, username = args["group_id"], args["database_name"], args["username"]
        href = self._user_href(request, group_id, database, username)
        if request.method == "PATCH":
            return 200, self.atlas.update_database_user(group_id, database, username, self._body(request), href)
        if request.method == "DELETE":
            self.atlas.delete_database_user(group_id, database, username)
            return 204, None
        return 200, self.atlas.get_database_user(group_id, database, username, href)

    # ---- OAuth (service accounts) ------------------------------------------------------------------------------
    def _basic_principal(self, request):
        scheme, _sep, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _sep, secret = base64.b64decode(credentials.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        principal = self.atlas.principal(client_id)
        if principal is None or principal.kind != "service_account" or principal.secret != secret:
            return None
        return principal

    def oauth_token(self, request, entry):
        if request.method != "POST":
            raise ApiError("RESOURCE_NOT_FOUND", request.path, status=405)
        principal = self._basic_principal(request)
        if principal is None:
            return json_response({"error": "invalid_client", "error_description": "Invalid client credentials."}, status=401,
                                 content_type="application/json")
        entry["principal"] = principal.name
        self.apply_fault(request, entry)
        if request.form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, status=400, content_type="application/json")
        lifetime = float(self.atlas.config["token_lifetime"])
        token = self.tokens.issue(principal.name, lifetime)
        response = json_response({"access_token": token, "token_type": "Bearer", "expires_in": int(lifetime)}, content_type="application/json")
        if entry["fault"] == "drop":
            raise DropConnection()
        return response

    def oauth_revoke(self, request, entry):
        principal = self._basic_principal(request)
        if principal is None:
            return json_response({"error": "invalid_client"}, status=401, content_type="application/json")
        entry["principal"] = principal.name
        self.tokens.revoke(request.form.get("token", ""))
        return Response(status=200)

    # ---- control API (no auth, not under /api/) ----------------------------------------------------------------
    def control(self, request):
        try:
            status, body = self._control(request)
        except (ValueError, KeyError, TypeError, ApiError) as exc:
            status, body = 400, {"error": str(exc)}
        return json_response(body, status=status, content_type="application/json")

    def _control(self, request):
        path, method = request.path.rstrip("/"), request.method
        payload = request.get_json(silent=True) if method in ("POST", "PATCH", "PUT") else None
        if path == "/_sim/health":
            return 200, {"ok": True}
        if path == "/_sim/reset" and method == "POST":
            self.atlas.reset()
            self.nonces.clear()
            self.tokens.clear()
            with self._lock:
                self.faults.clear()
                self.log.clear()
            return 200, {"reset": True}
        if path == "/_sim/seed" and method == "POST":
            return 200, self.atlas.seed(payload or {})
        if path == "/_sim/config":
            if method in ("POST", "PATCH", "PUT"):
                return 200, self.atlas.configure(payload or {})
            return 200, dict(self.atlas.config, atlas_account_id=self.atlas.aws.account_id)
        if path == "/_sim/state":
            return 200, self.atlas.snapshot()
        if path == "/_sim/clusters":
            if method == "POST":
                specs = payload if isinstance(payload, list) else [payload or {}]
                return 200, [self.atlas.add_cluster(self.atlas.project_by_ref(spec["project"])["id"], spec) for spec in specs]
            return 200, self.atlas.list_clusters()
        if path.startswith("/_sim/clusters/") and method == "DELETE":
            # /_sim/clusters/<project id or name>/<cluster name>
            project_ref, _sep, name = path[len("/_sim/clusters/"):].partition("/")
            return 200, self.atlas.remove_cluster(self.atlas.project_by_ref(project_ref)["id"], name)
        if path == "/_sim/database_users/verify" and method == "POST":
            # {"project": <id or name>, "databaseName": "admin", "username": ..., "password": ...} -> {"match": bool}
            group_id = self.atlas.project_by_ref(payload["project"])["id"]
            match = self.atlas.database_user_password_matches(group_id, payload.get("databaseName", "admin"), payload["username"],
                                                              payload["password"])
            return 200, {"match": match}
        if path == "/_sim/faults":
            with self._lock:
                if method == "POST":
                    specs = payload if isinstance(payload, list) else [payload or {}]
                    self.faults.extend(Fault(spec) for spec in specs)
                elif method == "DELETE":
                    self.faults.clear()
                return 200, [f.describe() for f in self.faults]
        if path == "/_sim/requests":
            with self._lock:
                if method == "DELETE":
                    self.log.clear()
                return 200, list(self.log)
        return 404, {"error": f"no control endpoint {method} {path}"}
