"""databaseUsers CRUD with the spec's rules (CloudDatabaseUser 2023-01-01): create 201, read, list, update, delete 204; the
password kept as a salted hash and never answered; every validation refusal with its errorCode; the authentication types and
their databases; expiry; the read-only key refused writes; an unknown project as recorded."""

import datetime
import time

import pytest

from simulator_helpers import assert_error
from support.atlas import SUCCESS_TYPE, recorded

PASSWORD = "s3cret-Passw0rd"


def user_body(**changes):
    body = {"username": "app-dev", "databaseName": "admin", "password": PASSWORD,
            "roles": [{"roleName": "readWrite", "databaseName": "orders"}]}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def verify(atlas_env, password, username="app-dev", database="admin"):
    return atlas_env["sim"].verify_database_user_password(atlas_env["project_id"], username, password, database)


def test_lifecycle(atlas_env, api, gid):
    created = api.post(f"/groups/{gid}/databaseUsers", json=user_body(description="orders app"))
    assert created.status_code == 201, created.text
    assert created.headers["Content-Type"] == SUCCESS_TYPE
    user = created.json()
    assert "password" not in user and PASSWORD not in created.text and "groupId" not in user
    assert user == {"awsIAMType": "NONE", "databaseName": "admin", "description": "orders app", "labels": [], "ldapAuthType": "NONE",
                    "links": [{"href": f"{atlas_env['base_url']}/api/atlas/v2/groups/{gid}/databaseUsers/admin/app-dev", "rel": "self"}],
                    "oidcAuthType": "NONE", "roles": [{"databaseName": "orders", "roleName": "readWrite"}], "scopes": [], "username": "app-dev",
                    "x509Type": "NONE"}
    assert verify(atlas_env, PASSWORD) and not verify(atlas_env, "another-password")
    assert api.get(f"/groups/{gid}/databaseUsers/admin/app-dev").json() == user
    listed = api.get(f"/groups/{gid}/databaseUsers").json()
    assert listed["totalCount"] == 1 and listed["results"] == [user]

    atlas_env["sim"].add_cluster(gid, "shared")
    patched = api.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"roles": [{"roleName": "read", "databaseName": "orders"}],
                                                                            "scopes": [{"name": "shared", "type": "CLUSTER"}]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["roles"] == [{"databaseName": "orders", "roleName": "read"}]
    assert patched.json()["scopes"] == [{"name": "shared", "type": "CLUSTER"}] and patched.json()["description"] == "orders app"
    assert verify(atlas_env, PASSWORD)  # a PATCH without a password keeps it
    api.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"password": "the-next-password"})
    assert verify(atlas_env, "the-next-password") and not verify(atlas_env, PASSWORD)
    state = atlas_env["sim"].state()["database_users"][gid]
    assert [u["passwordSets"] for u in state] == [2] and PASSWORD not in str(state)

    deleted = api.delete(f"/groups/{gid}/databaseUsers/admin/app-dev")
    assert deleted.status_code == 204 and deleted.content == b"" and deleted.headers["Content-Type"] == SUCCESS_TYPE
    assert_error(api.get(f"/groups/{gid}/databaseUsers/admin/app-dev"), 404, "USERNAME_NOT_FOUND", ["app-dev"])
    assert_error(api.delete(f"/groups/{gid}/databaseUsers/admin/app-dev"), 404, "USERNAME_NOT_FOUND")
    assert_error(api.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={}), 404, "USERNAME_NOT_FOUND")


def test_duplicate_and_one_name_in_two_databases(atlas_env, api, gid):
    assert api.post(f"/groups/{gid}/databaseUsers", json=user_body()).status_code == 201
    assert_error(api.post(f"/groups/{gid}/databaseUsers", json=user_body()), 409, "USER_ALREADY_EXISTS")
    x509 = api.post(f"/groups/{gid}/databaseUsers", json=user_body(databaseName="$external", password=None, x509Type="MANAGED"))
    assert x509.status_code == 201, x509.text
    assert x509.json()["links"][0]["href"].endswith("/databaseUsers/%24external/app-dev")
    assert api.get(f"/groups/{gid}/databaseUsers/%24external/app-dev").json()["x509Type"] == "MANAGED"
    assert api.get(f"/groups/{gid}/databaseUsers").json()["totalCount"] == 2


def test_an_iam_role_arn_is_one_path_segment(atlas_env, api, gid):
    arn = "arn:aws:iam::123456789012:role/payments-api"
    made = api.post(f"/groups/{gid}/databaseUsers", json=user_body(username=arn, databaseName="$external", password=None, awsIAMType="ROLE"))
    assert made.status_code == 201, made.text
    assert made.json()["links"][0]["href"].endswith("/databaseUsers/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpayments-api")
    assert api.get(f"/groups/{gid}/databaseUsers/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpayments-api").json()["username"] == arn


@pytest.mark.parametrize("body, status, code", [
    ({"databaseName": "admin", "password": PASSWORD, "roles": []}, 400, "MISSING_ATTRIBUTE"),           # no username
    (user_body(password=None), 400, "MISSING_ATTRIBUTE"),                                               # SCRAM without a password
    (user_body(password="short"), 400, "INVALID_ATTRIBUTE"),                                            # minLength 8
    (user_body(databaseName="orders"), 400, "INVALID_ENUM_VALUE"),                                      # admin or $external
    (user_body(databaseName="$external"), 400, "INVALID_ATTRIBUTE"),                                    # SCRAM authenticates on admin
    (user_body(x509Type="MANAGED", password=None), 400, "INVALID_ATTRIBUTE"),                           # X.509 on $external
    (user_body(databaseName="$external", awsIAMType="ROLE"), 400, "INVALID_ATTRIBUTE"),                 # IAM users have no password
    (user_body(databaseName="$external", awsIAMType="ROLE", x509Type="MANAGED", password=None), 400, "INVALID_ATTRIBUTE"),
    (user_body(awsIAMType="ADMIN"), 400, "INVALID_ENUM_VALUE"),
    (user_body(roles=[{"roleName": "readWrite"}]), 400, "MISSING_ATTRIBUTE"),
    (user_body(roles=[{"roleName": "owner", "databaseName": "orders"}]), 400, "INVALID_ATTRIBUTE"),
    (user_body(roles=[{"roleName": "readWriteAnyDatabase", "databaseName": "orders"}]), 400, "INVALID_ATTRIBUTE"),
    (user_body(scopes=[{"name": "no-such-cluster", "type": "CLUSTER"}]), 400, "INVALID_ATTRIBUTE"),
    (user_body(scopes=[{"name": "shared", "type": "CLUSTERS"}]), 400, "INVALID_ENUM_VALUE"),
    (user_body(description="x" * 101), 400, "INVALID_ATTRIBUTE"),
    (user_body(deleteAfterDate="2020-01-01T00:00:00Z"), 400, "EXPIRATION_DATE_IN_PAST"),
    (user_body(deleteAfterDate="tomorrow"), 400, "INVALID_ATTRIBUTE"),
    (user_body(passwordHash="x"), 400, "INVALID_ATTRIBUTE"),
    ([user_body()], 400, "INVALID_JSON"),
])
def test_what_atlas_refuses(atlas_env, api, gid, body, status, code):
    atlas_env["sim"].add_cluster(gid, "shared")
    answer = api.post(f"/groups/{gid}/databaseUsers", json=body)
    assert_error(answer, status, code)
    assert PASSWORD not in answer.text and "short" not in answer.text
    assert atlas_env["sim"].state()["database_users"].get(gid, []) == []


def test_expiry_within_a_week_and_then_gone(atlas_env, api, gid):
    now = datetime.datetime.now(datetime.timezone.utc)
    too_late = (now + datetime.timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert_error(api.post(f"/groups/{gid}/databaseUsers", json=user_body(deleteAfterDate=too_late)), 400, "EXPIRATION_DATE_EXCEEDS_MAX", ["7"])
    soon = (now + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = api.post(f"/groups/{gid}/databaseUsers", json=user_body(deleteAfterDate=soon))
    assert made.status_code == 201 and made.json()["deleteAfterDate"] == soon
    deadline = now + datetime.timedelta(seconds=10)
    while datetime.datetime.now(datetime.timezone.utc) < deadline:
        if api.get(f"/groups/{gid}/databaseUsers").json()["totalCount"] == 0:
            break
        # Not a busy loop: thousands of reads in 10 s would meet the simulator's rate limit (429, no totalCount).
        time.sleep(0.2)
    assert api.get(f"/groups/{gid}/databaseUsers").json()["totalCount"] == 0


def test_patch_cannot_rename_or_change_the_method(atlas_env, api, gid):
    api.post(f"/groups/{gid}/databaseUsers", json=user_body())
    assert_error(api.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"username": "other"}), 400, "INVALID_ATTRIBUTE", ["username"])
    assert_error(api.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"ldapAuthType": "GROUP"}), 400, "INVALID_ATTRIBUTE")
    assert_error(api.patch(f"/groups/{gid}/databaseUsers/admin/app-dev", json={"password": "short"}), 400, "INVALID_ATTRIBUTE", ["password"])


def test_read_only_key_reads_but_does_not_write(atlas_env, api, readonly_api, gid):
    api.post(f"/groups/{gid}/databaseUsers", json=user_body())
    assert readonly_api.get(f"/groups/{gid}/databaseUsers").status_code == 200
    assert_error(readonly_api.post(f"/groups/{gid}/databaseUsers", json=user_body(username="other")), 401, "USER_UNAUTHORIZED")
    assert_error(readonly_api.delete(f"/groups/{gid}/databaseUsers/admin/app-dev"), 401, "USER_UNAUTHORIZED")


def test_unknown_project_as_recorded(atlas_env, api):
    recording = recorded("other-databaseUsers-create-404-1.json")
    answer = api.post("/groups/111111111111111111111111/databaseUsers", json=user_body())
    body = assert_error(answer, 404, "GROUP_NOT_FOUND", ["111111111111111111111111"])
    assert body == recording["response_body"]
    assert "RateLimit-Limit" not in answer.headers and answer.headers["X-Error-Code"] == "GROUP_NOT_FOUND"
