# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors of the Atlas client and every hint a person reads when a run against Atlas fails, in one place.

* ``AtlasApiError``: Atlas answered with an HTTP error (built from the answer by ``error_from_answer``); its message
  names the call, the status, Atlas's errorCode and detail, and what to do (``hint_for``).
* ``AtlasTransportError`` / ``AtlasOutcomeUnknown``: no usable answer; a write whose answer was lost.
* ``AtlasStateError``: Atlas answered, but what it holds stops the run (a FAILED peering, a locked CIDR, ...); the
  builders below word each one.
* ``doing``: the decorator every resource call carries, so an error says what was being done ("Failed to ...").

A module reports all of them in one place (``AtlasModule.run`` in module.py). No hint ever contains a secret: they
name options and environment variables, never values of secret options. No Ansible or requests imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import inspect
import ipaddress
import json
import re

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import API_VERSION, CREDENTIAL_ENV, accept

ACCESS_LIST_CODES = frozenset(("IP_ADDRESS_NOT_ON_ACCESS_LIST", "ORG_REQUIRES_ACCESS_LIST", "RESOURCE_REQUIRES_ACCESS_LIST",
                               "IP_ADDRESS_NOT_ON_WHITELIST"))
PROJECT_NOT_FOUND_CODES = frozenset(("GROUP_NAME_NOT_FOUND", "GROUP_NOT_FOUND", "INVALID_GROUP_ID", "NOT_IN_GROUP"))
OAUTH_CLIENT_ERRORS = frozenset(("invalid_client", "unauthorized_client", "invalid_grant"))
# Real Atlas answers a refused digest key (and the digest challenge itself) with 401 UNEXPECTED_ERROR: not specific, so it
# is treated like a 401 without a code (tests/contract/recorded/accessList-create-401-1.json).
UNSPECIFIC_401_CODES = frozenset(("UNEXPECTED_ERROR",))
RATE_LIMIT_CODES = frozenset(("RATE_LIMITED", "RATE_LIMITED_TOKEN_BUCKET"))
ERROR_DETAIL_LIMIT = 200

NO_CREDENTIALS = ("No Atlas credentials: set public_key and private_key (or the environment variables %s and %s) for an API key, "
                  "or client_id and client_secret (%s and %s) for a service account." % (
                      CREDENTIAL_ENV["public_key"], CREDENTIAL_ENV["private_key"], CREDENTIAL_ENV["client_id"],
                      CREDENTIAL_ENV["client_secret"]))


class AtlasError(Exception):
    """Base of every error of the Atlas client; ``doing`` says what was being done (set by the ``doing`` decorator)."""

    doing = None


class AtlasApiError(AtlasError):
    """Atlas answered with an HTTP error; carries the ApiError fields and a message a person can act on."""

    def __init__(self, status, error_code=None, detail=None, parameters=None, reason=None, method=None, path=None,
                 auth_kind="api_key", retried_for=None, api_version=None):
        self.status = status
        self.error_code = error_code
        self.detail = detail
        self.parameters = list(parameters or [])  # Atlas sends [] and also null
        self.reason = reason
        self.method = method
        self.path = path
        self.auth_kind = auth_kind
        self.retried_for = retried_for
        self.api_version = api_version or API_VERSION  # the resource version the call asked for
        self.hint = hint_for(self)
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

    The resource functions re-read the resource and decide whether the write took effect.
    """


class AtlasStateError(AtlasError):
    """Atlas answered, but what it holds stops the run; ``result`` holds what the module returns beside the message."""

    def __init__(self, message, **result):
        self.result = result
        super(AtlasStateError, self).__init__(message)


def doing(description):
    """Decorate a call to Atlas so that an AtlasError raised inside says what was being done.

    ``description`` is a format string over the call's arguments by name (``"read network peering connection {peer_id}"``)
    or a function taking them as keywords. The innermost call that fails names it: a failed re-read inside a create says
    it was reading.
    """

    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def call(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except AtlasError as exc:
                if exc.doing is None:
                    bound = signature.bind(*args, **kwargs)
                    bound.apply_defaults()
                    arguments = bound.arguments
                    exc.doing = description(**arguments) if callable(description) else description.format(**arguments)
                raise

        return call

    return decorate


# -- no usable answer ----------------------------------------------------------------------------------------------------------
def certificate_refused(method, path, base_url, cause, attempts):
    return AtlasTransportError(
        "%s %s: the TLS certificate of %s was not trusted (%s). Check base_url; for a server with a private CA give its CA bundle "
        "(REQUESTS_CA_BUNDLE=/path/to/ca.pem); validate_certs=false turns the check off" % (method, path, base_url, cause),
        method=method, path=path, attempts=attempts)


def outcome_unknown(method, path, cause, attempts):
    return AtlasOutcomeUnknown(
        "%s %s was sent to Atlas but the connection failed before an answer (%s): it may or may not have taken effect, so it was "
        "not re-sent; read the resource to find out" % (method, path, cause), method=method, path=path, attempts=attempts)


def no_answer(method, path, base_url, cause, attempts, elapsed):
    return AtlasTransportError("%s %s: no answer from %s after %d attempts in %.0f s (%s)" % (method, path, base_url, attempts, elapsed, cause),
                               method=method, path=path, attempts=attempts)


# -- Atlas's answer -> AtlasApiError ---------------------------------------------------------------------------------------
def _header(headers, name):
    """A header by name, whatever its case (a plain dict from a recording, or requests' case-insensitive one)."""
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == wanted:
            return value
    return None


def error_from_answer(status, text, headers=None, reason=None, method=None, path=None, auth_kind="api_key", retried_for=None,
                      api_version=None):
    """The AtlasApiError for an HTTP error answer: its ApiError body, or the X-Error-Code header when the body is not one."""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    header_code = _header(headers, "X-Error-Code") or None
    if isinstance(body, dict) and ("errorCode" in body or "detail" in body or "error" in body):
        error_code = body.get("errorCode") or header_code
        detail = body.get("detail")
        # The OAuth token endpoint answers in the RFC 6749 shape: {"error": "invalid_client", "error_description": ...}.
        if error_code is None and isinstance(body.get("error"), str):
            error_code = body.get("error")
            detail = detail or body.get("error_description")
        return AtlasApiError(status, error_code=error_code, detail=detail, parameters=body.get("parameters"),
                             reason=body.get("reason") or reason, method=method, path=path, auth_kind=auth_kind,
                             retried_for=retried_for, api_version=api_version)
    text = (text or "").strip()
    # Atlas names the error in a header too: the one place left to read it when a proxy replaced the body.
    return AtlasApiError(status, error_code=header_code, detail=text[:ERROR_DETAIL_LIMIT] if text else None, reason=reason,
                         method=method, path=path, auth_kind=auth_kind, retried_for=retried_for, api_version=api_version)


# -- hints for the errors Atlas answers --------------------------------------------------------------------------------------
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
    if "/databaseUsers" in (path or ""):
        return "Project Owner or Project Database Access Admin"
    return "Project Owner or Project Network Access Manager"


def credentials_hint(auth_kind):
    """What to check when Atlas did not accept the credentials (names the options and variables, never a value)."""
    if auth_kind == "service_account":
        return ("The service account credentials were not accepted: check client_id and client_secret (%s / %s) and that "
                "the secret has not expired." % (CREDENTIAL_ENV["client_id"], CREDENTIAL_ENV["client_secret"]))
    return ("The API key was not accepted: check that public_key and private_key (%s / %s) are the two halves of one existing "
            "API key." % (CREDENTIAL_ENV["public_key"], CREDENTIAL_ENV["private_key"]))


def _access_list_hint(error):
    ip = _caller_ip(error.parameters) or _caller_ip(re.findall(r"[0-9a-fA-F.:]{7,}", error.detail or ""))
    who = "this machine's address %s" % ip if ip else "this machine's public address"
    return ("Atlas sees the call coming from %s, which is not on the API key's (or service account's) own API access list: "
            "add %s to it in Organization Access Manager > Applications > API Keys > Edit Permissions > API Access List. "
            "This is not the project IP access list." % (who, ip or "that address"))


# Refusals whose remedy does not depend on the call.
CODE_HINTS = {
    "CONTAINERS_IN_USE": ("Network peering connections or clusters still use the container: delete the peerings "
                          "(atlas_vpc_peering state=absent) and terminate the clusters in its region, then run again."),
    "PEER_INVALID_STATE": ("Atlas changes a peering only while it is PENDING_ACCEPTANCE or AVAILABLE, not while it is INITIATING, "
                           "FINALIZING or TERMINATING: run again once it is AVAILABLE or PENDING_ACCEPTANCE."),
    "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION": (
        "Atlas accepts a security group only once the project has a network peering connection: request the peering first "
        "(atlas_vpc_peering), or allow the VPC's CIDR block instead."),
    "CANNOT_CLOSE_GROUP_ACTIVE_PEERING_CONNECTIONS": ("Delete the project's network peering connections first "
                                                      "(atlas_vpc_peering state=absent)."),
    "PATH_PARAM_PARSE_ERROR": ("An id in the request path is malformed: check project_id, container_id and the other ids "
                               "given to the task."),
    "CLUSTER_NOT_FOUND": ("The project has no cluster of that name: check the cluster name (cloudwire.atlas.atlas_cluster_info lists "
                          "the project's clusters)."),
    "USERNAME_NOT_FOUND": ("The database user is not in the project (someone deleted it meanwhile, or the authentication database "
                           "differs): run again to create it."),
}


def hint_for(error):
    """What a person should do about an AtlasApiError, or None (never mentions a secret)."""
    code = error.error_code
    if error.status == 401 and (not code or code in OAUTH_CLIENT_ERRORS or code in UNSPECIFIC_401_CODES):
        return credentials_hint(error.auth_kind)
    if code == "USER_UNAUTHORIZED":
        return ("The credentials are valid but lack the role this call needs: %s on the project "
                "(Project Access Manager > Applications > API Keys)." % _required_role(error.method, error.path))
    if code in ACCESS_LIST_CODES:
        return _access_list_hint(error)
    if code in PROJECT_NOT_FOUND_CODES:
        return ("The project does not exist or these credentials are not a member of it: check project_id / project_name "
                "and invite the API key or service account to the project.")
    if code in CODE_HINTS:
        return CODE_HINTS[code]
    if code == "INVALID_VERSION_DATE" or error.status == 406:
        return ("The server did not accept the API version %s (Accept: %s): check that base_url points at the Atlas "
                "Administration API." % (error.api_version, accept(error.api_version)))
    if error.status == 429 or code in RATE_LIMIT_CODES:
        if error.retried_for is not None:
            return ("Still rate limited after retrying for %.0f s: Atlas limits calls per API key, project and organisation; "
                    "run fewer jobs at once or retry later." % error.retried_for)
        return "Rate limited by Atlas: retry later."
    if error.status >= 500 and error.retried_for is not None:
        return ("Atlas kept failing for %.0f s of retries: this is on Atlas's side (see https://status.mongodb.com); "
                "run again later." % error.retried_for)
    return None


# -- what Atlas holds stops the run --------------------------------------------------------------------------------------------
PEERING_REMEDIES = {
    "REJECTED": "someone rejected the peering request in AWS account {account}; request it again (state=absent then present, "
                "or recreate_failed=true) and accept the new pcx- connection in that account",
    "EXPIRED": "the request was not accepted in AWS account {account} within 7 days; request it again (recreate_failed=true) "
               "and accept the new pcx- connection within 7 days",
    "INVALID_ARGUMENT": "Atlas could not request a peering to {vpc} in account {account}, region {region}: check that the VPC "
                        "exists in that account and region and that its CIDR does not overlap the Atlas CIDR, then request it again "
                        "(recreate_failed=true)",
}
DEFAULT_PEERING_REMEDY = "delete the peering (state=absent) and request it again, or set recreate_failed=true"


def peering_failed(raw, accepter_region, **result):
    """A peering Atlas reports FAILED: why (errorStateName) and what to do."""
    error_state = raw.get("errorStateName") or "UNKNOWN"
    remedy = PEERING_REMEDIES.get(error_state, DEFAULT_PEERING_REMEDY).format(
        account=raw.get("awsAccountId"), vpc=raw.get("vpcId"), region=accepter_region)
    return AtlasStateError("Atlas peering %s to %s is FAILED with errorStateName %s: %s." % (raw.get("id"), raw.get("vpcId"), error_state, remedy),
                           error_state_name=raw.get("errorStateName"), **result)


def peering_wait_timeout(peer_id, last, timeout, waiting_for, accepter_region, **result):
    """A wait for a peering ran out; a peering waiting for acceptance says where to accept it."""
    status = last.get("statusName") if last else "gone"
    hint = ""
    if last and status == "PENDING_ACCEPTANCE":
        hint = " Accept %s in AWS account %s, region %s." % (last.get("connectionId"), last.get("awsAccountId"), accepter_region)
    return AtlasStateError("Peering %s is still %s after %s s of waiting for %s.%s" % (peer_id, status, timeout, waiting_for, hint), **result)


def peering_gone(waiting_to):
    """The peering disappeared during a wait (someone deleted it)."""
    return AtlasStateError("Peering disappeared while waiting %s: someone deleted it. Run again to request it again." % waiting_to,
                           peering=None)


def no_container(project_id, region_name):
    return AtlasStateError("Project %s has no Atlas network peering container in %s: create it first with cloudwire.atlas.atlas_container "
                           "(region=%s, atlas_cidr_block=...)." % (project_id, region_name, region_name))


def container_cidr_locked(raw, region_name, wanted_cidr, reason, **result):
    """A CIDR change Atlas would refuse: the container's (``raw``, as Atlas returns it) CIDR is locked by peerings or clusters."""
    have = raw.get("atlasCidrBlock")
    return AtlasStateError(
        "The Atlas container %s in %s has CIDR %s and atlas_cidr_block asks for %s, but Atlas locks the CIDR because %s. "
        "Use atlas_cidr_block=%s (or omit it), or delete the peerings and clusters in this region first."
        % (raw.get("id"), region_name, have, wanted_cidr, reason, have),
        current_cidr=have, wanted_cidr=wanted_cidr, **result)


def container_created_elsewhere(region_name, found_cidr, wanted_cidr, **result):
    """Another run created the region's container, with another CIDR, between this run's read and its POST."""
    return AtlasStateError("Another run created the Atlas container in %s with CIDR %s while this one wanted %s: use atlas_cidr_block=%s"
                           % (region_name, found_cidr, wanted_cidr, found_cidr), current_cidr=found_cidr, wanted_cidr=wanted_cidr, **result)


def access_list_conflict(keys, project_id, attempts):
    """Additions that other writers kept colliding with (409), or whose answers were lost, attempt after attempt."""
    return AtlasStateError(
        "Could not add %s to the IP access list of project %s in %d attempts: Atlas answered 409 (another writer was adding entries at "
        "the same time; Atlas does not support concurrent additions) or the answer was lost each time. Serialise the writers (for "
        "example throttle: 1 on the task) and run again." % (", ".join(keys), project_id, attempts))


def access_list_not_active(pending, timeout):
    return AtlasStateError("Access-list entr%s %s not ACTIVE after %s s; Atlas is still applying them to the project's clusters. "
                           "Run again with a longer wait_timeout." % ("y is" if len(pending) == 1 else "ies are", ", ".join(pending), timeout),
                           pending=pending)


def access_list_failed(failed):
    return AtlasStateError("Atlas reports access-list entr%s %s FAILED: it could not apply them. Remove and add them again; for a "
                           "security group, check that the project has a peering with the group's VPC."
                           % ("y" if len(failed) == 1 else "ies", ", ".join(failed)), failed=failed)


def database_user_password_required(username, auth_database):
    """A SCRAM user to create, and no password to create it with."""
    return AtlasStateError("Database user %s (%s) does not exist and Atlas needs a password to create it: give password (at least 8 "
                           "characters; from Ansible Vault or the environment, never in clear)." % (username, auth_database))


def database_user_auth_type_locked(username, auth_database, have, want):
    """A user whose authentication type differs from the wanted one: Atlas does not change it in place."""
    return AtlasStateError("Database user %s (%s) authenticates with %s, and auth_type asks for %s: Atlas does not change a user's "
                           "authentication type. Remove the user first (state=absent), then create it again, or keep auth_type=%s."
                           % (username, auth_database, have, want, have), current_auth_type=have, wanted_auth_type=want)
