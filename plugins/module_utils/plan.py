# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc_peering role's judgement, made once: from what was read on both clouds and what a host wants, the findings (the
lines of the drift report), the problems that stop a run before its first write, and the plan (the ordered actions, each
with the ids it needs).

Every finding string and every refusal of the automation policy is written here and nowhere else. No Ansible, boto3 or
requests imports: vpc_peering_plan reads and calls ``plan_vpc``; the role's filters hand later steps the ids earlier steps
produced (``late_ids``, in ids.py); both are unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.cloudwire.atlas.plugins.module_utils import clusters, database_users, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import cidr_lock_reason
from ansible_collections.cloudwire.atlas.plugins.module_utils.dns import dns_attributes_off, dns_findings
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import database_user_auth_type_locked
from ansible_collections.cloudwire.atlas.plugins.module_utils.ids import OUTPUT_SECURITY_GROUP, OUTPUT_VPC, route_table_ids_of
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import peering_drift
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import normalize_access_list_entry, plan_access_list
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import plan as plan_route

# What the routes are compared with while the peering that will carry them has no pcx- id yet (check mode, or a peering
# still to be requested): every table then shows what it lacks.
PCX_TO_BE_REQUESTED = "pcx-(to-be-requested)"
POLICY_PREFIX = "policy: a run would be refused: "
REFUSED = "refused by the automation policy, nothing was written on either cloud: "
# The order in which the role applies a plan (roles/vpc_peering/tasks/present.yml and absent.yml follow it).
PRESENT_ORDER = ("stack", "container", "peering", "access_list", "wait_connection", "accept", "routes", "dns", "access_list_late",
                 "wait_available", "wait_active", "database_users", "connection_string")
# What a database user's differing field is called in a finding ("database user app-dev: roles differ").
USER_FIELD_WORDS = {"roles": "roles differ", "scopes": "scopes differ", "description": "description differs",
                    "delete_after_date": "expiry differs"}
ABSENT_ORDER = ("routes_remove", "access_list_remove", "peering_delete", "wait_gone", "stack_delete", "remove_container")


class Plan:
    """What one VPC needs: findings, problems, refusals (problems only in a normal run) and actions (kept in flow order)."""

    def __init__(self, name, order):
        self.name = name
        self.order = order
        self.findings = []
        self.problems = []
        self.refusals = []
        self.actions = {}
        self.ids = {}

    def find(self, line):
        if line not in self.findings:
            self.findings.append(line)

    def act(self, action, **details):
        self.actions.setdefault(action, {}).update(details)

    def result(self, check_mode):
        findings = list(self.findings)
        problems = list(self.problems)
        if self.refusals:
            if check_mode:
                findings = [POLICY_PREFIX + refusal for refusal in self.refusals] + findings
            else:
                problems.append(REFUSED + "; ".join(self.refusals) + ".")
        actions = dict((name, self.actions[name]) for name in self.order if name in self.actions)
        if "wait_available" in actions and "wait_active" in actions and "access_list_late" not in actions:
            # Nothing to add between the two waits: one loop polls the peering and the entry (a task less on every host).
            actions["wait_available"] = dict(actions["wait_available"], entries=actions.pop("wait_active")["entries"])
        return {
            "findings": findings,
            "problems": problems,
            "actions": actions,
            "in_sync": not findings and not actions,
            "ids": self.ids,
        }


def stack_outputs(stack):
    return (stack or {}).get("outputs") or {}


def stack_exists(stack):
    return ((stack or {}).get("status") or "") not in ("", "DELETE_COMPLETE")


# ---- the stack -------------------------------------------------------------------------------------------------------

def parse_template(template):
    """A template (a dict, or YAML/JSON text) as data; the text itself when it does not parse (e.g. short-form tags such as !Ref)."""
    if template is None or isinstance(template, dict):
        return template
    try:
        import yaml  # pylint: disable=import-outside-toplevel  # only when a template differs as text: 2 MiB less otherwise
    except ImportError:  # ansible-core depends on PyYAML; without it templates compare as JSON or text
        yaml = None
    if yaml is not None:
        try:
            return yaml.load(template, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return template
    try:
        return json.loads(template)
    except ValueError:
        return template


def same_template(deployed, wanted):
    # Text equal to the wanted text is the same template without parsing either (the usual case: the stack deployed from it).
    return deployed == wanted or parse_template(deployed) == parse_template(wanted)


def stack_findings(want, stack, template):
    """What differs on the stack (missing, failed status, template, parameters, tags), in the report's words."""
    name = want["stack_name"]
    if not stack_exists(stack):
        return ["stack %s: missing" % name]
    lines = []
    status = stack.get("status") or ""
    if re.search("FAILED|ROLLBACK", status):
        lines.append("stack %s: status %s" % (name, status))
    if template is not None and not same_template(stack.get("template"), template):
        lines.append("stack %s: template changed" % name)
    deployed = stack.get("parameters") or {}
    changed = ["%s %s -> %s" % (key, deployed[key] if key in deployed else "(unset)", wanted)
               for key, wanted in (want.get("stack_parameters") or {}).items() if deployed.get(key) != str(wanted)]
    if changed:
        lines.append("stack %s parameters changed: %s" % (name, ", ".join(changed)))
    tags = want.get("stack_tags")
    if tags is not None and (stack.get("tags") or {}) != dict((k, str(v)) for k, v in tags.items()):
        lines.append("stack %s: tags changed" % name)
    return lines


# ---- the automation policy (docs/automation-policy.md) ------------------------------------------------------------------

def _where(policy):
    env = policy.get("environment")
    return "inventories/%s/group_vars" % env if env else "the inventory's group_vars"


def _env(policy):
    return policy.get("environment") or "(unnamed: set vpc_peering_policy_environment)"


def container_create_refusal(policy, region_name):
    return ("vpc_peering_policy_allow_container_create is false in environment %s: the Atlas network container of %s does not exist "
            "and this environment may not create it; create it deliberately (a run with -e vpc_peering_policy_allow_container_create=true)"
            " or set vpc_peering_policy_allow_container_create: true in %s" % (_env(policy), region_name, _where(policy)))


def stack_create_refusal(policy, stack_name):
    return ("vpc_peering_policy_allow_stack_create is false in environment %s: the network stack %s does not exist and this "
            "environment must use an existing VPC; give vpc_peering_vpc_id instead of vpc_peering_stack_name, or set "
            "vpc_peering_policy_allow_stack_create: true in %s" % (_env(policy), stack_name, _where(policy)))


def approval_refusal(policy):
    return ("vpc_peering_policy_require_approval is true in environment %s: a run that writes needs vpc_peering_approved_by, which "
            "the AWX workflow atlas-%s-peer-approved sets after its approval node (or -e vpc_peering_approved_by=<who approved>); "
            "run the drift check first, or set vpc_peering_policy_require_approval: false in %s"
            % (_env(policy), policy.get("environment") or "", _where(policy)))


def teardown_refusal(policy):
    """Why a teardown may not run, or None."""
    env = policy.get("environment") or ""
    confirm = policy.get("confirm_teardown") or ""
    if confirm and confirm != env:
        return ("vpc_peering_confirm_teardown is %s but this is environment %s: the confirmation must be the name of the "
                "environment being torn down" % (confirm, _env(policy)))
    if not policy.get("allow_teardown", True) and not (env and confirm == env):
        return ("vpc_peering_policy_allow_teardown is false in environment %s: teardown needs -e vpc_peering_confirm_teardown=%s "
                "(the AWX unpeer survey asks for it), or set vpc_peering_policy_allow_teardown: true in %s"
                % (_env(policy), env or "<environment name>", _where(policy)))
    return None


# ---- one VPC --------------------------------------------------------------------------------------------------------

def wanted_entry(want, vpc_cidr, security_group):
    """The normalised access-list entry the VPC needs, or None when it cannot be known yet (or the mode is none)."""
    mode = want.get("access_list_mode") or "cidr"
    if mode == "none":
        return None
    entry = {"aws_security_group": security_group} if mode == "security_group" else {"cidr_block": vpc_cidr}
    if not next(iter(entry.values())):
        return None
    if want.get("access_list_comment"):
        entry["comment"] = want["access_list_comment"]
    return normalize_access_list_entry(entry, check_expiry=False)


def plan_vpc(want, seen, context):
    """The plan of one VPC.

    ``want``: what its host asks for (vpc_peering_plan's ``vpcs`` element). ``seen``: what was read for it: ``account`` (the
    credentials' account, when it had to be read), ``stack`` ({status, outputs, parameters, tags, template} or {}), ``vpc``
    ({id, cidr_block, owner_id, enable_dns_support, enable_dns_hostnames} or {}), ``route_tables`` (DescribeRouteTables
    answers, None when not read), ``container`` and ``container_peers`` (Atlas answers), ``peering`` (the Atlas answer or
    None), ``access_list`` (normalised entries of the project), ``entry_status`` ({key: status}), ``available_peering`` (the
    project has a peering AVAILABLE). ``context``: ``region`` (regions.Region), ``atlas_cidr_block``, ``template`` (the
    wanted stack template) and ``check_mode``.
    """
    if want.get("state") == "absent":
        return _plan_absent(want, seen, context)
    return _plan_present(want, seen, context)


def _account(want, seen, plan):
    """The account that owns the VPC (what the peering names), and a problem when it is not the inventory's."""
    vpc = seen.get("vpc") or {}
    owner = vpc.get("owner_id") or seen.get("account")
    wanted = want.get("aws_account_id")
    if wanted and owner and owner != wanted:
        plan.problems.append("the AWS credentials belong to account %s, the inventory says vpc_peering_aws_account_id %s; set "
                             "vpc_peering_aws_assume_role_arn to reach it" % (owner, wanted))
    return wanted or owner


def _plan_present(want, seen, context):
    plan = Plan(want["name"], PRESENT_ORDER)
    region = context["region"]
    atlas_cidr = context["atlas_cidr_block"]
    policy = want.get("policy") or {}
    stack = seen.get("stack") or {}
    vpc = seen.get("vpc") or {}
    account = _account(want, seen, plan)

    # The network: an existing VPC, or the role's stack (deployed when missing or different; its outputs name the VPC).
    outputs = stack_outputs(stack)
    deploy = False
    if want.get("stack_name"):
        lines = stack_findings(want, stack, context.get("template"))
        for line in lines:
            plan.find(line)
        deploy = bool(lines)
        if deploy:
            # The AWS step reads the new VPC's DNS attributes: the plan could not.
            plan.act("stack", dns_check=bool(want.get("require_dns", True)))
            if not stack_exists(stack) and not policy.get("allow_stack_create", True):
                plan.refusals.append(stack_create_refusal(policy, want["stack_name"]))
        vpc_id = outputs.get(OUTPUT_VPC)
        vpc_cidr = vpc.get("cidr_block") or want.get("vpc_cidr_block")
        security_group = want.get("security_group_id") or outputs.get(OUTPUT_SECURITY_GROUP)
    else:
        vpc_id = want["vpc_id"]
        vpc_cidr = vpc.get("cidr_block")
        security_group = want.get("security_group_id")
        if not vpc:
            plan.problems.append("vpc_peering_vpc_id %s was not found in account %s, region %s" % (vpc_id, account, region.aws))
        elif validators.cidrs_overlap(vpc_cidr, atlas_cidr):
            plan.problems.append("vpc_peering_vpc_id %s (CIDR %s): vpc_peering_atlas_cidr_block %s and the VPC's CIDR overlap: Atlas "
                                 "cannot route to a VPC whose CIDR overlaps its container's; choose non-overlapping blocks"
                                 % (vpc_id, vpc_cidr, atlas_cidr))
    if vpc and want.get("require_dns", True):
        lines = dns_findings(vpc)
        for line in lines:
            plan.find(line)
        if lines:
            plan.act("dns", attributes=dns_attributes_off(vpc))

    # The Atlas container of the region, shared by every VPC of the project there.
    container = seen.get("container")
    container_id = (container or {}).get("id")
    if container is None:
        plan.find("atlas container %s: missing" % region.atlas)
        plan.act("container", region=region.atlas, atlas_cidr_block=atlas_cidr, id=None)
        if not policy.get("allow_container_create", True):
            plan.refusals.append(container_create_refusal(policy, region.atlas))
    elif not validators.same_cidr(container.get("atlasCidrBlock"), atlas_cidr):
        locked = cidr_lock_reason(container, seen.get("container_peers") or [])
        if locked:
            plan.problems.append("the Atlas container %s in %s has CIDR %s and vpc_peering_atlas_cidr_block asks for %s, but Atlas locks "
                                 "the CIDR because %s; use vpc_peering_atlas_cidr_block: %s, or delete the peerings and clusters in "
                                 "this region first" % (container_id, region.atlas, container.get("atlasCidrBlock"), atlas_cidr, locked,
                                                        container.get("atlasCidrBlock")))
        else:
            plan.find("atlas container %s: CIDR %s instead of %s" % (region.atlas, container.get("atlasCidrBlock"), atlas_cidr))
            plan.act("container", region=region.atlas, atlas_cidr_block=atlas_cidr, id=container_id)

    # The peering: (container, VPC, account) is its identity; what it lacks decides the waits and the acceptance.
    peering = seen.get("peering")
    request = dict(container_id=container_id, vpc_id=vpc_id, aws_account_id=account, route_table_cidr_block=vpc_cidr,
                   accepter_region=region.aws)
    pcx = None
    status = (peering or {}).get("statusName")
    if peering is None or status in ("FAILED", "TERMINATING"):
        if peering is None:
            plan.find("peering: missing")
            plan.act("peering", request="create", id=None, **request)
        elif status == "FAILED":
            plan.find("peering: FAILED/%s" % (peering.get("errorStateName") or "UNKNOWN"))
            if want.get("recreate_failed", True):
                plan.act("peering", request="recreate", id=peering.get("id"), **request)
            else:
                plan.problems.append("peering %s is FAILED/%s and vpc_peering_recreate_failed is false: delete it (playbooks/unpeer.yml) "
                                     "or set vpc_peering_recreate_failed: true" % (peering.get("id"), peering.get("errorStateName")))
        else:
            plan.find("peering: TERMINATING (deleted outside this run)")
            plan.act("peering", request="recreate", id=peering.get("id"), **request)
        plan.act("wait_connection", peering_id=None)
        plan.act("accept", connection_id=None)
        plan.act("wait_available", peering_id=None)
    else:
        plan.ids["peering_id"] = peering.get("id")
        drift = peering_drift(peering, vpc_cidr, region.aws, region.aws)
        for option, (have, wanted) in sorted(drift.items()):
            plan.find("peering: %s %s instead of %s" % (option, have, wanted))
        if drift:
            plan.act("peering", request="update", id=peering.get("id"), **request)
        pcx = peering.get("connectionId") or None
        if status == "INITIATING" or not pcx:
            plan.find("peering: %s" % status)
            plan.act("wait_connection", peering_id=peering.get("id"))
            plan.act("accept", connection_id=None)
        elif status == "PENDING_ACCEPTANCE":
            plan.find("peering: pending acceptance of %s" % pcx)
            plan.act("accept", connection_id=pcx)
        elif status != "AVAILABLE":
            plan.find("peering: %s" % status)
        if status != "AVAILABLE":
            plan.act("wait_available", peering_id=peering.get("id"))
    plan.ids["connection_id"] = pcx

    # Routes to the Atlas CIDR in every route table in scope; a stack deployed by this run is read again by the AWS step.
    tables = seen.get("route_tables")
    if deploy or (want.get("stack_name") and not vpc):
        plan.act("routes", connection_id=pcx, route_table_ids=None, changes=None)
    elif vpc and tables is not None:
        if not tables:
            plan.problems.append("no route table of %s is in scope (vpc_peering_route_table_ids=%s, vpc_peering_route_table_tags=%s)"
                                 % (vpc_id, want.get("route_table_ids") or [], want.get("route_table_tags") or {}))
        changes = []
        for table in tables:
            action, line = plan_route(table, atlas_cidr, pcx or PCX_TO_BE_REQUESTED, "present")
            if action:
                plan.find(line)
                changes.append({"route_table_id": table["RouteTableId"], "action": action})
        if changes:
            plan.act("routes", connection_id=pcx, route_table_ids=[t["RouteTableId"] for t in tables], changes=changes)

    # The project access list: the VPC's CIDR (known before the stack exists) or its security group (known once it does).
    entry = wanted_entry(want, vpc_cidr, security_group)
    mode = want.get("access_list_mode") or "cidr"
    # Atlas takes a security-group entry only once the project has a peering AVAILABLE.
    late = mode == "security_group" and not seen.get("available_peering")
    step = "access_list_late" if late else "access_list"
    if entry is not None:
        compared = plan_access_list(seen.get("access_list") or [], [entry], "present", False)
        if compared["added"] or compared["updated"]:
            plan.find("access list %s: %s" % (entry["key"], "missing" if compared["added"] else "comment differs"))
            plan.act(step, entries=[_public_entry(entry)])
            plan.act("wait_active", entries=[entry["key"]])
        else:
            state = (seen.get("entry_status") or {}).get(entry["key"])
            if state != "ACTIVE":
                plan.find("access list %s: %s" % (entry["key"], state))
                plan.act("wait_active", entries=[entry["key"]])
    elif mode == "security_group" and "stack" in plan.actions and not want.get("security_group_id"):
        # The stack's security group, once the stack exists: the role's filters fill it in (late_ids).
        plan.act(step, entries=None, comment=want.get("access_list_comment"))
        plan.act("wait_active", entries=None)

    _plan_database_users(plan, want, seen)
    _plan_connection_string(plan, want, seen, region)

    if plan.actions and policy.get("require_approval") and not context.get("check_mode") and not policy.get("approved_by"):
        plan.refusals.append(approval_refusal(policy))

    plan.ids.update(account=account, container_id=container_id, vpc_id=vpc_id, vpc_cidr_block=vpc_cidr,
                    route_table_ids=route_table_ids_of(outputs) if want.get("stack_name") else [t["RouteTableId"] for t in tables or []],
                    security_group_id=security_group, access_list_mode=mode, access_list_key=entry["key"] if entry else None)
    return plan.result(context.get("check_mode"))


# ---- the application's database users and its connection string ------------------------------------------------------

def _plan_database_users(plan, want, seen):
    """Each user the host lists (normalised, without a password: ``has_password`` says whether its host has one) against the
    project's users as Atlas lists them: missing, or a compared field that differs; with update_password always, a password
    sent on every run. Users Atlas cannot change in place, or cannot create without a password, are problems."""
    wanted = want.get("database_users") or []
    plan.ids["database_users"] = [user["username"] for user in wanted]
    planned = []
    for index, user in enumerate(wanted):
        name = user["username"]
        current = database_users.find_user(seen.get("database_users"), name, user["auth_database"])
        if current is not None and current["auth_type"] != user["auth_type"]:
            plan.problems.append(str(database_user_auth_type_locked(name, user["auth_database"], current["auth_type"], user["auth_type"])))
            continue
        step = database_users.plan_user(current, user, "present", user.get("has_password"), user.get("update_password") or "on_create")
        if step["action"] == "none":
            continue
        if step["action"] == "create":
            plan.find("database user %s: missing" % name)
            if user["auth_type"] == "scram" and not user.get("has_password"):
                plan.problems.append("database user %s is missing and vpc_peering_database_users[%d] gives no password to create it with "
                                     "(from Ansible Vault or the environment)" % (name, index))
        for field in step["changes"]:
            plan.find("database user %s: %s" % (name, USER_FIELD_WORDS[field]))
        if step["password"] and step["action"] == "update":
            plan.find("database user %s: password sent on every run (update_password: always)" % name)
        planned.append(dict(_action_user(user), request=step["action"] if step["action"] == "create" else "update"))
    if planned:
        plan.act("database_users", users=planned)


def _action_user(user):
    """A wanted user as the apply step takes it: the module's options, without what is not compared (None) and never a password."""
    kept = ("username", "auth_type", "auth_database", "roles", "scopes", "description", "delete_after_date", "update_password")
    return dict((key, user[key]) for key in kept if user.get(key) is not None)


def _plan_connection_string(plan, want, seen, region):
    """The private SRV connection string of the cluster the host names: in the ids when Atlas gives it; otherwise an action
    that waits for it after the peering is AVAILABLE. A cluster that does not exist, or has no node in the VPC's region (its
    nodes use only the peering of their own region), is a problem."""
    name = want.get("cluster_name")
    if not name:
        return
    plan.ids["cluster_name"] = name
    cluster = seen.get("cluster")
    if cluster is None:
        plan.problems.append("vpc_peering_cluster_name %s: the project has no cluster of that name" % name)
        return
    regions = clusters.region_names(cluster)
    if region.atlas not in regions:
        plan.problems.append("vpc_peering_cluster_name %s has no node in %s (its regions: %s): Atlas nodes use only the peering of their "
                             "own region, so this VPC's peering cannot reach it; name a cluster with nodes in %s"
                             % (name, region.atlas, ", ".join(regions) or "none", region.aws))
        return
    plan.ids["private_srv"] = clusters.private_srv(cluster)
    if plan.ids["private_srv"] is None:
        if "wait_available" not in plan.actions:
            plan.find("cluster %s: no private connection string yet" % name)
        plan.act("connection_string", cluster_name=name)


def _public_entry(entry):
    return dict((k, entry.get(k)) for k in ("cidr_block", "ip_address", "aws_security_group", "comment") if entry.get(k) is not None)


def _plan_absent(want, seen, context):
    plan = Plan(want["name"], ABSENT_ORDER)
    policy = want.get("policy") or {}
    stack = seen.get("stack") or {}
    vpc = seen.get("vpc") or {}
    account = _account(want, seen, plan)
    outputs = stack_outputs(stack)
    refusal = teardown_refusal(policy)
    if refusal:
        plan.refusals.append(refusal)

    vpc_id = want.get("vpc_id") or outputs.get(OUTPUT_VPC)
    vpc_cidr = vpc.get("cidr_block") or want.get("vpc_cidr_block")
    security_group = want.get("security_group_id") or outputs.get(OUTPUT_SECURITY_GROUP)
    entry = wanted_entry(dict(want, access_list_comment=None), vpc_cidr, security_group)
    if entry is not None:
        present = dict((e["key"], e) for e in seen.get("access_list") or [])
        if entry["key"] in present:
            plan.find("access list %s: present" % entry["key"])
            plan.act("access_list_remove", entries=[entry["key"]])

    peering = seen.get("peering")
    if peering is not None:
        plan.ids["peering_id"] = peering.get("id")
        if peering.get("statusName") != "TERMINATING":
            plan.find("peering: present")
            plan.act("peering_delete", id=peering.get("id"))
        plan.act("wait_gone", peering_id=peering.get("id"))

    changes = []
    for table in seen.get("route_tables") or []:
        action, line = plan_route(table, context["atlas_cidr_block"], None, "absent")
        if action:
            plan.find(line)
            changes.append({"route_table_id": table["RouteTableId"], "action": action})
    if changes:
        plan.act("routes_remove", changes=changes)

    if want.get("stack_name") and stack_exists(stack) and want.get("stack_remove", True):
        plan.find("stack %s: present" % want["stack_name"])
        plan.act("stack_delete")
    # Shared by the region's VPCs: removed once none of them (nor anything else) uses it; not a finding of this VPC.
    if seen.get("container") is not None and want.get("container_remove", True):
        plan.act("remove_container", region=context["region"].atlas)

    plan.ids.update(account=account, container_id=(seen.get("container") or {}).get("id"), vpc_id=vpc_id, vpc_cidr_block=vpc_cidr,
                    security_group_id=security_group, connection_id=(peering or {}).get("connectionId"))
    return plan.result(context.get("check_mode"))
