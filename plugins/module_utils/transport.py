# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client every module of this collection uses to talk to the MongoDB Atlas Administration API v2.

Authentication (HTTP Digest with nonce reuse, or a service account's bearer token), one ``requests.Session`` for the
whole module run, pagination, and the call counters in ``stats``. What is retried lives in retries.py, the errors and
their hints in errors.py, the paths and calls of each Atlas resource in projects.py, containers.py, peerings.py and
access_lists.py. No Ansible imports: module.py turns the errors into failures.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
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

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import (
    ACCEPT,
    API_PREFIX,
    COLLECTION_NAME,
    COLLECTION_VERSION,
    DEFAULT_BASE_URL,
    accept,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import (
    NO_CREDENTIALS,
    PROJECT_NOT_FOUND_CODES,
    AtlasApiError,
    AtlasError,
    AtlasOutcomeUnknown,
    certificate_refused,
    error_from_answer,
    no_answer,
    outcome_unknown,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.retries import (
    RETRY_AFTER_STATUSES,
    RetryPolicy,
    is_retried_status,
    may_resend,
    retry_after_seconds,
)

USER_AGENT = "%s/%s (Ansible collection; +https://github.com/cloudwire/cloudwire.atlas)" % (COLLECTION_NAME, COLLECTION_VERSION)
TOKEN_PATH = "/api/oauth/token"
ITEMS_PER_PAGE = 500


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
            raise AtlasError(NO_CREDENTIALS)

    # -- public API -------------------------------------------------------------------------------------------------
    # ``version``: the resource version of the call (its Accept header), when it is not API_VERSION (common.py).
    def get(self, path, params=None, version=None):
        return self.request("GET", path, params=params, version=version)

    def get_or_none(self, path, params=None, version=None):
        """The resource, or None when Atlas answers 404 for it (a missing project still raises)."""
        try:
            return self.request("GET", path, params=params, version=version)
        except AtlasApiError as exc:
            if exc.status == 404 and exc.error_code not in PROJECT_NOT_FOUND_CODES:
                return None
            raise

    def list_all(self, path, params=None, version=None):
        """Every result of a paginated list, all pages (itemsPerPage=500)."""
        results = []
        page_num = 1
        while True:
            page_params = dict(params or {})
            page_params.update({"itemsPerPage": ITEMS_PER_PAGE, "pageNum": page_num, "includeCount": "true"})
            page = self.request("GET", path, params=page_params, version=version)
            if isinstance(page, list):
                return page  # an answer without the envelope (v1.0 style) is the whole list
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

    def post(self, path, body=None, params=None, version=None):
        return self.request("POST", path, params=params, body=body, version=version)

    def patch(self, path, body=None, params=None, version=None):
        return self.request("PATCH", path, params=params, body=body, version=version)

    def delete(self, path, params=None, version=None):
        return self.request("DELETE", path, params=params, version=version)

    def delete_if_present(self, path, still_there=None):
        """DELETE; True when this call removed the resource, False when it was gone already (404).

        A lost answer is settled by asking once more (DELETE is idempotent; a 404 then means the first request did it), or,
        given ``still_there`` (a read returning whether the resource is still there), only when that read finds it.
        """
        for attempt in (1, 2):
            try:
                self.delete(path)
                return True
            except AtlasOutcomeUnknown:
                if attempt == 2:
                    raise
                if still_there is not None and not still_there():
                    return True
            except AtlasApiError as exc:
                if exc.status != 404 or exc.error_code in PROJECT_NOT_FOUND_CODES:
                    raise
                return attempt == 2
        return None  # not reached: the loop returns or raises

    def request(self, method, path, params=None, body=None, version=None):
        """One API call with retries; returns the parsed JSON body ({} when empty). ``version``: see ``get``."""
        if not path.startswith("/"):
            path = "/" + path
        url = self.base_url + API_PREFIX + path
        data = None
        headers = {}
        if version is not None:
            headers["Accept"] = accept(version)
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        response = self._send_with_retries(method, url, path, params=params, data=data, headers=headers, version=version)
        return _parse_json(response, method, path)

    def close(self):
        self.session.close()

    # -- internals --------------------------------------------------------------------------------------------------
    def _send_with_retries(self, method, url, path, params=None, data=None, headers=None, auth=None, repeatable=None, version=None):
        if repeatable is None:
            repeatable = may_resend(method)
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
                attempts = budget.retries + 1
                if _certificate_refused(exc):
                    # Not transient: retrying until the deadline would only delay the same answer.
                    raise certificate_refused(method, path, self.base_url, _describe(exc), attempts)
                if _request_was_sent(exc) and not repeatable:
                    raise outcome_unknown(method, path, _describe(exc), attempts)
                delay = budget.next_delay()
                if delay is None:
                    raise no_answer(method, path, self.base_url, _describe(exc), attempts, budget.elapsed())
                self.stats["retries"] += 1
                budget.wait(delay)
                continue

            if is_retried_status(response.status_code):
                retry_after = retry_after_seconds(response) if response.status_code in RETRY_AFTER_STATUSES else None
                delay = budget.next_delay(retry_after)
                if delay is None:
                    raise self._error(response, method, path, retried_for=budget.elapsed(), version=version)
                self.stats["retries"] += 1
                response.close()
                budget.wait(delay)
                continue
            if response.status_code >= 400:
                raise self._error(response, method, path, version=version)
            return response

    def _error(self, response, method, path, retried_for=None, version=None):
        return error_from_answer(response.status_code, response.text, response.headers, reason=response.reason, method=method,
                                 path=path, auth_kind=self.auth_kind, retried_for=retried_for, api_version=version)

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
