"""Database users as the simulator keeps them: the spec's validation of a CloudDatabaseUser (2023-01-01, the only resource
version of these endpoints), the stored record (a salted hash of the password, never the password) and the answer's shape.

Sources: the spec (CloudDatabaseUser, DatabaseUserRole, UserScope: enums, maxLength, minLength, the databaseName table);
the errorCodes USERNAME_NOT_FOUND (the Atlas Kubernetes operator's api_error.go names it) and GROUP_NOT_FOUND (recorded:
other-databaseUsers-create-404-1.json). GUESS, marked where used: the detail texts not recorded, USER_ALREADY_EXISTS for a
duplicate, and the generic codes (MISSING_ATTRIBUTE, INVALID_ATTRIBUTE, INVALID_ENUM_VALUE) for the spec's rules.
"""

import datetime
import hashlib
import hmac
import re
import secrets

from .errors import ApiError

AUTH_FIELDS = {"awsIAMType": ("NONE", "USER", "ROLE"), "x509Type": ("NONE", "CUSTOMER", "MANAGED"), "ldapAuthType": ("NONE", "GROUP", "USER"),
               "oidcAuthType": ("NONE", "IDP_GROUP", "USER")}
DATABASE_NAMES = ("admin", "$external")
# The spec's table: AWS IAM, x.509, LDAP and OIDC workload users authenticate on $external; SCRAM and OIDC workforce on admin.
# GUESS: LDAP groups (authorisation) are accepted on admin too.
REQUIRED_DATABASE = {("awsIAMType", "USER"): "$external", ("awsIAMType", "ROLE"): "$external", ("x509Type", "CUSTOMER"): "$external",
                     ("x509Type", "MANAGED"): "$external", ("ldapAuthType", "USER"): "$external", ("oidcAuthType", "USER"): "$external",
                     ("oidcAuthType", "IDP_GROUP"): "admin", None: "admin"}
BUILT_IN_ROLES = ("atlasAdmin", "backup", "clusterMonitor", "dbAdmin", "dbAdminAnyDatabase", "enableSharding", "read", "readAnyDatabase",
                  "readWrite", "readWriteAnyDatabase")
ADMIN_ONLY_ROLES = ("atlasAdmin", "backup", "clusterMonitor", "dbAdminAnyDatabase", "readAnyDatabase", "readWriteAnyDatabase")
SCOPE_TYPES = ("CLUSTER", "DATA_LAKE", "STREAM")
SCOPE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*$")  # UserScope.name pattern
USERNAME_MAX, DESCRIPTION_MAX, PASSWORD_MIN = 1024, 100, 8
MAX_EXPIRATION_DAYS = 7  # "a future date that falls within one week" (deleteAfterDate)
WRITABLE = ("username", "databaseName", "password", "roles", "scopes", "description", "deleteAfterDate", "labels", "groupId") + tuple(AUTH_FIELDS)


def password_hash(password, salt=None):
    """(salt, PBKDF2-SHA256 digest): what the simulator keeps instead of a password."""
    salt = salt or secrets.token_bytes(16)
    return salt, hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 10000)


def password_matches(record, password):
    if record.get("passwordHash") is None or not isinstance(password, str):
        return False
    salt, digest = record["passwordHash"]
    return hmac.compare_digest(password_hash(password, salt)[1], digest)


def _auth(body):
    """The one authentication field that is not NONE, as (field, value), or None for SCRAM; INVALID_ENUM_VALUE / INVALID_ATTRIBUTE."""
    given = []
    for field, allowed in AUTH_FIELDS.items():
        value = body.get(field, "NONE")
        if value not in allowed:
            raise ApiError("INVALID_ENUM_VALUE", value)
        if value != "NONE":
            given.append((field, value))
    if len(given) > 1:
        raise ApiError("INVALID_ATTRIBUTE", given[1][0])  # GUESS: one authentication method per user
    return given[0] if given else None


def _entries(body, key, required):
    """body[key] as a list of objects, each with every `required` field (INVALID_JSON, MISSING_ATTRIBUTE key.field)."""
    entries = body.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ApiError("INVALID_JSON")
    for entry in entries:
        for name in required:
            if not entry.get(name):
                raise ApiError("MISSING_ATTRIBUTE", f"{key}.{name}")
    return entries


def _roles(body):
    checked = []
    for role in _entries(body, "roles", ("roleName", "databaseName")):
        if role["roleName"] not in BUILT_IN_ROLES:
            # GUESS: the simulator knows no custom roles, so any other name is unknown to it.
            raise ApiError("INVALID_ATTRIBUTE", "roles.roleName")
        if role["roleName"] in ADMIN_ONLY_ROLES and (role["databaseName"] != "admin" or role.get("collectionName")):
            raise ApiError("INVALID_ATTRIBUTE", "roles.databaseName")  # GUESS: roles on every database are granted on admin
        checked.append({key: role[key] for key in ("roleName", "databaseName", "collectionName") if role.get(key)})
    return checked


def _scopes(body, cluster_names):
    checked = []
    for scope in _entries(body, "scopes", ("name", "type")):
        if scope["type"] not in SCOPE_TYPES:
            raise ApiError("INVALID_ENUM_VALUE", scope["type"])
        if not SCOPE_NAME.match(str(scope["name"])):
            raise ApiError("INVALID_ATTRIBUTE", "scopes.name")
        if scope["type"] == "CLUSTER" and scope["name"] not in cluster_names:
            raise ApiError("INVALID_ATTRIBUTE", "scopes.name")  # GUESS: a cluster scope names a cluster of the project
        checked.append({"name": scope["name"], "type": scope["type"]})
    return checked


def _expiry(value, now):
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError("INVALID_ATTRIBUTE", "deleteAfterDate") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    # GUESS: the access list's codes for the same rule.
    if moment <= now:
        raise ApiError("EXPIRATION_DATE_IN_PAST")
    if moment > now + datetime.timedelta(days=MAX_EXPIRATION_DAYS):
        raise ApiError("EXPIRATION_DATE_EXCEEDS_MAX", str(MAX_EXPIRATION_DAYS))  # parameters are strings (recorded)
    return moment


def validated(body, now, cluster_names, existing=None):
    """The record a POST (existing None) or PATCH (existing: the stored record) makes of `body`; ApiError for what Atlas refuses."""
    if not isinstance(body, dict):
        raise ApiError("INVALID_JSON")
    unknown = sorted(set(body) - set(WRITABLE))
    if unknown:
        raise ApiError("INVALID_ATTRIBUTE", unknown[0])
    if existing is None:
        merged = dict(body)
        for name in ("username", "databaseName"):
            if not merged.get(name):
                if name == "databaseName":
                    merged[name] = "admin"  # the spec's default
                else:
                    raise ApiError("MISSING_ATTRIBUTE", name)
    else:
        for name in ("username", "databaseName"):
            if body.get(name) not in (None, existing[name]):
                raise ApiError("INVALID_ATTRIBUTE", name)  # GUESS: the path names the user; the body cannot rename it
        merged = dict(existing["body"], **{k: v for k, v in body.items() if k != "password"})
    username, database = str(merged["username"]), merged["databaseName"]
    if len(username) > USERNAME_MAX or not username.strip():
        raise ApiError("INVALID_ATTRIBUTE", "username")
    if database not in DATABASE_NAMES:
        raise ApiError("INVALID_ENUM_VALUE", database)
    auth = _auth(merged)
    if existing is not None and auth != existing["auth"]:
        raise ApiError("INVALID_ATTRIBUTE", auth[0] if auth else "awsIAMType")  # GUESS: the method of a user does not change
    required = REQUIRED_DATABASE.get(auth)  # None for an LDAP group: either database
    if required is not None and database != required:
        raise ApiError("INVALID_ATTRIBUTE", "databaseName")
    password = body.get("password")
    if auth is not None and password is not None:
        raise ApiError("INVALID_ATTRIBUTE", "password")  # only SCRAM users have one
    if auth is None and existing is None and not password:
        raise ApiError("MISSING_ATTRIBUTE", "password")
    if password is not None and (not isinstance(password, str) or len(password) < PASSWORD_MIN):
        raise ApiError("INVALID_ATTRIBUTE", "password")  # minLength 8; the detail never echoes the value
    description = merged.get("description")
    if description is not None and len(str(description)) > DESCRIPTION_MAX:
        raise ApiError("INVALID_ATTRIBUTE", "description")
    record = {"username": username, "databaseName": database, "auth": auth, "roles": _roles(merged), "scopes": _scopes(merged, cluster_names),
              "description": description or None, "labels": list(merged.get("labels") or []),
              "deleteAfterDate": _expiry(merged.get("deleteAfterDate"), now) if "deleteAfterDate" in body or existing is None
              else existing["deleteAfterDate"]}
    record["body"] = {k: v for k, v in merged.items() if k != "password"}
    if existing is not None:
        record["passwordHash"], record["passwordSets"] = existing["passwordHash"], existing["passwordSets"]
    if password:
        record["passwordHash"] = password_hash(password)
        record["passwordSets"] = record.get("passwordSets", 0) + 1
    return record


def view(record, href):
    """The CloudDatabaseUser Atlas answers: every authentication field, no password (writeOnly), no groupId (writeOnly in the
    spec; GUESS that Atlas leaves it out too)."""
    answer = {"databaseName": record["databaseName"], "labels": record["labels"], "links": [{"href": href, "rel": "self"}],
              "roles": record["roles"], "scopes": record["scopes"], "username": record["username"]}
    for field in AUTH_FIELDS:
        answer[field] = record["auth"][1] if record["auth"] and record["auth"][0] == field else "NONE"
    if record["description"]:
        answer["description"] = record["description"]
    if record["deleteAfterDate"] is not None:
        answer["deleteAfterDate"] = record["deleteAfterDate"].astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return answer


def control_view(record):
    """What the control API shows of a user: the answer's fields, and how often a password was set (never the password)."""
    return dict(view(record, ""), passwordSets=record.get("passwordSets", 0))
