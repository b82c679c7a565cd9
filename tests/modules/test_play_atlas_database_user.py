"""atlas_database_user through real ansible-playbook runs against the simulator: create (check mode first, with zero writes and
a diff), rerun (no change), update the roles, update_password on_create and always (the simulator says which password the user
has), absent, the other authentication types, bad input with zero writes, and no password in any output, -vvv included."""

import secrets

from support.playbooks import expect_failure, task

ROLES = [{"role_name": "readWrite", "database_name": "orders"}]
OTHER_ROLES = [{"role_name": "read", "database_name": "orders"}, {"role_name": "readWrite", "database_name": "orders", "collection_name": "carts"}]


def user(name, **args):
    return task(name, "atlas_database_user", dict({"username": "orders-app"}, **args))


def no_password_in(run, *passwords):
    for password in passwords:
        assert password not in run.stdout and password not in run.stderr, "a database user's password leaked into ansible-playbook output"


def test_user_lifecycle(play, atlas_env):
    sim, gid = atlas_env["sim"], atlas_env["project_id"]
    sim.add_cluster(gid, "shared-dev")
    password, rotated = "pw-" + secrets.token_hex(12), "pw-" + secrets.token_hex(12)
    scopes = [{"name": "shared-dev"}]
    run = play([
        dict(user("create in check mode", password=password, roles=ROLES, scopes=scopes, description="orders application"), check_mode=True, diff=True),
        dict(user("create", password=password, roles=ROLES, scopes=scopes, description="orders application"), diff=True),
        user("create again", password=password, roles=ROLES, scopes=scopes, description="orders application"),
        user("again with another password (on_create)", password=rotated, roles=ROLES),
        dict(user("update the roles in check mode", roles=OTHER_ROLES), check_mode=True, diff=True),
        dict(user("update the roles", roles=OTHER_ROLES), diff=True),
        user("update the roles again", roles=list(reversed(OTHER_ROLES))),
    ])
    assert run.returncode == 0, run.stderr
    no_password_in(run, password, rotated)

    check = run["create in check mode"]
    assert check["changed"] is True and check["password_updated"] is True and run.writes("create in check mode") == []
    assert check["diff"]["before"] == {} and check["diff"]["after"]["password"] == "(changed, not shown)"
    assert check["user"] == {"username": "orders-app", "auth_database": "admin", "auth_type": "scram",
                             "roles": [{"role_name": "readWrite", "database_name": "orders", "collection_name": None}],
                             "scopes": [{"name": "shared-dev", "type": "cluster"}], "description": "orders application", "delete_after_date": None}
    created = run["create"]
    assert created["changed"] is True and created["user"] == check["user"]
    assert [(w["method"], w["path"]) for w in run.writes("create")] == [("POST", f"/api/atlas/v2/groups/{gid}/databaseUsers")]
    assert sim.verify_database_user_password(gid, "orders-app", password)

    for name in ("create again", "again with another password (on_create)", "update the roles again"):
        assert run[name]["changed"] is False and run.writes(name) == [] and run[name]["password_updated"] is False, name
    assert sim.verify_database_user_password(gid, "orders-app", password), "on_create sent a password to an existing user"

    planned = run["update the roles in check mode"]
    assert planned["changed"] is True and planned["changes"] == ["roles"] and run.writes("update the roles in check mode") == []
    assert planned["diff"]["before"]["roles"] == check["user"]["roles"] and "password" not in planned["diff"]["after"]
    updated = run["update the roles"]
    assert updated["changed"] is True and updated["changes"] == ["roles"] and [w["method"] for w in run.writes("update the roles")] == ["PATCH"]
    assert [r["role_name"] for r in updated["user"]["roles"]] == ["read", "readWrite"] and updated["user"]["scopes"] == check["user"]["scopes"]
    assert updated["user"]["description"] == "orders application"  # left out: kept

    rotate = play([
        dict(user("rotate in check mode", password=rotated, update_password="always", roles=OTHER_ROLES), check_mode=True, diff=True),
        dict(user("rotate", password=rotated, update_password="always", roles=OTHER_ROLES), diff=True),
        user("rotate again", password=rotated, update_password="always", roles=OTHER_ROLES),
    ])
    assert rotate.returncode == 0, rotate.stderr
    no_password_in(rotate, password, rotated)
    assert rotate["rotate in check mode"]["changed"] is True and rotate.writes("rotate in check mode") == []
    assert rotate["rotate"]["changed"] is True and rotate["rotate"]["password_updated"] is True and rotate["rotate"]["changes"] == []
    assert rotate["rotate"]["diff"]["after"]["password"] == "(changed, not shown)"
    assert [w["method"] for w in rotate.writes("rotate")] == ["PATCH"] and sim.verify_database_user_password(gid, "orders-app", rotated)
    # always: Atlas cannot say whether the password differs, so it is sent (and reported) on every run.
    assert rotate["rotate again"]["changed"] is True and [w["method"] for w in rotate.writes("rotate again")] == ["PATCH"]

    gone = play([
        dict(user("remove in check mode", state="absent"), check_mode=True, diff=True),
        user("remove", state="absent"),
        user("remove again", state="absent"),
    ])
    assert gone.returncode == 0, gone.stderr
    assert gone["remove in check mode"]["changed"] is True and gone.writes("remove in check mode") == []
    assert gone["remove in check mode"]["diff"]["after"] == {}
    assert gone["remove"]["changed"] is True and gone["remove"]["user"] is None and [w["method"] for w in gone.writes("remove")] == ["DELETE"]
    assert gone["remove again"]["changed"] is False and gone.writes("remove again") == []
    assert sim.state()["database_users"][gid] == []


def test_other_authentication_types(play, atlas_env):
    gid = atlas_env["project_id"]
    arn = "arn:aws:iam::123456789012:role/payments-api"
    run = play([
        user("iam role", username=arn, auth_type="aws_iam_role", roles=ROLES),
        user("iam role again", username=arn, auth_type="aws_iam_role", roles=ROLES),
        user("x509", username="reports", auth_type="x509_managed", roles=[{"role_name": "readAnyDatabase"}]),
        expect_failure("the iam user as x509", "atlas_database_user",
                       {"username": arn, "auth_type": "x509_managed", "auth_database": "$external", "roles": ROLES}),
        user("remove the iam role", username=arn, auth_type="aws_iam_role", state="absent"),
    ])
    assert run.returncode == 0, run.stderr
    assert run["iam role"]["changed"] is True and run["iam role"]["user"]["auth_database"] == "$external"
    assert run["iam role again"]["changed"] is False
    assert run["x509"]["user"]["roles"] == [{"role_name": "readAnyDatabase", "database_name": "admin", "collection_name": None}]
    refused = run["the iam user as x509"]
    assert refused["failed"] and "authenticates with aws_iam_role, and auth_type asks for x509_managed" in refused["msg"]
    assert run.writes("the iam user as x509") == []
    assert run["remove the iam role"]["changed"] is True
    assert [u["username"] for u in atlas_env["sim"].state()["database_users"][gid]] == ["reports"]


def test_bad_input_fails_before_any_write(play, atlas_env):
    password = "pw-" + secrets.token_hex(12)
    run = play([
        expect_failure("short password", "atlas_database_user", {"username": "a", "password": "tiny", "roles": ROLES}),
        expect_failure("no password to create", "atlas_database_user", {"username": "a", "roles": ROLES}),
        expect_failure("a password for IAM", "atlas_database_user", {"username": "arn:aws:iam::123456789012:user/x", "auth_type": "aws_iam_user",
                                                                     "password": password, "roles": ROLES}),
        expect_failure("no roles", "atlas_database_user", {"username": "a", "password": password}),
        expect_failure("empty roles", "atlas_database_user", {"username": "a", "password": password, "roles": []}),
        expect_failure("role on another database", "atlas_database_user",
                       {"username": "a", "password": password, "roles": [{"role_name": "atlasAdmin", "database_name": "orders"}]}),
        expect_failure("scram on $external", "atlas_database_user",
                       {"username": "a", "password": password, "auth_database": "$external", "roles": ROLES}),
        expect_failure("far expiry", "atlas_database_user",
                       {"username": "a", "password": password, "roles": ROLES, "delete_after_date": "2099-01-01T00:00:00Z"}),
        expect_failure("bad scope", "atlas_database_user", {"username": "a", "password": password, "roles": ROLES, "scopes": [{"name": "a b"}]}),
    ])
    assert run.returncode == 0, run.stderr
    no_password_in(run, password)
    expected = {
        "short password": "Invalid password is 4 characters long: Atlas requires at least 8",
        "no password to create": "does not exist and Atlas needs a password to create it",
        "a password for IAM": "only auth_type=scram users have one",
        "no roles": "state is present but all of the following are missing: roles",
        "empty roles": "Invalid roles []: must list at least one role with state=present",
        "role on another database": "roles[0]: role atlasAdmin applies to every database",
        "scram on $external": "auth_database '$external' does not go with auth_type=scram",
        "far expiry": "delete_after_date '2099-01-01T00:00:00Z' is more than 7 days ahead",
        "bad scope": "scopes[0].name 'a b' is not a cluster",
    }
    for name, words in expected.items():
        assert run[name]["failed"] and words in run[name]["msg"], (name, run[name]["msg"])
        assert run.writes(name) == [], name
    assert atlas_env["sim"].state()["database_users"].get(atlas_env["project_id"], []) == []


def test_no_password_at_vvv(play, atlas_env):
    password = "pw-" + secrets.token_hex(12)
    done = play([dict(user("create", password=password, roles=ROLES), diff=True),
                 dict(user("rotate", password=password, update_password="always", roles=ROLES), diff=True)],
                terminal=True, extra_env={"ANSIBLE_VERBOSITY": "3"})
    assert done.returncode == 0, done.stdout[-3000:]
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in done.stdout and "(changed, not shown)" in done.stdout  # -vvv really shows the result
    assert password not in done.stdout and password not in done.stderr
