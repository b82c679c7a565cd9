# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one MongoDB Atlas Administration API v2 client every module of this collection uses.

No Ansible imports: the module wrapper (module.py) turns these exceptions into failures. Transport is one
``requests.Session`` so digest nonces and TCP connections are reused for the whole module run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import ipaddress
import json
import random
import re
import time
import traceback

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.auth import AuthBase, HTTPDigestAuth
    from urllib3.exceptions import NewConnectionError
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    HTTPAdapter = object
    AuthBase = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "cloudwire.atlas/%s (Ansible collection; +https://github.com/cloudwire/cloudwire.atlas)" % COLLECTION_VERSION
DEFAULT_BASE_URL = "https://cloud.mongodb.com"
API_PREFIX = "/api/atlas/v2"
TOKEN_PATH = "/api/oauth/token"
API_VERSION = "2023-01-01"
ACCEPT = "application/vnd.atlas.%s+json" % API_VERSION
ITEMS_PER_PAGE = 500

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# Methods whose repetition cannot do harm: re-sent even when a previous attempt may have reached the server.
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))

ACCESS_LIST_CODES = frozenset(("IP_ADDRESS_NOT_ON_ACCESS_LIST", "ORG_REQUIRES_ACCESS_LIST", "RESOURCE_REQUIRES_ACCESS_LIST",
                               "IP_ADDRESS_NOT_ON_WHITELIST"))
PROJECT_NOT_FOUND_CODES = frozenset(("GROUP_NAME_NOT_FOUND", "GROUP_NOT_FOUND", "INVALID_GROUP_ID", "NOT_IN_GROUP"))
OAUTH_CLIENT_ERRORS = frozenset(("invalid_client", "unauthorized_client", "invalid_grant"))
# Real Atlas answers a refused digest key (and the digest challenge itself) with 401 UNEXPECTED_ERROR: not specific, so it
# is treated like a 401 without a code (../shared/atlas-recorded/accessList-create-401-1.json).
UNSPECIFIC_401_CODES = frozenset(("UNEXPECTED_ERROR",))
RATE_LIMIT_CODES = frozenset(("RATE_LIMITED", "RATE_LIMITED_TOKEN_BUCKET"))


class AtlasError(Exception):
    """Base of every error this client raises."""


class AtlasApiError(AtlasError):
    """Atlas answered with an HTTP error; carries the ApiError fields and a message a person can act on."""

    def __init__(self, status, error_code=None, detail=None, parameters=None, reason=None, method=None, path=None,
                 auth_kind="api_key", retried_for=None):
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.parameters = list(parameters or [])
        self.reason = reason
        self.method = method
        self.path = path
        self.auth_kind = auth_kind
        self.retried_for = retried_for
        self.hint = _hint_for(self)
        super(AtlasApiError, self).__init__(self._message())

    def _message(self):
        text = "Atlas refused %s %s: %s" % (self.method or "?", self.path or "?", self.status)
        if self.error_code:
            text += " " + self.error_code
        elif self.reason:
            text += " " + self.reason
        if self.detail:
            text += ": " + self.detail.rstrip(".")
        text += "."
        if self.hint:
            text += " " + self.hint
        return text

    def to_dict(self):
        """The fields a module returns next to its failure message."""
        return dict(status=self.status, error_code=self.error_code, detail=self.detail, parameters=self.parameters,
                    reason=self.reason)


class AtlasTransportError(AtlasError):
    """No usable answer from Atlas within the deadline (connection errors, retries exhausted)."""

    def __init__(self, message, method=None, path=None, attempts=None):
        self.method = method
        self.path = path
        self.attempts = attempts
        super(AtlasTransportError, self).__init__(message)


class AtlasOutcomeUnknown(AtlasTransportError):
    """A write was sent and the connection dropped before the answer: it is never re-sent automatically.

    The caller re-reads the resource and decides whether the write took effect.
    """


def _caller_ip(parameters):
    for value in parameters or []:
        try:
            return str(ipaddress.ip_address(str(value).strip()))
        except ValueError:
            continue
    return None


def _required_role(method, path):
    if method == "GET":
        return "Project Read Only"
    if "/containers" in (path or ""):
        return "Project Owner"
    return "Project Owner or Project Network Access Manager"


def _hint_for(error):
    """What a person should do about the common errors (never mentions a secret)."""
    code = error.error_code
    if error.status == 401 and (not code or code in OAUTH_CLIENT_ERRORS or code in UNSPECIFIC_401_CODES):
        if error.auth_kind == "service_account":
            return ("The service account credentials were not accepted: check client_id and client_secret "
                    "(MONGODB_ATLAS_CLIENT_ID / MONGODB_ATLAS_CLIENT_SECRET) and that the secret has not expired.")
        return ("The API key was not accepted: check that public_key and private_key (MONGODB_ATLAS_PUBLIC_KEY / "
                "MONGODB_ATLAS_PRIVATE_KEY) are the two halves of one existing API key.")
    if code == "USER_UNAUTHORIZED":
        return ("The credentials are valid but lack the role this call needs: %s on the project "
                "(Project Access Manager > Applications > API Keys)." % _required_role(error.method, error.path))
    if code in ACCESS_LIST_CODES:
        ip = _caller_ip(error.parameters) or _caller_ip(re.findall(r"[0-9a-fA-F.:]{7,}", error.detail or ""))
        who = "this machine's address %s" % ip if ip else "this machine's public address"
        return ("Atlas sees the call coming from %s, which is not on the API key's (or service account's) own API access list: "
                "add %s to it in Organization Access Manager > Applications > API Keys > Edit Permissions > API Access List. "
                "This is not the project IP access list." % (who, ip or "that address"))
    if code in PROJECT_NOT_FOUND_CODES:
        return ("The project does not exist or these credentials are not a member of it: check project_id / project_name "
                "and invite the API key or service account to the project.")
    if code == "INVALID_VERSION_DATE" or error.status == 406:
        return ("The server did not accept the API version %s (Accept: %s): check that base_url points at the Atlas "
                "Administration API." % (API_VERSION, ACCEPT))
    if error.status == 429:
        if error.retried_for is not None:
            return ("Still rate limited after retrying for %.0f s: Atlas limits calls per API key, project and organisation; "
                    "run fewer jobs at once or retry later." % error.retried_for)
        return "Rate limited by Atlas: retry later."
    if error.status >= 500 and error.retried_for is not None:
        return ("Atlas kept failing for %.0f s of retries: this is on Atlas's side (see https://status.mongodb.com); "
                "run again later." % error.retried_for)
    return None


def _error_from_response(response, method, path, auth_kind, retried_for=None):
    body = None
    try:
        body = response.json()
    except ValueError:
        pass
    if isinstance(body, dict) and ("errorCode" in body or "detail" in body or "error" in body):
        error_code = body.get("errorCode") or response.headers.get("X-Error-Code") or None
        detail = body.get("detail")
        # OAuth token endpoint errors use the RFC 6749 shape.
        if error_code is None and isinstance(body.get("error"), str):
            error_code = body.get("error")
            detail = detail or body.get("error_description")
        return AtlasApiError(response.status_code, error_code=error_code, detail=detail,
                             parameters=body.get("parameters"), reason=body.get("reason") or response.reason,
                             method=method, path=path, auth_kind=auth_kind, retried_for=retried_for)
    text = (response.text or "").strip()
    detail = text[:200] if text else None
    # Atlas names the error in a header too: the one place left to read it when a proxy replaced the body.
    return AtlasApiError(response.status_code, error_code=response.headers.get("X-Error-Code") or None, detail=detail,
                         reason=response.reason, method=method, path=path, auth_kind=auth_kind, retried_for=retried_for)


def retry_after_seconds(response):
    """Seconds Atlas asked us to wait: the Retry-After header, else parameters[1] of RATE_LIMITED_TOKEN_BUCKET."""
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            when = _http_date(header)
            if when is not None:
                return max(0.0, when - time.time())
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("errorCode") == "RATE_LIMITED_TOKEN_BUCKET":
        params = body.get("parameters") or []
        if len(params) > 1:
            try:
                return max(0.0, float(params[1]))
            except (TypeError, ValueError):
                return None
    return None


def _http_date(text):
    """Seconds since the epoch for an HTTP-date (RFC 9110 allows one in Retry-After), or None."""
    try:
        parsed = email.utils.parsedate_tz(text)
    except (TypeError, ValueError):
        return None
    return email.utils.mktime_tz(parsed) if parsed else None


class RetryPolicy:
    """When to try again: full-jitter exponential backoff, Retry-After honoured, everything inside one deadline.

    A policy is shared by all calls of a client; ``start()`` gives the per-call state. ``sleep``, ``clock`` and
    ``rand`` are injectable so tests run without waiting.
    """

    def __init__(self, deadline=300.0, base_delay=1.0, max_delay=30.0, sleep=time.sleep, clock=time.monotonic, rand=random.random):
        self.deadline = float(deadline)
        self.base_delay = float(base_delay)
        self.max_delay = float(max_delay)
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    def start(self):
        return RetryBudget(self)


class RetryBudget:
    """Per-call retry state: attempts so far and the time the call started."""

    def __init__(self, policy):
        self.policy = policy
        self.started = policy.clock()
        self.retries = 0

    def elapsed(self):
        return self.policy.clock() - self.started

    def remaining(self):
        return self.policy.deadline - self.elapsed()

    def backoff(self):
        """The next full-jitter delay: uniform in [0, min(max_delay, base_delay * 2 ** retries)]."""
        cap = min(self.policy.max_delay, self.policy.base_delay * (2 ** self.retries))
        return self.policy.rand() * cap

    def next_delay(self, retry_after=None):
        """Seconds to wait before the next attempt, or None when the deadline leaves no room for one."""
        if retry_after is not None:
            # Atlas's own advice: wait at least Retry-After; a little jitter keeps parallel jobs from waking together.
            delay = retry_after + self.policy.rand() * min(1.0, self.policy.max_delay)
        else:
            delay = self.backoff()
        if self.elapsed() + delay >= self.policy.deadline:
            return None
        return delay

    def wait(self, delay):
        self.retries += 1
        self.policy.sleep(delay)


class _CountingAdapter(HTTPAdapter):
    """Counts every round trip and every digest challenge, including the re-sends HTTPDigestAuth makes itself."""

    def __init__(self, stats, *args, **kwargs):
        self._stats = stats
        super(_CountingAdapter, self).__init__(*args, **kwargs)

    def send(self, request, *args, **kwargs):  # pylint: disable=arguments-differ
        self._stats["requests"] += 1
        response = super(_CountingAdapter, self).send(request, *args, **kwargs)
        if response.status_code == 401 and "digest" in response.headers.get("WWW-Authenticate", "").lower():
            self._stats["challenges"] += 1
        return response


class _BearerAuth(AuthBase):
    """Service-account access token: fetched on first use, one per client (renewed only if it expires)."""

    def __init__(self, client):
        self._client = client

    def __call__(self, request):
        request.headers["Authorization"] = "Bearer " + self._client._access_token()
        return request


def _certificate_refused(exc):
    """True when the server's TLS certificate failed verification (as opposed to a transient TLS failure)."""
    if not isinstance(exc, requests.exceptions.SSLError):
        return False
    text = str(exc)
    return "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text or ("hostname" in text and "match" in text)


def _request_was_sent(exc):
    """False when the connection failed before any byte of the request could reach Atlas."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.ProxyError,
                        requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema)):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the cause
        if isinstance(reason, NewConnectionError):
            return False
    return True


class AtlasClient:
    """Atlas Administration API v2 over one requests.Session.

    Credentials: ``public_key`` + ``private_key`` (HTTP Digest, the nonce is reused so each call after the first is one
    round trip) or ``client_id`` + ``client_secret`` (service account, one OAuth token per client, Bearer).
    """

    def __init__(self, base_url=DEFAULT_BASE_URL, public_key=None, private_key=None, client_id=None, client_secret=None,
                 validate_certs=True, timeout=30, deadline=300, retry_policy=None, user_agent=None):
        if not HAS_REQUESTS:
            raise AtlasError("the Python library requests is required: %s" % REQUESTS_IMPORT_ERROR)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.retry_policy = retry_policy or RetryPolicy(deadline=deadline)
        self.stats = {"requests": 0, "challenges": 0, "retries": 0, "tokens": 0}
        self._client_id = client_id
        self._client_secret = client_secret
        self._token = None
        self._token_expires = None

        self.session = requests.Session()
        self.session.verify = validate_certs
        self.session.headers.update({"Accept": ACCEPT, "User-Agent": user_agent or USER_AGENT})
        adapter = _CountingAdapter(self.stats, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

        if public_key and private_key:
            self.auth_kind = "api_key"
            self.session.auth = HTTPDigestAuth(public_key, private_key)
        elif client_id and client_secret:
            self.auth_kind = "service_account"
            self.session.auth = _BearerAuth(self)
        else:
            raise AtlasError("no Atlas credentials: give public_key and private_key (an API key) or client_id and "
                             "client_secret (a service account)")

    # -- public API -------------------------------------------------------------------------------------------------
    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def get_or_none(self, path, params=None):
        """The resource, or None when Atlas answers 404 for it (a missing project still raises)."""
        try:
            return self.request("GET", path, params=params)
        except AtlasApiError as exc:
            if exc.status == 404 and exc.error_code not in PROJECT_NOT_FOUND_CODES:
                return None
            raise

    def list_all(self, path, params=None):
        """Every result of a paginated list, all pages (itemsPerPage=500)."""
        results = []
        page_num = 1
        while True:
            page_params = dict(params or {})
            page_params.update({"itemsPerPage": ITEMS_PER_PAGE, "pageNum": page_num, "includeCount": "true"})
            page = self.request("GET", path, params=page_params)
            page_results = page.get("results") or []
            results.extend(page_results)
            total = page.get("totalCount")
            if not page_results:
                break
            if isinstance(total, int):
                # Trust the count: it also covers a server that caps pages below 500.
                if len(results) >= total:
                    break
            elif len(page_results) < ITEMS_PER_PAGE:
                break
            page_num += 1
        return results

    def post(self, path, body=None, params=None):
        return self.request("POST", path, params=params, body=body)

    def patch(self, path, body=None, params=None):
        return self.request("PATCH", path, params=params, body=body)

    def delete(self, path, params=None):
        return self.request("DELETE", path, params=params)

    def request(self, method, path, params=None, body=None):
        """One API call with retries; returns the parsed JSON body ({} when empty)."""
        if not path.startswith("/"):
            path = "/" + path
        url = self.base_url + API_PREFIX + path
        data = None
        headers = {}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        response = self._send_with_retries(method, url, path, params=params, data=data, headers=headers)
        return _parse_json(response, method, path)

    def close(self):
        self.session.close()

    # -- internals --------------------------------------------------------------------------------------------------
    def _send_with_retries(self, method, url, path, params=None, data=None, headers=None, auth=None, repeatable=None):
        if repeatable is None:
            repeatable = method in SAFE_METHODS
        budget = self.retry_policy.start()
        while True:
            try:
                # An attempt never outlives the deadline by more than a second.
                timeout = min(float(self.timeout), max(1.0, budget.remaining()))
                kwargs = dict(params=params, data=data, headers=headers, timeout=timeout)
                if self.session.verify is False:
                    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a session's verify=False; a per-request
                    # value wins over the environment, so validate_certs=false is honoured everywhere.
                    kwargs["verify"] = False
                if auth is not None:
                    kwargs["auth"] = auth
                response = self.session.request(method, url, **kwargs)
            except requests.exceptions.RequestException as exc:
                if _certificate_refused(exc):
                    # Not transient: retrying until the deadline would only delay the same answer.
                    raise AtlasTransportError(
                        "%s %s: the TLS certificate of %s was not trusted (%s). Check base_url; for a server with a private CA "
                        "give its CA bundle (REQUESTS_CA_BUNDLE=/path/to/ca.pem); validate_certs=false turns the check off"
                        % (method, path, self.base_url, _describe(exc)), method=method, path=path, attempts=budget.retries + 1)
                sent = _request_was_sent(exc)
                if sent and not repeatable:
                    raise AtlasOutcomeUnknown(
                        "%s %s was sent to Atlas but the connection failed before an answer (%s): it may or may not "
                        "have taken effect, so it was not re-sent; read the resource to find out" % (method, path, _describe(exc)),
                        method=method, path=path, attempts=budget.retries + 1)
                delay = budget.next_delay()
                if delay is None:
                    raise AtlasTransportError(
                        "%s %s: no answer from %s after %d attempts in %.0f s (%s)" % (
                            method, path, self.base_url, budget.retries + 1, budget.elapsed(), _describe(exc)),
                        method=method, path=path, attempts=budget.retries + 1)
                self.stats["retries"] += 1
                budget.wait(delay)
                continue

            if response.status_code in RETRY_STATUSES:
                retry_after = retry_after_seconds(response) if response.status_code in (429, 503) else None
                delay = budget.next_delay(retry_after)
                if delay is None:
                    raise _error_from_response(response, method, path, self.auth_kind, retried_for=budget.elapsed())
                self.stats["retries"] += 1
                response.close()
                budget.wait(delay)
                continue
            if response.status_code >= 400:
                raise _error_from_response(response, method, path, self.auth_kind)
            return response

    def _access_token(self):
        now = self.retry_policy.clock()
        if self._token is None or (self._token_expires is not None and now >= self._token_expires):
            self._token, expires_in = self._fetch_token()
            # Renew a minute early so a long wait never sends an expired token.
            self._token_expires = now + max(60.0, float(expires_in or 3600) - 60.0)
        return self._token

    def _fetch_token(self):
        url = self.base_url + TOKEN_PATH
        self.stats["tokens"] += 1
        # Token creation is safe to repeat (Atlas just issues another token), so connection errors after sending are
        # retried like a GET.
        response = self._send_with_retries(
            "POST", url, TOKEN_PATH, data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
            auth=(self._client_id, self._client_secret), repeatable=True)
        body = _parse_json(response, "POST", TOKEN_PATH)
        token = body.get("access_token")
        if not token:
            raise AtlasApiError(response.status_code, detail="the token endpoint returned no access_token", method="POST",
                                path=TOKEN_PATH, auth_kind="service_account")
        return token, body.get("expires_in")


def _parse_json(response, method, path):
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise AtlasApiError(response.status_code, detail="the answer was not JSON: %s" % response.text[:200],
                            reason=response.reason, method=method, path=path)


def _describe(exc):
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    return "%s: %s" % (type(exc).__name__, reason)
