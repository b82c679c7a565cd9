# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one poll of a wait of the vpc_peering role saw, and what it means: reached, failed (with what to do), or keep polling.

The judgement is pure (no Ansible, no HTTP), in the words of errors.py, and unit-tested directly. ``peering_poll`` makes one
poll's reads through the Atlas client it is given: the vpc_peering_status action plugin and the AWS step (aws_step.py) poll
with it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists, peerings
from ansible_collections.cloudwire.atlas.plugins.module_utils.clusters import private_srv
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import access_list_failed, peering_failed


def peering_view(raw):
    """A peering as the role's waits report it."""
    if raw is None:
        return None
    return {"id": raw.get("id"), "connection_id": raw.get("connectionId"), "status_name": raw.get("statusName"),
            "error_state_name": raw.get("errorStateName"), "container_id": raw.get("containerId"), "vpc_id": raw.get("vpcId")}


def entries_due(args, raw):
    """Whether this poll reads the entries' statuses: always when it waits for them alone; in a wait for AVAILABLE that waits
    for them too, only once the peering is AVAILABLE (an entry, once ACTIVE, stays so: one call a poll until then)."""
    if not args.get("entries"):
        return False
    return args["wait_for"] == "active" or (raw or {}).get("statusName") == "AVAILABLE"


def _reached(wait_for, raw, statuses, entries):
    # A wait for AVAILABLE may wait for access-list entries too (the plan folds the two waits when nothing comes between).
    entries_active = all(statuses.get(key) == "ACTIVE" for key in entries or statuses)
    if wait_for == "active":
        return entries_active
    if wait_for == "gone":
        return raw is None
    if raw is None:
        return False
    if wait_for == "connection":
        return bool(raw.get("connectionId")) or raw.get("statusName") == "AVAILABLE"
    return raw.get("statusName") == "AVAILABLE" and entries_active


def _pending(statuses):
    return sorted(key for key, status in statuses.items() if status != "ACTIVE")


def _entries_summary(statuses):
    pending = _pending(statuses)
    return "ACTIVE" if not pending else " ".join("%s %s" % (statuses[key] or "missing", key) for key in pending)


def _summary(wait_for, raw, statuses):
    if wait_for == "active":
        return _entries_summary(statuses)
    if raw is None:
        return "gone"
    summary = " ".join(part for part in (raw.get("statusName"), raw.get("connectionId"), raw.get("errorStateName")) if part)
    if statuses:
        summary += "; access list: " + _entries_summary(statuses)
    return summary


def status_outcome(args, raw, statuses):
    """The result of one poll: ``summary`` (what the loop label prints), ``reached``, the peering or the entries' statuses,
    and ``failed`` with ``msg`` when the wait cannot succeed (FAILED) or this was its last poll."""
    wait_for = args["wait_for"]
    out = {"summary": _summary(wait_for, raw, statuses), "reached": _reached(wait_for, raw, statuses, args.get("entries")),
           "peering": peering_view(raw), "entries": statuses, "pending": _pending(statuses)}
    region = args.get("accepter_region")
    if raw is not None and raw.get("statusName") == "FAILED" and wait_for != "gone":
        out.update(failed=True, msg=str(peering_failed(raw, region)), error_state_name=raw.get("errorStateName"))
        return out
    failed_entries = sorted(key for key, status in statuses.items() if status == "FAILED")
    if failed_entries:
        out.update(failed=True, msg=str(access_list_failed(failed_entries)))
        return out
    if out["reached"] or args.get("poll", 1) < args.get("polls", 1):
        return out
    waited = "after %d polls %s s apart" % (args.get("polls", 1), ("%g" % args.get("poll_seconds", 0)))
    if wait_for == "active" or (wait_for == "available" and raw is not None and raw.get("statusName") == "AVAILABLE"):
        msg = ("Access-list entries %s are still not ACTIVE %s; Atlas is still applying them to the project's clusters. Run again, "
               "or raise vpc_peering_wait_timeout." % (", ".join(out["pending"]), waited))
    elif raw is None:
        msg = ("Peering %s disappeared while waiting for it: someone deleted it. Run again to request it again."
               % args.get("peering_id"))
    elif wait_for == "gone":
        msg = "Peering %s is still %s %s: Atlas has not removed it yet. Run again later." % (raw.get("id"), raw.get("statusName"), waited)
    else:
        awaited = "its pcx- connection id" if wait_for == "connection" else "AVAILABLE"
        msg = "Peering %s is still %s %s, waiting for %s." % (raw.get("id"), raw.get("statusName"), waited, awaited)
        if raw.get("statusName") == "PENDING_ACCEPTANCE":
            msg += " Accept %s in AWS account %s, region %s." % (raw.get("connectionId"), raw.get("awsAccountId"), region)
        msg += " Run again, or raise vpc_peering_wait_timeout."
    out.update(failed=True, msg=msg)
    return out


def peering_poll(client, project_id, args):
    """One poll of a wait for a peering and/or access-list entries: the peering (``args["peering_id"]``), the entries' statuses
    when due, and ``status_outcome`` of what they were. An Atlas error propagates: ``read_failed`` says it."""
    raw = peerings.get(client, project_id, args["peering_id"]) if args.get("peering_id") else None
    statuses = dict((key, access_lists.status(client, project_id, key)) for key in args["entries"]) if entries_due(args, raw) else {}
    return status_outcome(args, raw, statuses)


def read_failed(what, exc):
    """The failure of a poll whose read Atlas did not answer."""
    return "Failed to read the status Atlas reports for %s: %s" % (what, exc)


def cluster_outcome(args, raw):
    """One poll of the wait for a cluster's private SRV connection string: reached once Atlas gives it; failed when the cluster
    is gone, or at the last poll."""
    name = args["cluster_name"]
    string = private_srv(raw)
    out = {"private_srv": string, "reached": bool(string), "entries": {}, "pending": [], "peering": None,
           "summary": string or ("cluster gone" if raw is None else "no private connection string yet")}
    if raw is None:
        out.update(failed=True, msg="Cluster %s is gone: someone removed it from the project. Name another cluster in "
                                    "vpc_peering_cluster_name." % name)
    elif not string and args.get("poll", 1) >= args.get("polls", 1):
        out.update(failed=True, msg="Cluster %s still has no private connection string after %d polls %s s apart: Atlas gives it once the "
                                    "project has a peering AVAILABLE in a region of the cluster. Run again, or raise vpc_peering_wait_timeout."
                                    % (name, args.get("polls", 1), "%g" % args.get("poll_seconds", 0)))
    return out
