# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloudwire.atlas.vpc_peering role's bookkeeping across hosts, in Python: which hosts share one plan and one apply step,
each host's plan, the ids a step needs from the steps before it, each host's outcome of a shared step, and the report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: vpc_peering_groups
short_description: The cloudwire.atlas.vpc_peering role's groups of hosts (one plan and one apply step per group)
version_added: 0.1.0
author:
  - cloudwire platform engineering (@cloudwire)
description:
  - Groups the hosts that ran the role's preflight (those with the fact C(vpc_peering_want)) twice; by AWS account, region and
    Atlas project (they share one C(cloudwire.atlas.vpc_peering_plan) and one C(cloudwire.atlas.vpc_peering_aws) step),
    and by Atlas project (one C(cloudwire.atlas.vpc_peering_atlas) step). The file also holds the role's other filters,
    C(vpc_peering_assuming), C(vpc_peering_runs_once), C(vpc_peering_index), C(vpc_peering_members), C(vpc_peering_plan_of),
    C(vpc_peering_ids), C(vpc_peering_step), C(vpc_peering_outcome), C(vpc_peering_report), C(vpc_peering_summary),
    C(vpc_peering_summary_text), C(vpc_peering_database_users_wanted), C(vpc_peering_database_user_password),
    C(vpc_peering_connection) and C(vpc_peering_connections), documented in the role's C(docs/role.md).
options:
  _input:
    description: The hosts of the play batch.
    type: list
    elements: str
    required: true
  hostvars:
    description: The play's C(hostvars).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Group the VPCs of the run
  ansible.builtin.set_fact:
    vpc_peering_groups: "{{ ansible_play_batch | cloudwire.atlas.vpc_peering_groups(hostvars) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: For each host, C(read) (the hosts of its AWS account, region and Atlas project) and C(project) (its Atlas project's hosts).
  type: dict
"""

import multiprocessing

from ansible.errors import AnsibleFilterError

# Only ids.py, which imports nothing: ansible-core loads every filter file of the collection in every worker process that
# templates one of these filters, compiling each file it imports from source (collection plugins get no bytecode cache).
from ansible_collections.cloudwire.atlas.plugins.module_utils.ids import late_ids

# Hosts that share these are planned by one step (and their AWS writes made by one).
READ_GROUP_KEYS = ("region", "endpoint_url", "assume_role_arn", "project_id", "project_name", "base_url", "public_key", "atlas_cidr_block")
# Hosts that share these write to one Atlas project's access list: one step for all of them (Atlas refuses
# concurrent additions).
PROJECT_GROUP_KEYS = ("project_id", "project_name", "base_url", "public_key")
# Which planned actions each shared step applies.
STEP_ACTIONS = {
    "atlas": ("container", "peering", "access_list"),
    "aws": ("wait_connection", "accept", "routes", "dns", "wait_available"),
    "atlas_late": ("access_list_late",),
    "atlas_teardown": ("access_list_remove", "peering_delete"),
    "aws_teardown": ("routes_remove",),
    "containers": ("remove_container",),
}
# What each step registers (roles/vpc_peering/tasks): the filters read the answers of earlier steps under these names.
REGISTERED = {
    "plan": "vpc_peering_planned",
    "stack": "vpc_peering_stack_result",
    "atlas": "vpc_peering_atlas_result",
    "atlas_late": "vpc_peering_atlas_late_result",
    "aws": "vpc_peering_aws_result",
    "atlas_teardown": "vpc_peering_atlas_result",
    "aws_teardown": "vpc_peering_aws_result",
    "containers": "vpc_peering_containers_result",
    "cluster": "vpc_peering_cluster",
}
# A host's database user as the plan reads it: everything but the password, which stays in the host's own variables.
USER_KEYS = ("username", "auth_type", "auth_database", "roles", "scopes", "description", "delete_after_date", "update_password")
NO_REPORT = "(no report: the host failed before its report)"


# hostvars[host] makes ansible-core compute every variable of that host again (inventory, facts, registered results), and
# reading one of them templates it again; the filters read the same few hosts several times per task, and each loop item
# templates the task's options again. A worker process runs one task for one host, and what it sees of hostvars does not
# change while it runs: there each value is read once. (Not in ansible-playbook's own process, which lives through the run.)
_READ = {}


def _vars(hostvars, host):
    try:
        return hostvars[host]
    except KeyError:
        raise AnsibleFilterError("no host %s in hostvars" % host)


def _get(hostvars, host, name, default=None):
    if isinstance(hostvars, dict) or multiprocessing.parent_process() is None:
        variables = _vars(hostvars, host)
        return variables[name] if name in variables else default
    if _READ.get("hostvars") is not hostvars:
        _READ.clear()
        _READ["hostvars"] = hostvars
    key = (host, name)
    if key not in _READ:
        variables = _READ.get(host)
        if variables is None:
            variables = _READ[host] = _vars(hostvars, host)
        _READ[key] = variables[name] if name in variables else _MISSING
    value = _READ[key]
    return default if value is _MISSING else value


_MISSING = object()


def _ran(result):
    """A registered result of a task that ran on this host (not skipped, not undefined)."""
    return isinstance(result, dict) and result and not result.get("skipped")


def vpc_peering_groups(hosts, hostvars):
    """host -> {"read": hosts of its AWS account, region and Atlas project, "project": hosts of its Atlas project}.

    A host whose inputs break a rule is in no group: nothing is read or written for it (its plan is its input errors)."""
    read, project = {}, {}
    for host in hosts:
        want = _get(hostvars, host, "vpc_peering_want")
        if not want or want.get("input_errors"):
            continue
        connection = want.get("connection") or {}
        read.setdefault(tuple(str(connection.get(k) or "") for k in READ_GROUP_KEYS), []).append(host)
        project.setdefault(tuple(str(connection.get(k) or "") for k in PROJECT_GROUP_KEYS), []).append(host)
    groups = {}
    for kind, grouped in (("read", read), ("project", project)):
        for members in grouped.values():
            for host in members:
                groups.setdefault(host, {})[kind] = list(members)
    return groups


def vpc_peering_runs_once(by_host, play_batch, kind=None):
    """Whether a shared task (run by the first host of each group still in the play batch) has at most one host to run it, the
    batch's first: then the role sends it to that host alone (run_once) rather than skipping it on every other host.
    ``by_host``: host -> the hosts of its group (a step's members in vpc_peering_run), or host -> {kind: hosts}
    (vpc_peering_groups) with ``kind``."""
    runners = set()
    for host, group in (by_host or {}).items():
        members = (group or {}).get(kind) if kind else group
        live = [member for member in members or [] if member in play_batch]
        if host in play_batch and live:
            runners.add(live[0])
    return not runners or runners == set(play_batch[:1])


def vpc_peering_assuming(hosts, hostvars):
    """The hosts whose VPC is reached through a role to assume in its account (its inputs break no rule)."""
    assuming = []
    for host in hosts:
        want = _get(hostvars, host, "vpc_peering_want") or {}
        if not want.get("input_errors") and (want.get("connection") or {}).get("assume_role_arn"):
            assuming.append(host)
    return assuming


def vpc_peering_index(hosts, hostvars):
    """Once a run, after the plan: each host's plan (``plans``), for each shared step, each host that step runs for -> the
    hosts of its group the step runs for (``members``), and every action some host's plan has (``planned``: a task that no
    host needs is skipped once for the whole batch, not once per host). The hosts' later tasks read their own copy of it (a
    fact)."""
    plans = dict((host, _planned(host, hostvars)) for host in hosts)
    groups = dict((host, (_get(hostvars, host, "vpc_peering_groups") or {}).get(host) or {}) for host in hosts)
    members = {}
    for step, actions in STEP_ACTIONS.items():
        needs = set(host for host in hosts if any(action in plans[host]["actions"] for action in actions))
        members[step] = dict((host, [m for m in groups[host].get(_kind(step)) or [] if m in needs]) for host in hosts if host in needs)
    planned = sorted(set(action for plan in plans.values() for action in plan["actions"]))
    return {"plans": plans, "members": members, "planned": planned}


def _kind(step):
    """The group a step runs once for: an Atlas project, or an AWS account and region (with its project)."""
    return "project" if step.startswith("atlas") or step == "containers" else "read"


def _planned(host, hostvars):
    """The host's plan as its group's vpc_peering_plan step answered; a plan whose problems say why there is none."""
    want = _get(hostvars, host, "vpc_peering_want") or {}
    if want.get("input_errors"):
        errors = list(want["input_errors"])
        errors[-1] += " (meta/argument_specs.yml documents every input)"
        return _failed_plan(errors)
    members = ((_get(hostvars, host, "vpc_peering_groups") or {}).get(host) or {}).get("read") or [host]
    for member in members:
        planned = _get(hostvars, member, REGISTERED["plan"])
        if not _ran(planned):
            continue
        if planned.get("failed") or host not in (planned.get("vpcs") or {}):
            return _failed_plan(["reading its VPC on both clouds failed: %s" % (planned.get("msg") or "no answer for this host")])
        return planned["vpcs"][host]
    return _failed_plan(["reading its VPC on both clouds failed: no answer for this host"])


def _failed_plan(problems):
    return {"findings": [], "problems": problems, "actions": {}, "ids": {}, "in_sync": False}


def vpc_peering_plan_of(host, hostvars):
    """The host's plan, from the run's index (the fact vpc_peering_run); {} before preflight made it."""
    return ((_get(hostvars, host, "vpc_peering_run") or {}).get("plans") or {}).get(host) or {}


def vpc_peering_members(host, hostvars, play_batch, kind="read", step=None):
    """The hosts still in the play that share the host's group (kind ``read`` or ``project``); with ``step``, only those whose
    plan has an action of that step. The first of them runs the group's task."""
    if step is None:
        members = ((_get(hostvars, host, "vpc_peering_groups") or {}).get(host) or {}).get(kind) or []
    else:
        members = (((_get(hostvars, host, "vpc_peering_run") or {}).get("members") or {}).get(step) or {}).get(host) or []
    return [m for m in members if m in play_batch]


def _stack_outputs(hostvars, host):
    stack = _get(hostvars, host, REGISTERED["stack"])
    return (stack.get("stack_outputs") or {}) if _ran(stack) and not stack.get("failed") else {}


def _last_poll(hostvars, host, name):
    polls = _get(hostvars, host, name)
    results = [r for r in (polls or {}).get("results") or [] if _ran(r)]
    return results[-1] if results else {}


def vpc_peering_outcome(host, step, hostvars):
    """The host's part of a shared step's answer ({} when the step had nothing for it); ``error`` says why it failed."""
    members = ((_get(hostvars, host, "vpc_peering_groups") or {}).get(host) or {}).get(_kind(step)) or []
    for member in members:
        result = _get(hostvars, member, REGISTERED[step])
        if not _ran(result):
            continue
        mine = (result.get("vpcs") or {}).get(host)
        if mine is not None:
            return mine
        if result.get("failed"):
            return {"error": "the %s step, run by %s for its group, failed: %s" % (step, member, result.get("msg"))}
    return {}


def vpc_peering_ids(host, hostvars):
    """The host's ids now: the plan's, completed by the stack this run deployed, the Atlas step and the AWS step (the pcx- id
    its wait found)."""
    return late_ids(vpc_peering_plan_of(host, hostvars), stack_outputs_now=_stack_outputs(hostvars, host),
                    atlas_done=vpc_peering_outcome(host, "atlas", hostvars), connection=vpc_peering_outcome(host, "aws", hostvars),
                    cluster=_last_poll(hostvars, host, REGISTERED["cluster"]))


def _step_input(host, step, hostvars):
    plan = vpc_peering_plan_of(host, hostvars)
    actions = plan.get("actions") or {}
    ids = vpc_peering_ids(host, hostvars)
    item = {"name": host}
    if step == "atlas":
        item["container"] = actions.get("container")
        if "peering" in actions:
            peering = dict(actions["peering"])
            for key in ("container_id", "vpc_id"):
                peering[key] = peering.get(key) or ids.get(key)
            item["peering"] = peering
        item["access_list"] = _entries(actions.get("access_list"), ids)
    elif step == "atlas_late":
        item["access_list"] = _entries(actions.get("access_list_late"), ids)
    elif step == "aws":
        item["vpc_id"] = ids.get("vpc_id")
        if "accept" in actions:
            item["accept"] = actions["accept"].get("connection_id") or ids.get("connection_id")
        if "routes" in actions:
            routes = dict(actions["routes"])
            routes["connection_id"] = routes.get("connection_id") or ids.get("connection_id")
            routes["route_table_ids"] = routes.get("route_table_ids") or ids.get("route_table_ids")
            item["routes"] = routes
        item["dns"] = (actions.get("dns") or {}).get("attributes") or []
        # A stack deployed by this run: the plan could not read its VPC's DNS attributes.
        item["dns_check"] = bool((actions.get("stack") or {}).get("dns_check"))
        # The waits around the writes: for the pcx- id (from one interval after this run requested the peering), for AVAILABLE
        # (and the VPC's access-list entry ACTIVE, when the plan folded that wait in).
        item["wait_connection"] = "wait_connection" in actions
        item["wait_available"] = "wait_available" in actions
        if item["wait_connection"] or item["wait_available"]:
            item["peering_id"] = ids.get("peering_id")
            item["requested_at"] = ids.get("requested_at")
            item["entries"] = ids.get("available_wait_entries") or []
    elif step == "atlas_teardown":
        item["access_list_remove"] = (actions.get("access_list_remove") or {}).get("entries") or []
        item["peering_delete"] = (actions.get("peering_delete") or {}).get("id")
    elif step == "containers":
        item["remove_container"] = (actions.get("remove_container") or {}).get("region")
    elif step == "aws_teardown":
        item["vpc_id"] = ids.get("vpc_id")
        item["routes_remove"] = actions.get("routes_remove")
    return item


def _entries(action, ids):
    """The access-list entries of an action; None in the plan means the VPC's own entry, known once its stack exists."""
    if not action:
        return []
    if action.get("entries") is not None:
        return action["entries"]
    if not ids.get("security_group_id"):
        return []
    entry = {"aws_security_group": ids["security_group_id"]}
    if action.get("comment"):
        entry["comment"] = action["comment"]
    return [entry]


def vpc_peering_step(hosts, step, hostvars):
    """The ``vpcs`` option of a shared step's module, one element per host."""
    if step not in STEP_ACTIONS:
        raise AnsibleFilterError("vpc_peering_step: unknown step %r (one of %s)" % (step, ", ".join(sorted(STEP_ACTIONS))))
    return [_step_input(host, step, hostvars) for host in hosts]


def vpc_peering_report(host, hostvars, check_mode=False):
    """What the run reports for the host: in check mode the plan's findings; otherwise what it changed, i.e. the findings it
    repaired and what the AWS step found only once a new stack or peering existed (routes, the acceptance)."""
    lines = list(vpc_peering_plan_of(host, hostvars).get("findings") or [])
    if not check_mode:
        for step in ("aws", "aws_teardown"):
            for line in vpc_peering_outcome(host, step, hostvars).get("done") or []:
                if line not in lines:
                    lines.append(line)
    return lines


def vpc_peering_summary(hosts, hostvars):
    """host -> its findings, for the run summary (set_stats for AWX)."""
    return dict((host, _get(hostvars, host, "vpc_peering_findings", [NO_REPORT])) for host in hosts)


def vpc_peering_summary_text(check_mode, summary, connections=None):
    """The summary's message: what the run found (check mode) or changed, host by host; then, for the hosts whose application
    names a cluster or database users, its private connection string and the users' names (never a password)."""
    hosts = [host for host, lines in summary.items() if lines]
    heading = "Drift (check mode, nothing was changed)" if check_mode else "Changes made by this run"
    text = "%s: %d finding(s) on %d of %d host(s)." % (heading, sum(len(lines) for lines in summary.values()), len(hosts), len(summary))
    lines = [text] + ["%s: %s." % (host, "; ".join(summary[host])) for host in hosts]
    if connections:
        lines.append("Private connection strings (they resolve over the peering) and database users:")
        for host, connection in connections.items():
            string = connection.get("private_srv") or (
                "(cluster %s: no private connection string yet)" % connection["cluster"] if connection.get("cluster") else "(no cluster named)")
            users = ", ".join(connection.get("database_users") or []) or "none"
            lines.append("%s: %s; database users: %s." % (host, string, users))
    return "\n".join(lines)


def vpc_peering_database_users_wanted(users):
    """A host's vpc_peering_database_users as the plan takes them: each user without its password, with ``has_password``
    saying whether there is one (the password itself never leaves the host's own variables)."""
    wanted = []
    for index, user in enumerate(users or []):
        if not isinstance(user, dict):
            raise AnsibleFilterError("vpc_peering_database_users[%d] is not a dict (username, password, roles, ...)" % index)
        item = dict((key, user[key]) for key in USER_KEYS if user.get(key) not in (None, ""))
        item["has_password"] = bool(user.get("password"))
        wanted.append(item)
    return wanted


def vpc_peering_database_user_password(users, wanted):
    """The password the host gives for a planned user (``wanted``: an element of the plan's database_users action), or None.

    The only filter that returns a password: the role uses it in the one task that sends it, the atlas_database_user task of
    that host, whose ``password`` option is no_log."""
    for user in users or []:
        if user.get("username") == wanted.get("username") and user.get("auth_database") in (None, "", wanted.get("auth_database")):
            return user.get("password") or None
    return None


def vpc_peering_connection(host, hostvars):
    """What the host's application needs to connect, for the summary: its cluster, the private SRV connection string (None
    until Atlas gives one) and its database users' names. {} for a host that names neither."""
    ids = vpc_peering_ids(host, hostvars)
    if not ids.get("cluster_name") and not ids.get("database_users"):
        return {}
    return {"cluster": ids.get("cluster_name"), "private_srv": ids.get("private_srv"), "database_users": list(ids.get("database_users") or [])}


def vpc_peering_connections(hosts, hostvars):
    """host -> its vpc_peering_connection fact, for the hosts that have one (set_stats for AWX, and the summary)."""
    found = {}
    for host in hosts:
        connection = _get(hostvars, host, "vpc_peering_connection")
        if connection:
            found[host] = connection
    return found


class FilterModule(object):
    def filters(self):
        return {
            "vpc_peering_groups": vpc_peering_groups,
            "vpc_peering_assuming": vpc_peering_assuming,
            "vpc_peering_runs_once": vpc_peering_runs_once,
            "vpc_peering_members": vpc_peering_members,
            "vpc_peering_index": vpc_peering_index,
            "vpc_peering_plan_of": vpc_peering_plan_of,
            "vpc_peering_ids": vpc_peering_ids,
            "vpc_peering_step": vpc_peering_step,
            "vpc_peering_outcome": vpc_peering_outcome,
            "vpc_peering_report": vpc_peering_report,
            "vpc_peering_summary": vpc_peering_summary,
            "vpc_peering_summary_text": vpc_peering_summary_text,
            "vpc_peering_database_users_wanted": vpc_peering_database_users_wanted,
            "vpc_peering_database_user_password": vpc_peering_database_user_password,
            "vpc_peering_connection": vpc_peering_connection,
            "vpc_peering_connections": vpc_peering_connections,
        }
