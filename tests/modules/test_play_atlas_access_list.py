"""atlas_access_list (and its old name atlas_whitelist) through real ansible-playbook runs against the simulator."""

import datetime
import threading

from support.playbooks import assert_refused_before_any_call, expect_failure, task

OFFICE = "203.0.113.7"
VPC_CIDR = "10.20.0.0/16"
SUPPORT = "198.51.100.23"


def access_list(name, **args):
    return task(name, "atlas_access_list", args)


def keys(entries):
    return sorted(e["cidr_block"] or e["aws_security_group"] for e in entries)


def in_days(days):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_access_list_lifecycle(play, atlas_env):
    three = [
        {"cidr_block": VPC_CIDR, "comment": "app VPC"},
        {"ip_address": OFFICE, "comment": "office"},
        {"cidr_block": "192.0.2.10/32"},
    ]
    same_three_other_forms = [
        {"cidr_block": VPC_CIDR},
        {"cidr_block": OFFICE + "/32", "comment": "office"},
        {"ip_address": "192.0.2.10"},
    ]
    atlas_env["sim"].config(access_list_delay=1.5)  # new entries stay PENDING for a while: wait must poll
    run = play([
        dict(access_list("add in check mode", entries=three), check_mode=True, diff=True),
        dict(access_list("add", entries=three, wait=True), diff=True),
        access_list("add again", entries=three),
        access_list("add again in other forms", entries=same_three_other_forms),
        dict(access_list("change a comment in check mode", entries=[{"ip_address": OFFICE, "comment": "office (moved)"}]), check_mode=True),
        dict(access_list("change a comment", entries=[{"ip_address": OFFICE, "comment": "office (moved)"}]), diff=True),
        task("add one through the old name", "atlas_whitelist", {"entries": [{"ip_address": SUPPORT, "delete_after_date": in_days(2)}]}),
        task("old name again", "atlas_whitelist", {"entries": [{"ip_address": SUPPORT}]}),
        dict(access_list("purge in check mode", entries=[{"cidr_block": VPC_CIDR}], purge=True), check_mode=True, diff=True),
        access_list("purge", entries=[{"cidr_block": VPC_CIDR}, {"ip_address": OFFICE}], purge=True),
        access_list("purge again", entries=[{"cidr_block": VPC_CIDR}, {"ip_address": OFFICE}], purge=True),
        dict(access_list("remove in check mode", entries=[{"ip_address": OFFICE}], state="absent"), check_mode=True, diff=True),
        access_list("remove", entries=[{"cidr_block": OFFICE + "/32"}, {"cidr_block": "10.99.0.0/16"}], state="absent"),
        access_list("remove again", entries=[{"ip_address": OFFICE}], state="absent"),
    ])
    assert run.returncode == 0, run.stderr
    path = "/api/atlas/v2/groups/%s/accessList" % atlas_env["project_id"]

    check = run["add in check mode"]
    assert check["changed"] is True and run.writes("add in check mode") == []
    assert keys(check["added"]) == sorted([VPC_CIDR, OFFICE + "/32", "192.0.2.10/32"])
    assert check["diff"]["before"] == [] and keys(check["diff"]["after"]) == keys(check["added"])

    added = run["add"]
    assert added["changed"] is True
    assert [(w["method"], w["path"]) for w in run.writes("add")] == [("POST", path)], "all additions in one POST"
    assert keys(added["entries"]) == keys(check["added"]) and keys(added["added"]) == keys(check["added"])
    assert added["removed"] == [] and added["updated"] == []
    office = [e for e in added["entries"] if e["ip_address"] == OFFICE][0]
    assert office == {"cidr_block": OFFICE + "/32", "ip_address": OFFICE, "aws_security_group": None, "comment": "office", "delete_after_date": None}
    status_polls = [r for r in run.api_requests("add") if r["path"] == path + "/10.20.0.0/16/status"]
    assert len(status_polls) >= 2, "wait polled the entry until it was ACTIVE"
    assert added["diff"]["before"] == [] and added["diff"]["after"] == added["entries"]

    for name in ("add again", "add again in other forms", "old name again", "purge again", "remove again"):
        assert run[name]["changed"] is False, name
        assert run.writes(name) == [], name
        assert run[name]["added"] == run[name]["removed"] == run[name]["updated"] == [], name

    assert run["change a comment in check mode"]["changed"] is True and run.writes("change a comment in check mode") == []
    changed = run["change a comment"]
    assert changed["changed"] is True and changed["added"] == []
    assert [e["comment"] for e in changed["updated"]] == ["office (moved)"]
    assert [w["method"] for w in run.writes("change a comment")] == ["POST"]
    before_office = [e for e in changed["diff"]["before"] if e["ip_address"] == OFFICE][0]
    after_office = [e for e in changed["diff"]["after"] if e["ip_address"] == OFFICE][0]
    assert (before_office["comment"], after_office["comment"]) == ("office", "office (moved)")

    temporary = run["add one through the old name"]
    assert temporary["changed"] is True
    assert temporary["added"][0]["ip_address"] == SUPPORT and temporary["added"][0]["delete_after_date"]

    purge_check = run["purge in check mode"]
    assert purge_check["changed"] is True and run.writes("purge in check mode") == []
    assert keys(purge_check["removed"]) == sorted([OFFICE + "/32", SUPPORT + "/32", "192.0.2.10/32"])
    assert keys(purge_check["diff"]["after"]) == [VPC_CIDR]
    purged = run["purge"]
    assert keys(purged["removed"]) == sorted([SUPPORT + "/32", "192.0.2.10/32"])
    assert sorted(w["method"] for w in run.writes("purge")) == ["DELETE", "DELETE"]
    assert keys(purged["entries"]) == sorted([VPC_CIDR, OFFICE + "/32"])

    assert run["remove in check mode"]["changed"] is True and run.writes("remove in check mode") == []
    assert keys(run["remove in check mode"]["diff"]["after"]) == [VPC_CIDR]
    removed = run["remove"]
    assert removed["changed"] is True and keys(removed["removed"]) == [OFFICE + "/32"]
    assert [(w["method"], w["path"]) for w in run.writes("remove")] == [("DELETE", path + "/203.0.113.7/32")]  # the log shows the decoded path
    assert keys(removed["entries"]) == [VPC_CIDR]


def test_access_list_survives_a_lost_answer_and_a_conflict(play, atlas_env):
    """A POST whose answer is lost is re-read, not blindly repeated; a conflicting POST is retried after a re-read."""
    sim = atlas_env["sim"]
    sim.add_fault(method="POST", path="/accessList$", kind="drop", count=1)
    run = play([access_list("add with the answer lost", entries=[{"cidr_block": VPC_CIDR}, {"ip_address": OFFICE}])])
    result = run["add with the answer lost"]
    assert result["changed"] is True, result
    assert [w["method"] for w in run.writes("add with the answer lost")] == ["POST"], "the committed POST is not sent twice"
    assert keys(result["entries"]) == sorted([VPC_CIDR, OFFICE + "/32"])

    sim.add_fault(method="POST", path="/accessList$", kind="status", status=409, count=1)
    run = play([access_list("add during a conflict", entries=[{"ip_address": SUPPORT}])])
    result = run["add during a conflict"]
    assert result["changed"] is True, result
    assert [w["method"] for w in run.writes("add during a conflict")] == ["POST", "POST"]
    assert SUPPORT + "/32" in keys(result["entries"])

    sim.add_fault(method="POST", path="/accessList$", kind="status", status=409, count=4)
    run = play([expect_failure("add while conflicts go on", "atlas_access_list", {"entries": [{"ip_address": "192.0.2.99"}]})])
    result = run["add while conflicts go on"]
    assert result["failed"] is True and "192.0.2.99/32" in result["msg"] and "in 4 attempts" in result["msg"] and "throttle: 1" in result["msg"]
    assert [w["method"] for w in run.writes("add while conflicts go on")] == ["POST"] * 4


def test_access_list_validation_errors(play, atlas_env):
    cases = [
        ("two kinds", {"entries": [{"cidr_block": VPC_CIDR, "ip_address": OFFICE}]}, ["entries[0]", "exactly one of", "cidr_block, ip_address"]),
        ("no kind", {"entries": [{"comment": "nothing"}]}, ["entries[0]", "exactly one of"]),
        ("bad address", {"entries": [{"ip_address": "300.1.1.1"}]}, ["entries[0]", "300.1.1.1", "not an IP address"]),
        ("bad CIDR", {"entries": [{"cidr_block": "10.0.0.0/33"}]}, ["entries[0]", "10.0.0.0/33", "CIDR"]),
        ("bad security group", {"entries": [{"aws_security_group": "sg-xyz"}]}, ["entries[0]", "sg-xyz", "security group id"]),
        ("long comment", {"entries": [{"ip_address": OFFICE, "comment": "x" * 81}]}, ["entries[0]", "81 characters", "at most 80"]),
        ("expiry in the past", {"entries": [{"ip_address": OFFICE, "delete_after_date": in_days(-1)}]}, ["entries[0]", "not in the future"]),
        ("expiry too far", {"entries": [{"ip_address": OFFICE, "delete_after_date": in_days(8)}]}, ["entries[0]", "7 days"]),
        ("expiry not a date", {"entries": [{"ip_address": OFFICE, "delete_after_date": "tomorrow"}]}, ["entries[0]", "tomorrow", "ISO 8601"]),
        ("expiry on a security group", {"entries": [{"aws_security_group": "sg-0123456789abcdef0", "delete_after_date": in_days(1)}]},
         ["entries[0]", "delete_after_date", "security group"]),
        ("the same entry twice", {"entries": [{"ip_address": OFFICE}, {"cidr_block": OFFICE + "/32"}]}, ["entries[1]", "same entry", "entries[0]"]),
        ("purge with absent", {"entries": [{"ip_address": OFFICE}], "state": "absent", "purge": True}, ["purge", "state=present"]),
        ("negative timeout", {"entries": [{"ip_address": OFFICE}], "wait_timeout": -1}, ["wait_timeout", "-1"]),
    ]
    run = play([expect_failure(name, "atlas_access_list", args) for name, args, _words in cases])
    assert_refused_before_any_call(run, cases)


def test_access_list_api_error_names_the_error_code(play, atlas_env):
    """Atlas refuses a security group without a peering: the failure carries Atlas's errorCode."""
    run = play([expect_failure("security group without peering", "atlas_access_list",
                               {"entries": [{"aws_security_group": "sg-0123456789abcdef0"}]})])
    result = run["security group without peering"]
    assert result["failed"] is True
    assert result["error_code"] == "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION"
    assert "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION" in result["msg"]


def test_concurrent_writers_both_get_their_entries(play, atlas_env):
    """Two plays adding different entries to one project at the same time: both entries end up on the list."""
    results = {}

    def add(address):
        results[address] = play([access_list("add " + address, entries=[{"ip_address": address, "comment": "writer " + address}])])

    writers = [threading.Thread(target=add, args=(address,)) for address in ("192.0.2.1", "192.0.2.2")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    for address, run in results.items():
        assert run["add " + address]["changed"] is True, run["add " + address]
    final = play([access_list("read back", entries=[])])["read back"]
    assert keys(final["entries"]) == ["192.0.2.1/32", "192.0.2.2/32"] and final["changed"] is False
