# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas database users: their paths, one function per call, the normalisation of a user to and from the API, and the
comparison the module and the role's plan share.

Atlas never returns a password, so a user compares by everything else (authentication type, roles, scopes, description,
expiry); whether a password is sent is the caller's decision (``update_password``). No function here returns, logs or puts a
password in an exception message: ``request_body`` is the only one that takes one. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.common import api_path
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasOutcomeUnknown, doing

USERS_PATH = "/groups/{project_id}/databaseUsers"
USER_PATH = "/groups/{project_id}/databaseUsers/{auth_database}/{username}"

ADMIN, EXTERNAL = "admin", "$external"
# auth_type -> (the API field that says so and its value, the authentication database Atlas requires, or None when both are taken).
# The spec: "AWS IAM, x.509, LDAP, or OIDC Workload ... $external. SCRAM-SHA or OIDC Workforce ... admin" (CloudDatabaseUser.databaseName);
# LDAP authorisation groups are kept on admin too, so an LDAP group takes either.
AUTH_TYPES = {
    "scram": (None, None, ADMIN),
    "aws_iam_user": ("awsIAMType", "USER", EXTERNAL),
    "aws_iam_role": ("awsIAMType", "ROLE", EXTERNAL),
    "x509_managed": ("x509Type", "MANAGED", EXTERNAL),
    "x509_customer": ("x509Type", "CUSTOMER", EXTERNAL),
    "ldap_user": ("ldapAuthType", "USER", EXTERNAL),
    "ldap_group": ("ldapAuthType", "GROUP", None),
    "oidc_workforce": ("oidcAuthType", "IDP_GROUP", ADMIN),
    "oidc_workload": ("oidcAuthType", "USER", EXTERNAL),
}
AUTH_FIELDS = ("awsIAMType", "x509Type", "ldapAuthType", "oidcAuthType")
# The module's choices, in the order its documentation lists them.
AUTH_TYPE_CHOICES = ("scram", "aws_iam_user", "aws_iam_role", "x509_managed", "x509_customer", "ldap_user", "ldap_group", "oidc_workforce",
                     "oidc_workload")
DEFAULT_AUTH_DATABASE = dict((name, required or EXTERNAL) for name, (_field, _value, required) in AUTH_TYPES.items())
# Built-in roles that apply to every database: Atlas grants them on admin only.
ADMIN_ONLY_ROLES = ("atlasAdmin", "readAnyDatabase", "readWriteAnyDatabase", "dbAdminAnyDatabase", "clusterMonitor", "backup")
SCOPE_TYPES = {"cluster": "CLUSTER", "data_lake": "DATA_LAKE", "stream": "STREAM"}
USERNAME_MAX_LENGTH = 1024    # CloudDatabaseUser.username maxLength
DESCRIPTION_MAX_LENGTH = 100  # CloudDatabaseUser.description maxLength
PASSWORD_MIN_LENGTH = 8       # CloudDatabaseUser.password minLength
DATABASE_NAME_MAX_LENGTH = 63
COMPARED = ("auth_type", "roles", "scopes", "description", "delete_after_date")

_DATABASE_NAME_FORBIDDEN = re.compile(r'[/\\. "$*<>:|?]')
_SCOPE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$")
_ROLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_IAM_ARN = {"aws_iam_user": re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:user/\S+$"),
            "aws_iam_role": re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/\S+$")}


def users_path(project_id):
    return api_path(USERS_PATH, project_id=project_id)


def user_path(project_id, auth_database, username):
    """The user's path: the whole username is one segment (an IAM ARN's slash is sent as %2F, $external as %24external)."""
    return api_path(USER_PATH, project_id=project_id, auth_database=auth_database, username=username)


# -- calls -------------------------------------------------------------------------------------------------------------------
@doing("list the project's database users")
def list_users(client, project_id):
    """Every database user of the project, all pages, as Atlas returns them (no passwords: Atlas never returns one)."""
    return client.list_all(users_path(project_id))


@doing("read database user {username} ({auth_database})")
def get(client, project_id, auth_database, username):
    """The user, or None when the project has none of that name in that authentication database (404 USERNAME_NOT_FOUND)."""
    return client.get_or_none(user_path(project_id, auth_database, username))


def _creating(body, **_arguments):
    return "create database user %s (%s)" % (body.get("username"), body.get("databaseName"))


@doing(_creating)
def create(client, project_id, body):
    """POST the user. After a lost answer, or a 409 (another run created it meanwhile), the user is read: found, it is the
    answer (the caller compares it and updates what differs); not found after a lost answer, the POST is sent once more."""
    username, auth_database = body["username"], body["databaseName"]
    for attempt in (1, 2):
        try:
            return client.post(users_path(project_id), body)
        except AtlasOutcomeUnknown:
            found = get(client, project_id, auth_database, username)
            if found is not None:
                return found
            if attempt == 2:
                raise
        except AtlasApiError as exc:
            if exc.status != 409:
                raise
            found = get(client, project_id, auth_database, username)
            if found is None:
                raise
            return found
    return None  # not reached: the loop returns or raises


@doing("update database user {username} ({auth_database})")
def update(client, project_id, auth_database, username, body):
    """PATCH the user with the whole wanted state; a lost answer is settled by sending it once more (the same PATCH twice is
    the same user)."""
    path = user_path(project_id, auth_database, username)
    try:
        return client.patch(path, body)
    except AtlasOutcomeUnknown:
        return client.patch(path, body)


@doing("delete database user {username} ({auth_database})")
def delete(client, project_id, auth_database, username):
    """DELETE the user; False when it was gone already. After a lost answer the DELETE is sent once more."""
    return client.delete_if_present(user_path(project_id, auth_database, username))


# -- normalisation (pure) --------------------------------------------------------------------------------------------------
def _text(value):
    return None if value is None else str(value).strip()


def check_username(username, auth_type):
    """The username's rule for its authentication type (the spec's table under CloudDatabaseUser.username)."""
    text = _text(username) or ""
    if not text or len(text) > USERNAME_MAX_LENGTH or text != str(username) or any(ord(c) < 32 for c in text):
        raise ValueError("username %r must be 1 to %d characters without leading or trailing spaces" % (username, USERNAME_MAX_LENGTH))
    if auth_type in _IAM_ARN and not _IAM_ARN[auth_type].match(text):
        raise ValueError("username %r must be the ARN of the IAM %s (arn:aws:iam::<12-digit account>:%s/<name>) with auth_type=%s"
                         % (username, auth_type[len("aws_iam_"):], auth_type[len("aws_iam_"):], auth_type))
    if auth_type in ("x509_customer", "ldap_user", "ldap_group") and "=" not in text:
        raise ValueError("username %r must be an RFC 2253 distinguished name (such as CN=app,OU=payments,O=example) with auth_type=%s"
                         % (username, auth_type))
    if auth_type in ("oidc_workforce", "oidc_workload"):
        idp, sep, name = text.partition("/")
        if not (idp and sep and name):
            raise ValueError("username %r must be <identity provider id>/<name> with auth_type=%s" % (username, auth_type))
    return text


def auth_database_for(auth_type, auth_database=None):
    """The authentication database: as given (checked against the type), else the type's."""
    required = AUTH_TYPES[auth_type][2]
    given = _text(auth_database)
    if not given:
        return DEFAULT_AUTH_DATABASE[auth_type]
    if given not in (ADMIN, EXTERNAL):
        raise ValueError("auth_database %r must be admin or $external" % (auth_database,))
    if required and given != required:
        raise ValueError("auth_database %r does not go with auth_type=%s: Atlas authenticates these users on %s" % (auth_database, auth_type, required))
    return given


def _database_name(value, where):
    text = _text(value)
    if not text:
        raise ValueError("%s.database_name is required: the database the role applies to" % where)
    if _DATABASE_NAME_FORBIDDEN.search(text) or len(text) > DATABASE_NAME_MAX_LENGTH:
        raise ValueError("%s.database_name %r is not a MongoDB database name (at most %d characters, none of /\\. \"$*<>:|? or a space)"
                         % (where, value, DATABASE_NAME_MAX_LENGTH))
    return text


def normalize_role(role, index):
    """One role -> {role_name, database_name, collection_name}; the rules Atlas applies to it."""
    where = "roles[%d]" % index
    name = _text(role.get("role_name"))
    if not name or not _ROLE_NAME.match(name):
        raise ValueError("%s.role_name %r is not a role name (a built-in role such as readWrite, or a custom role's name: letters, "
                         "digits, hyphens and underscores)" % (where, role.get("role_name")))
    collection = _text(role.get("collection_name")) or None
    if name in ADMIN_ONLY_ROLES:
        database = _text(role.get("database_name")) or ADMIN
        if database != ADMIN or collection:
            raise ValueError("%s: role %s applies to every database: Atlas grants it on database_name admin, without a collection_name "
                             "(got %r%s)" % (where, name, database, ", collection %r" % collection if collection else ""))
    else:
        database = _database_name(role.get("database_name"), where)
    if collection is not None and ("$" in collection or collection.startswith("system.")):
        raise ValueError("%s.collection_name %r is not a collection a role can name (no $, not system.*)" % (where, collection))
    return {"role_name": name, "database_name": database, "collection_name": collection}


def normalize_scope(scope, index):
    where = "scopes[%d]" % index
    name = _text(scope.get("name"))
    if not name or not _SCOPE_NAME.match(name):
        raise ValueError("%s.name %r is not a cluster, data lake or stream name (1 to 64 ASCII letters, digits and hyphens, starting "
                         "with a letter or digit)" % (where, scope.get("name")))
    kind = (_text(scope.get("type")) or "cluster").lower()
    if kind not in SCOPE_TYPES:
        raise ValueError("%s.type %r is not one of %s" % (where, scope.get("type"), ", ".join(SCOPE_TYPES)))
    return {"name": name, "type": kind}


def _sorted_unique(items, key, what):
    seen = {}
    for index, item in enumerate(items):
        identity = key(item)
        if identity in seen:
            raise ValueError("%s[%d] is the same as %s[%d]: list each once" % (what, index, what, seen[identity]))
        seen[identity] = index
    return sorted(items, key=key)


def _role_key(role):
    return (role["database_name"], role["role_name"], role["collection_name"] or "")


def _scope_key(scope):
    return (scope["type"], scope["name"])


def normalize_user(spec, now=None, check_expiry=True):
    """A user as the module (or the role) gives it -> the normalised form compared with Atlas's and sent to it.

    ``spec``: username, auth_type (default scram), auth_database, roles (list of role_name / database_name / collection_name),
    scopes (None = not compared; [] = every cluster of the project), description (None = not compared), delete_after_date.
    A password is never part of it. ValueError names the field, the value and the rule.
    """
    auth_type = spec.get("auth_type") or "scram"
    if auth_type not in AUTH_TYPES:
        raise ValueError("auth_type %r is not one of %s" % (auth_type, ", ".join(sorted(AUTH_TYPES))))
    user = {"username": check_username(spec.get("username"), auth_type), "auth_type": auth_type,
            "auth_database": auth_database_for(auth_type, spec.get("auth_database"))}
    roles = spec.get("roles")
    user["roles"] = _sorted_unique([normalize_role(r, i) for i, r in enumerate(roles or [])], _role_key, "roles") if roles is not None else None
    scopes = spec.get("scopes")
    user["scopes"] = _sorted_unique([normalize_scope(s, i) for i, s in enumerate(scopes)], _scope_key, "scopes") if scopes is not None else None
    description = spec.get("description")
    if description is not None and len(str(description)) > DESCRIPTION_MAX_LENGTH:
        raise ValueError("description is %d characters long: Atlas allows at most %d" % (len(str(description)), DESCRIPTION_MAX_LENGTH))
    user["description"] = None if description is None else str(description)
    expiry = spec.get("delete_after_date")
    if expiry in (None, ""):
        user["delete_after_date"] = None
    elif check_expiry:
        user["delete_after_date"] = validators.delete_after_date(expiry, now=now)
    else:
        user["delete_after_date"] = validators.format_datetime(validators.parse_datetime(expiry))
    return user


def check_password(password, auth_type):
    """The password's rules, in words that never contain it."""
    if password in (None, ""):
        return
    if auth_type != "scram":
        raise ValueError("password is given, but only auth_type=scram users have one (this one authenticates with %s)" % auth_type)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError("password is %d characters long: Atlas requires at least %d" % (len(password), PASSWORD_MIN_LENGTH))


def auth_type_of(api_user):
    for name, (field, value, _database) in AUTH_TYPES.items():
        if field and api_user.get(field) == value:
            return name
    return "scram"


def user_from_api(api_user):
    """A CloudDatabaseUser -> the normalised form (scopes [] when Atlas lists none: every cluster)."""
    roles = [{"role_name": r.get("roleName"), "database_name": r.get("databaseName"), "collection_name": r.get("collectionName") or None}
             for r in api_user.get("roles") or []]
    scopes = [{"name": s.get("name"), "type": (s.get("type") or "CLUSTER").lower()} for s in api_user.get("scopes") or []]
    expiry = api_user.get("deleteAfterDate")
    try:
        expiry = validators.format_datetime(validators.parse_datetime(expiry)) if expiry else None
    except ValueError:
        pass  # compared as Atlas wrote it
    return {"username": api_user.get("username"), "auth_type": auth_type_of(api_user), "auth_database": api_user.get("databaseName"),
            "roles": sorted(roles, key=_role_key), "scopes": sorted(scopes, key=_scope_key),
            "description": api_user.get("description") or None, "delete_after_date": expiry}


def find_user(api_users, username, auth_database):
    """The user of that name in that authentication database among Atlas's answers, normalised; None when there is none."""
    for api_user in api_users or []:
        if api_user.get("username") == username and api_user.get("databaseName") == auth_database:
            return user_from_api(api_user)
    return None


def differences(have, want):
    """The compared fields that differ: [field, ...] in COMPARED order. A field the wanted user leaves out (None) is not compared."""
    changed = []
    for field in COMPARED:
        wanted = want.get(field)
        if wanted is None:
            continue
        current = have.get(field)
        if field == "description":
            current, wanted = current or "", wanted or ""
        if current != wanted:
            changed.append(field)
    return changed


def merged(have, want):
    """The user after an update: what is wanted, and what the wanted user leaves out as it is."""
    return dict((field, want[field] if want.get(field) is not None else have.get(field)) for field in ("username", "auth_database") + COMPARED)


def _role_body(role):
    body = {"roleName": role["role_name"], "databaseName": role["database_name"]}
    if role.get("collection_name"):
        body["collectionName"] = role["collection_name"]
    return body


def request_body(project_id, user, password=None):
    """The CloudDatabaseUser to POST or PATCH: the whole wanted user (scopes only when given), and the password only when sent."""
    field, value, _database = AUTH_TYPES[user["auth_type"]]
    body = {"groupId": project_id, "username": user["username"], "databaseName": user["auth_database"],
            "roles": [_role_body(role) for role in user["roles"] or []]}
    for name in AUTH_FIELDS:
        body[name] = value if name == field else "NONE"
    if user.get("scopes") is not None:
        body["scopes"] = [{"name": s["name"], "type": SCOPE_TYPES[s["type"]]} for s in user["scopes"]]
    if user.get("description") is not None:
        body["description"] = user["description"]
    if user.get("delete_after_date"):
        body["deleteAfterDate"] = user["delete_after_date"]
    if password:
        body["password"] = password
    return body


def public(user):
    """A normalised user as the modules return it (there is no password to leave out: it never gets here)."""
    if user is None:
        return None
    return dict((field, user.get(field)) for field in ("username", "auth_database") + COMPARED)


def plan_user(current, want, state, password_given, update_password="on_create"):
    """What a run must do for one user: dict(action: create | update | delete | none, changes: [field, ...], password: whether the
    password is sent, before, after (public forms; {} when absent)).

    ``current``: the user as Atlas has it (normalised) or None; ``want``: the normalised wanted user. With update_password
    ``always`` an existing SCRAM user's password is sent on every run (Atlas cannot say whether it differs), which is a change.
    """
    before = public(current) or {}
    if state == "absent":
        return {"action": "delete" if current else "none", "changes": [], "password": False, "before": before, "after": {}}
    if current is None:
        return {"action": "create", "changes": [], "password": bool(password_given), "before": {}, "after": public(want)}
    changes = differences(current, want)
    password = bool(password_given) and update_password == "always" and want["auth_type"] == "scram"
    action = "update" if changes or password else "none"
    return {"action": action, "changes": changes, "password": password, "before": before, "after": public(merged(current, want))}
