# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""database_users.py: every rule of a wanted user (each message names the field, the value and the rule, never a password),
the comparison (roles and scopes as sets, what is left out is not compared), the plan of update_password, the request body
(a password only when sent), the calls (a create that lost its answer or met another run's user), the recorded answers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import database_users
from ansible_collections.cloudwire.atlas.plugins.module_utils.database_users import (
    check_password,
    differences,
    normalize_user,
    plan_user,
    request_body,
    user_from_api,
    user_path,
)
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError, AtlasOutcomeUnknown
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import Reply, api_error, recorded_reply, recording

GROUP = "b0123456789abcdef012345b"
PASSWORD = "s3cret-Passw0rd"
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.timezone.utc)
APP = {"username": "app-dev", "roles": [{"role_name": "readWrite", "database_name": "orders"}]}
API_APP = {"username": "app-dev", "databaseName": "admin", "awsIAMType": "NONE", "ldapAuthType": "NONE", "oidcAuthType": "NONE", "x509Type": "NONE",
           "labels": [], "roles": [{"roleName": "readWrite", "databaseName": "orders"}], "scopes": []}


def test_a_scram_user_defaults_to_admin_and_sorts_its_roles():
    user = normalize_user({"username": "app-dev", "roles": [{"role_name": "readWrite", "database_name": "orders"},
                                                            {"role_name": "read", "database_name": "audit", "collection_name": "log"},
                                                            {"role_name": "readAnyDatabase"}], "scopes": [{"name": "shared"}]})
    assert user == {"username": "app-dev", "auth_type": "scram", "auth_database": "admin",
                    "roles": [{"role_name": "readAnyDatabase", "database_name": "admin", "collection_name": None},
                              {"role_name": "read", "database_name": "audit", "collection_name": "log"},
                              {"role_name": "readWrite", "database_name": "orders", "collection_name": None}],
                    "scopes": [{"name": "shared", "type": "cluster"}], "description": None, "delete_after_date": None}


@pytest.mark.parametrize("spec, words", [
    ({"username": ""}, "username '' must be 1 to 1024 characters"),
    ({"username": " app"}, "without leading or trailing spaces"),
    ({"username": "app", "auth_type": "kerberos"}, "auth_type 'kerberos' is not one of"),
    ({"username": "app", "auth_type": "aws_iam_role"}, "must be the ARN of the IAM role"),
    ({"username": "arn:aws:iam::123456789012:user/app", "auth_type": "aws_iam_role"}, "must be the ARN of the IAM role"),
    ({"username": "app", "auth_type": "x509_customer"}, "RFC 2253 distinguished name"),
    ({"username": "app", "auth_type": "oidc_workload"}, "<identity provider id>/<name>"),
    ({"username": "app", "auth_database": "orders"}, "auth_database 'orders' must be admin or $external"),
    ({"username": "app", "auth_database": "$external"}, "does not go with auth_type=scram: Atlas authenticates these users on admin"),
    ({"username": "app", "roles": [{"role_name": "readWrite"}]}, "roles[0].database_name is required"),
    ({"username": "app", "roles": [{"role_name": "read write", "database_name": "x"}]}, "roles[0].role_name 'read write' is not a role name"),
    ({"username": "app", "roles": [{"role_name": "readWriteAnyDatabase", "database_name": "orders"}]}, "applies to every database"),
    ({"username": "app", "roles": [{"role_name": "read", "database_name": "my.db"}]}, "'my.db' is not a MongoDB database name"),
    ({"username": "app", "roles": [{"role_name": "read", "database_name": "x", "collection_name": "system.users"}]}, "not system.*"),
    ({"username": "app", "roles": [{"role_name": "read", "database_name": "x"}, {"role_name": "read", "database_name": "x"}]},
     "roles[1] is the same as roles[0]"),
    ({"username": "app", "scopes": [{"name": "-bad"}]}, "scopes[0].name '-bad' is not a cluster"),
    ({"username": "app", "scopes": [{"name": "c", "type": "lake"}]}, "scopes[0].type 'lake' is not one of cluster, data_lake, stream"),
    ({"username": "app", "description": "x" * 101}, "description is 101 characters long: Atlas allows at most 100"),
    ({"username": "app", "delete_after_date": "2026-12-01T00:00:00Z"}, "more than 7 days ahead"),
    ({"username": "app", "delete_after_date": "2026-11-01T00:00:00Z"}, "is not in the future"),
])
def test_every_rule_names_the_field_and_the_value(spec, words):
    with pytest.raises(ValueError) as caught:
        normalize_user(spec, now=NOW)
    assert words in str(caught.value)


def test_authentication_types_and_their_databases():
    role = normalize_user({"username": "arn:aws:iam::123456789012:role/payments-api", "auth_type": "aws_iam_role"})
    assert role["auth_database"] == "$external"
    assert normalize_user({"username": "CN=app,O=example", "auth_type": "ldap_group"})["auth_database"] == "$external"
    assert normalize_user({"username": "CN=app,O=example", "auth_type": "ldap_group", "auth_database": "admin"})["auth_database"] == "admin"
    assert normalize_user({"username": "0123456789abcdef01234567/admins", "auth_type": "oidc_workforce"})["auth_database"] == "admin"
    body = request_body(GROUP, role)
    assert (body["awsIAMType"], body["x509Type"], body["ldapAuthType"], body["oidcAuthType"]) == ("ROLE", "NONE", "NONE", "NONE")
    assert "password" not in body
    assert user_from_api(dict(API_APP, x509Type="MANAGED", databaseName="$external"))["auth_type"] == "x509_managed"


def test_a_password_is_checked_without_being_repeated():
    check_password(PASSWORD, "scram")
    check_password(None, "aws_iam_role")
    for password, auth_type, words in (("short", "scram", "password is 5 characters long: Atlas requires at least 8"),
                                       (PASSWORD, "x509_managed", "only auth_type=scram users have one")):
        with pytest.raises(ValueError) as caught:
            check_password(password, auth_type)
        assert words in str(caught.value) and password not in str(caught.value)


def test_comparison_is_by_sets_and_leaves_out_what_is_not_given():
    have = user_from_api(dict(API_APP, roles=[{"roleName": "read", "databaseName": "b"}, {"roleName": "readWrite", "databaseName": "orders"}],
                              scopes=[{"name": "shared", "type": "CLUSTER"}], description="orders app"))
    same = normalize_user({"username": "app-dev", "roles": [{"role_name": "readWrite", "database_name": "orders"},
                                                            {"role_name": "read", "database_name": "b"}]})
    assert differences(have, same) == []  # scopes and description not given: not compared
    assert differences(have, dict(same, scopes=[])) == ["scopes"]
    assert differences(have, dict(same, description="")) == ["description"]
    assert differences(have, normalize_user(APP)) == ["roles"]
    assert differences(user_from_api(API_APP), dict(normalize_user(APP), description="")) == []  # no description == ""


def test_update_password_on_create_and_always():
    want = normalize_user(APP)
    assert plan_user(None, want, "present", True)["action"] == "create" and plan_user(None, want, "present", True)["password"] is True
    have = user_from_api(API_APP)
    on_create = plan_user(have, want, "present", True, "on_create")
    assert (on_create["action"], on_create["password"], on_create["changes"]) == ("none", False, [])
    always = plan_user(have, want, "present", True, "always")
    assert (always["action"], always["password"], always["changes"]) == ("update", True, [])
    assert plan_user(have, want, "present", False, "always")["action"] == "none"  # always, but no password to send
    gone = plan_user(have, want, "absent", False)
    assert (gone["action"], gone["after"]) == ("delete", {}) and plan_user(None, want, "absent", False)["action"] == "none"
    for plan in (on_create, always, gone):
        assert PASSWORD not in json.dumps(plan)


def test_the_body_carries_the_password_only_when_sent():
    want = normalize_user(dict(APP, scopes=[{"name": "shared"}], description="orders app", delete_after_date="2026-11-21T10:00:00Z"), now=NOW)
    body = request_body(GROUP, want, PASSWORD)
    assert body == {"groupId": GROUP, "username": "app-dev", "databaseName": "admin", "password": PASSWORD,
                    "roles": [{"roleName": "readWrite", "databaseName": "orders"}], "scopes": [{"name": "shared", "type": "CLUSTER"}],
                    "description": "orders app", "deleteAfterDate": "2026-11-21T10:00:00Z", "awsIAMType": "NONE", "x509Type": "NONE",
                    "ldapAuthType": "NONE", "oidcAuthType": "NONE"}
    assert "password" not in request_body(GROUP, want) and "scopes" not in request_body(GROUP, normalize_user(APP))
    assert user_path(GROUP, "$external", "arn:aws:iam::123456789012:role/a b") == (
        "/groups/%s/databaseUsers/%%24external/arn%%3Aaws%%3Aiam%%3A%%3A123456789012%%3Arole%%2Fa%%20b" % GROUP)


def _users_path():
    return "/api/atlas/v2/groups/%s/databaseUsers" % GROUP


def test_a_create_that_met_another_runs_user_reads_it(atlas, make_client):
    atlas.add(api_error(409, "USER_ALREADY_EXISTS", "The specified user already exists."))
    atlas.route("GET", "/groups/%s/databaseUsers/admin/app-dev" % GROUP, API_APP)
    body = request_body(GROUP, normalize_user(APP), PASSWORD)
    assert database_users.create(make_client(), GROUP, body) == API_APP
    assert [e["method"] for e in atlas.api_requests()] == ["POST", "GET"]


def test_a_lost_create_is_read_then_sent_once_more(atlas, make_client):
    atlas.add(Reply(action="drop", match=("POST", _users_path())))
    atlas.route("GET", "/groups/%s/databaseUsers/admin/app-dev" % GROUP, API_APP)
    assert database_users.create(make_client(), GROUP, request_body(GROUP, normalize_user(APP), PASSWORD)) == API_APP
    atlas.routes.clear()
    atlas.add(Reply(action="drop", match=("POST", _users_path())), api_error(404, "USERNAME_NOT_FOUND", "No user with username app-dev exists."),
              Reply(201, API_APP, match=("POST", _users_path())))
    assert database_users.create(make_client(), GROUP, request_body(GROUP, normalize_user(APP), PASSWORD)) == API_APP
    assert [e["method"] for e in atlas.api_requests()][-3:] == ["POST", "GET", "POST"]
    atlas.add(Reply(action="drop", match=("POST", _users_path())), api_error(404, "USERNAME_NOT_FOUND"),
              Reply(action="drop", match=("POST", _users_path())), api_error(404, "USERNAME_NOT_FOUND"))
    with pytest.raises(AtlasOutcomeUnknown) as caught:
        database_users.create(make_client(), GROUP, request_body(GROUP, normalize_user(APP), PASSWORD))
    assert caught.value.doing == "create database user app-dev (admin)" and PASSWORD not in str(caught.value)


def test_get_update_delete(atlas, make_client):
    atlas.add(api_error(404, "USERNAME_NOT_FOUND", "No user with username nobody exists.", ["nobody"]))
    assert database_users.get(make_client(), GROUP, "admin", "nobody") is None
    atlas.add(Reply(action="drop", match=("PATCH", _users_path())), Reply(200, API_APP, match=("PATCH", _users_path())))
    assert database_users.update(make_client(), GROUP, "admin", "app-dev", {"roles": []}) == API_APP
    atlas.add(Reply(204, None), api_error(404, "USERNAME_NOT_FOUND"))
    assert database_users.delete(make_client(), GROUP, "admin", "app-dev") is True
    assert database_users.delete(make_client(), GROUP, "admin", "app-dev") is False
    atlas.add(api_error(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action."))
    with pytest.raises(AtlasApiError) as caught:
        database_users.delete(make_client(), GROUP, "admin", "app-dev")
    assert "Project Owner or Project Database Access Admin" in str(caught.value)


def test_the_recorded_answers_of_a_create(atlas, make_client):
    atlas.add(recorded_reply("other-databaseUsers-create-404-1.json"))
    with pytest.raises(AtlasApiError) as caught:
        database_users.create(make_client(), "1" * 24, request_body("1" * 24, normalize_user(APP), PASSWORD))
    assert caught.value.error_code == "GROUP_NOT_FOUND" and "check project_id / project_name" in str(caught.value)
    assert atlas.api_requests()[-1]["path"] == recording("other-databaseUsers-create-404-1.json")["path"]
    with pytest.raises(AtlasApiError) as caught:
        database_users.create(make_client(private_key="not-the-key"), GROUP, request_body(GROUP, normalize_user(APP), PASSWORD))
    # other-databaseUsers-create-401-1.json: a wrong key is a digest challenge again, 401 UNEXPECTED_ERROR.
    assert caught.value.status == 401 and "public_key and private_key" in str(caught.value) and PASSWORD not in str(caught.value)
