"""The role's database users phase end to end: playbooks/peer.yml on inventories/local with the phase on (the harness seeds a
cluster through the simulator's control API and names it in CLOUDWIRE_LOCAL_CLUSTER_NAME; the passwords come from the
environment).

Its own module and world: a cluster provisions the containers of its regions, so seeding one would change what the empty-world
checks of test_peer_lifecycle.py see. The tests share one converged state and run in file order (check, converge, rerun, drift
of a deleted user and of changed roles, bad input); each asserts on what it sees. Every output of every run is searched for the
passwords at the end.
"""

import json
import secrets

import pytest

from support.atlas import atlas_api
from support.aws import HOSTS, aws_snapshot
from support.playbooks import run_playbook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vpc_peering_e2e_database_users")]

CLUSTER = "shared-local"
# What inventories/local lists: host -> (user, password variable, roles as the simulator stores them).
USERS = {
    "local-app-east": ("orders-local", "CLOUDWIRE_LOCAL_ORDERS_PASSWORD", [{"databaseName": "orders", "roleName": "readWrite"}]),
    "local-app-west": ("payments-local", "CLOUDWIRE_LOCAL_PAYMENTS_PASSWORD",
                       [{"databaseName": "orders", "roleName": "read"}, {"databaseName": "payments", "roleName": "readWrite"}]),
}


@pytest.fixture(scope="module")
def world(world):  # pylint: disable=redefined-outer-name
    """support.fixtures' world of this module (fresh servers), with the cluster, the users' passwords and every run's output."""
    atlas = world["atlas"]
    # The shared cluster, in both regions of the inventory: it makes their containers with the CIDRs the inventory wants
    # (192.168.248.0/21 for the first region, 192.168.240.0/21 for the second, as Atlas assigns them).
    world["sim"].add_cluster(atlas["project_id"], CLUSTER, regions=["US_EAST_1", "EU_WEST_1"], nodeCount=5)
    passwords = {variable: "pw-" + secrets.token_hex(12) for _user, variable, _roles in USERS.values()}
    return dict(world, env=dict(world["env"], CLOUDWIRE_LOCAL_CLUSTER_NAME=CLUSTER, **passwords), passwords=passwords, outputs=[])


def run(world, *args, env=None):
    done = run_playbook(env or world["env"], "peer.yml", *args)
    world["outputs"].append((" ".join(args) or "converge", done.stdout + done.stderr))
    return done


def converge(world):
    done = run(world)
    assert done.rc == 0, done.explain()
    return done


def check(world):
    """--check --diff with the proof that it wrote nothing on either cloud."""
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    done = run(world, "--check", "--diff")
    assert done.rc == 0, done.explain()
    assert world["sim"].writes() == [], "check mode wrote to Atlas"
    assert aws_snapshot(world["moto"].url) == before, "check mode changed AWS"
    return done


def users(world):
    return {u["username"]: u for u in world["sim"].state()["database_users"].get(world["atlas"]["project_id"], [])}


def private_srv(world):
    (cluster,) = [c for c in world["sim"].clusters() if c["name"] == CLUSTER]
    return cluster["connectionStrings"].get("privateSrv")


def summary_text(done):
    (hosts,) = done.task_results("show the findings of every host")
    return next(iter(hosts.values()))["msg"]


def user_findings(done):
    return {host: sorted(line for line in lines if line.startswith(("database user", "cluster "))) for host, lines in done.drift.items()}


def test_check_before_the_converge_reports_the_missing_users_and_writes_nothing(world):
    done = check(world)
    assert user_findings(done) == {"local-app-east": ["database user orders-local: missing"],
                                   "local-app-west": ["database user payments-local: missing"], "local-legacy-east": []}
    # No peering yet, so no private string: the summary says so for every host, and publishes the users' names.
    connections = done.custom["vpc_peering_connections"]
    assert set(connections) == set(HOSTS) and all(c["cluster"] == CLUSTER and c["private_srv"] is None for c in connections.values())
    assert connections["local-app-east"]["database_users"] == ["orders-local"] and connections["local-legacy-east"]["database_users"] == []
    assert "local-app-east: (cluster shared-local: no private connection string yet); database users: orders-local." in summary_text(done)


def test_converge_creates_the_users_and_shows_each_hosts_private_connection_string(world):
    done = converge(world)
    world["first"] = done
    created = users(world)
    assert set(created) == {"orders-local", "payments-local"}
    for host, (name, variable, roles) in USERS.items():
        assert sorted(created[name]["roles"], key=json.dumps) == sorted(roles, key=json.dumps), (host, created[name])
        assert world["sim"].verify_database_user_password(world["atlas"]["project_id"], name, world["passwords"][variable]), name
        assert "database user %s: missing" % name in done.drift[host]
    assert created["orders-local"]["scopes"] == [{"name": CLUSTER, "type": "CLUSTER"}] and created["payments-local"]["scopes"] == []
    string = private_srv(world)
    assert string and string.startswith("mongodb+srv://shared-local-pri.")
    connections = done.custom["vpc_peering_connections"]
    assert {host: c["private_srv"] for host, c in connections.items()} == {host: string for host in HOSTS}
    text = summary_text(done)
    for host in HOSTS:
        assert "%s: %s; database users: " % (host, string) in text, text
    # One users task per host, only where there were users to make; each host's application string came from the plan or the wait.
    (hosts,) = done.task_results("create or update the application's database users")
    assert sorted(h for h, r in hosts.items() if not r.get("skipped")) == ["local-app-east", "local-app-west"]
    assert [item["item"]["username"] for item in hosts["local-app-east"]["results"]] == ["orders-local"]


def test_second_run_changes_nothing(world):
    world["sim"].clear_requests()
    done = converge(world)
    for host in HOSTS:
        assert done.changed(host) == 0, (host, done.explain())
    assert world["sim"].writes() == []
    assert done.custom["vpc_peering_drift_total"] == 0
    assert {c["private_srv"] for c in done.custom["vpc_peering_connections"].values()} == {private_srv(world)}
    # Nothing planned on any host: the apply phase, users task included, is not even included.
    assert done.task_results("create or update the application's database users") == []


def test_drift_check_finds_a_deleted_user_with_zero_writes_and_a_run_repairs_it(world):
    project = world["atlas"]["project_id"]
    atlas_api(world["atlas"], "DELETE", f"/groups/{project}/databaseUsers/admin/orders-local")
    done = check(world)
    assert done.drift == {"local-app-east": ["database user orders-local: missing"], "local-app-west": [], "local-legacy-east": []}
    assert done.changed("local-app-east") > 0 and done.changed("local-app-west") == 0
    repaired = converge(world)
    assert repaired.drift["local-app-east"] == ["database user orders-local: missing"] and repaired.changed("local-app-west") == 0
    assert world["sim"].verify_database_user_password(project, "orders-local", world["passwords"]["CLOUDWIRE_LOCAL_ORDERS_PASSWORD"])


def test_changed_roles_are_reported_and_restored_without_touching_the_password(world):
    project = world["atlas"]["project_id"]
    atlas_api(world["atlas"], "PATCH", f"/groups/{project}/databaseUsers/admin/payments-local",
              {"roles": [{"roleName": "readWriteAnyDatabase", "databaseName": "admin"}]})
    done = check(world)
    assert done.drift == {"local-app-east": [], "local-app-west": ["database user payments-local: roles differ"], "local-legacy-east": []}
    converge(world)
    assert sorted(users(world)["payments-local"]["roles"], key=json.dumps) == sorted(USERS["local-app-west"][2], key=json.dumps)
    assert users(world)["payments-local"]["passwordSets"] == 1  # on_create: an update never sends the password
    assert converge(world).changed("local-app-west") == 0


def test_a_bad_user_fails_in_preflight_before_any_write(world):
    before = aws_snapshot(world["moto"].url)
    world["sim"].clear_requests()
    short = "tiny-" + secrets.token_hex(1)
    bad = [{"username": "bad-local", "password": short, "roles": [{"role_name": "readWrite", "database_name": "orders"}]}]
    done = run(world, "--limit", "local-app-east", "-e", json.dumps({"cloudwire_local_database_users": bad}))
    assert done.rc != 0 and done.failed("local-app-east"), done.explain()
    (hosts,) = done.task_results("check the inputs")
    message = hosts["local-app-east"]["msg"]
    assert "vpc_peering_database_users[0]: password is 7 characters long: Atlas requires at least 8" in message and short not in message
    assert world["sim"].writes() == [] and aws_snapshot(world["moto"].url) == before


def test_no_password_in_any_output(world):
    verbose = run(world, "--check", "--diff", "-vvv")
    assert verbose.rc == 0
    assert len(verbose.stdout) > 100000  # -vvv really is verbose
    passwords = list(world["passwords"].values())
    for name, output in world["outputs"]:
        for password in passwords:
            assert password not in output, "a database user's password is in the output of %s" % name
    assert len(world["outputs"]) >= 8
