#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_plan
short_description: Read both sides of AWS VPC to MongoDB Atlas peerings and plan what a run must do
version_added: 0.1.0
description:
  - Reads everything the C(cloudwire.atlas.vpc_peering) role converges (or tears down) for one or more VPCs of one AWS account and
    region and one Atlas project, in one step, and plans each VPC.
  - On AWS, each VPC's network stack (when C(stack_name) is given), the VPCs with their DNS attributes and the route tables in
    scope, each kind read once for all the VPCs; the caller's account only when a VPC does not exist (yet).
  - On Atlas, the project's network container in O(region), the peerings and the access list, each list read once for all the VPCs,
    and the status of each VPC's access-list entry; when a VPC lists database users (O(vpcs[].database_users)), the project's
    database users, once; and each cluster a VPC names (O(vpcs[].cluster_name)), once.
  - For each VPC, RV(vpcs.findings) says what differs from the wanted state, one line per finding (the role's drift report);
    RV(vpcs.problems) says what stops a run before its first write (a wrong account, an unknown VPC, an overlapping CIDR, a
    locked container CIDR, a refusal of the automation policy); RV(vpcs.actions) is the plan, the ordered actions a run applies
    with the ids each needs.
  - Read-only on both clouds. The role runs it once per AWS account, region and Atlas project for the whole inventory.
  - Runs on the controller (an action plugin, no module process), since the plan is on the path of every run and a module process first
    builds, unpacks and imports its payload. Connection options are read on the controller (task arguments, C(module_defaults) of
    C(group/cloudwire.atlas.aws) and C(group/cloudwire.atlas.atlas), or the controller's C(AWS_*) and C(MONGODB_ATLAS_*)
    environment variables); the task's C(environment) keyword does not apply.
  - O(validate_certs) applies to both clouds.
options:
  atlas_cidr_block:
    description:
      - The CIDR block wanted for the Atlas container in O(region); the routes in scope must send it through the peering.
    type: str
    required: true
  stack_template:
    description:
      - The template each VPC's stack must have (YAML or JSON text), compared as data with the deployed one. Not compared when not
        given.
    type: str
  vpcs:
    description:
      - The VPCs to plan, in O(region), owned by the account of the AWS credentials (or reached with them).
      - An empty string counts as not given (the role passes every input).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - A name for the VPC, unique in O(vpcs); RV(vpcs) is keyed by it. The role uses the inventory host name.
        type: str
        required: true
      state:
        description:
          - V(present) plans the converge, V(absent) plans the teardown.
        type: str
        choices: [present, absent]
        default: present
      vpc_id:
        description:
          - An existing VPC. Exactly one of O(vpcs[].vpc_id) and O(vpcs[].stack_name) is required.
        type: str
      stack_name:
        description:
          - A CloudFormation stack whose outputs name the VPC (C(VpcId)), its route tables (C(RouteTableIds), comma-separated) and a
            security group (C(SecurityGroupId)), like the role's template. A stack that does not exist is planned, not an error.
        type: str
      vpc_cidr_block:
        description:
          - The CIDR block the stack's VPC gets (the access-list entry and the peering's route table CIDR before the stack
            exists). For an existing VPC, the CIDR used during a teardown when the VPC can no longer be read.
        type: str
      aws_account_id:
        description:
          - AWS account that owns the VPC, as the peering names it. Defaults to the account that owns the VPC as read (or, for a VPC
            still to be created, the account of the AWS credentials). A VPC owned by another account is a problem.
        type: str
      route_table_ids:
        description:
          - The route tables in scope. Defaults to the stack's C(RouteTableIds) output, else every route table of the VPC.
        type: list
        elements: str
      route_table_tags:
        description:
          - Only the route tables with all these tags are in scope.
        type: dict
      access_list_mode:
        description:
          - What the project access list must hold for the VPC. V(cidr) is the VPC's CIDR block, V(security_group) the security
            group (O(vpcs[].security_group_id), else the stack's C(SecurityGroupId) output), V(none) leaves the access list out.
        type: str
        choices: [cidr, security_group, none]
        default: cidr
      security_group_id:
        description:
          - The security group of the access-list entry with O(vpcs[].access_list_mode=security_group).
        type: str
      access_list_comment:
        description:
          - The comment the access-list entry must carry. Not compared when not given.
        type: str
      stack_parameters:
        description:
          - Parameter values the stack must have (compared as strings); parameters not given here are not compared.
        type: dict
      stack_tags:
        description:
          - The tags the stack must have, exactly. Not compared when not given.
        type: dict
      require_dns:
        description:
          - Whether DNS support and DNS hostnames must be on in the VPC (Atlas hostnames then resolve to private IPs over the peering).
        type: bool
        default: true
      recreate_failed:
        description:
          - Whether a C(FAILED) peering is planned for deletion and a new request; otherwise it is a problem.
        type: bool
        default: true
      stack_remove:
        description:
          - With O(vpcs[].state=absent), whether the stack is planned for deletion too.
        type: bool
        default: true
      container_remove:
        description:
          - With O(vpcs[].state=absent), whether the region's Atlas container is planned for removal (once no peering uses it).
        type: bool
        default: true
      cluster_name:
        description:
          - The cluster whose private SRV connection string the VPC's application uses; it must have nodes in O(region). The plan's
            C(ids.private_srv) is that string once Atlas gives it (a peering AVAILABLE in the region), else an action waits for it.
        type: str
      database_users:
        description:
          - The database users the VPC's application needs, compared with the project's (missing, roles, scopes, description,
            expiry differ). Never a password - O(vpcs[].database_users[].has_password) says whether the host has one.
        type: list
        elements: dict
        default: []
        suboptions:
          username:
            description: The user's name.
            type: str
            required: true
          auth_type:
            description: How it authenticates (the choices of M(cloudwire.atlas.atlas_database_user)).
            type: str
            choices: [scram, aws_iam_user, aws_iam_role, x509_managed, x509_customer, ldap_user, ldap_group, oidc_workforce, oidc_workload]
            default: scram
          auth_database:
            description: Its authentication database; the one of O(vpcs[].database_users[].auth_type) when not given.
            type: str
          roles:
            description: Its roles (C(role_name), C(database_name), C(collection_name)), compared as a set.
            type: list
            elements: dict
            required: true
          scopes:
            description: The clusters it may use (C(name), C(type)), compared as a set; not compared when not given.
            type: list
            elements: dict
          description:
            description: Its description; not compared when not given.
            type: str
          delete_after_date:
            description: When Atlas deletes it (ISO 8601), as in M(cloudwire.atlas.atlas_database_user); not compared when not given.
            type: str
          update_password:
            description: V(always) plans the password on every run (a finding, and the apply step sends it).
            type: str
            choices: [on_create, always]
            default: on_create
          has_password:
            description: Whether the host has a password for the user (a missing SCRAM user without one is a problem).
            type: bool
            default: false
      policy:
        description:
          - The automation policy of the VPC's environment (the role's C(vpc_peering_policy_*) variables, see the role's
            C(docs/automation-policy.md)). What it refuses is a problem in a normal run and a finding in check mode.
        type: dict
        default: {}
        suboptions:
          environment:
            description: The environment's name; refusals name it and a teardown confirmation must equal it.
            type: str
            default: ""
          allow_stack_create:
            description: Whether a missing stack may be created.
            type: bool
            default: true
          allow_container_create:
            description: Whether a missing Atlas container may be created.
            type: bool
            default: true
          allow_teardown:
            description: Whether a teardown may run without O(vpcs[].policy.confirm_teardown).
            type: bool
            default: true
          require_approval:
            description: Whether a converge that writes needs O(vpcs[].policy.approved_by). Check mode needs none.
            type: bool
            default: false
          approved_by:
            description: Who or what approved the run.
            type: str
            default: ""
          confirm_teardown:
            description: The environment's name, typed to confirm a teardown.
            type: str
            default: ""
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
  - cloudwire.atlas.aws
  - cloudwire.atlas.aws.region
attributes:
  check_mode:
    support: full
    details: Read-only; check mode changes nothing (what the policy refuses becomes a finding).
  diff_mode:
    support: N/A
    details: Read-only; each VPC's C(findings) lists what differs.
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  action_group:
    description: Use C(group/cloudwire.atlas.atlas) and C(group/cloudwire.atlas.aws) in C(module_defaults) to set defaults for this module.
    membership:
      - cloudwire.atlas.atlas
      - cloudwire.atlas.aws
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Plan two VPCs of the payments account on both clouds
  cloudwire.atlas.vpc_peering_plan:
    project_name: payments-dev
    region: eu-west-1
    atlas_cidr_block: 192.168.248.0/21
    vpcs:
      - name: payments-api
        vpc_id: vpc-0a1b2c3d4e5f67890
      - name: payments-batch
        vpc_id: vpc-0fedcba9876543210
        access_list_mode: none
  register: payments_plan

- name: Say what differs and what a run would do
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.findings | join('; ') or 'in place' }} (actions: {{ item.value.actions | join(', ') or 'none' }})"
  loop: "{{ payments_plan.vpcs | dict2items }}"
  loop_control:
    label: "{{ item.key }}"
"""

RETURN = r"""
in_sync:
  description: Whether every VPC of O(vpcs) is as wanted (no finding, no action).
  returned: always
  type: bool
vpcs:
  description: The plan of each VPC of O(vpcs), keyed by its name.
  returned: always
  type: dict
  contains:
    findings:
      description:
        - What differs from the wanted state, one line per finding, in the words of the role's drift report; empty when the
          peering is in place.
        - "In check mode, what the automation policy would refuse comes first (C(policy: a run would be refused: ...))."
      type: list
      elements: str
      sample: ["peering: pending acceptance of pcx-0a1b2c3d4e5f67890", "route rtb-0a1b2c3d4e5f67890: missing"]
    problems:
      description: Why a run must stop before its first write; empty when it may go on.
      type: list
      elements: str
      sample: ["vpc_peering_vpc_id vpc-0a1b2c3d4e5f67890 was not found in account 123456789012, region eu-west-1"]
    actions:
      description:
        - The plan, in the order a run applies it; each key is an action and its value the ids it needs (V(null) where an earlier
          action of the run produces the id).
        - "Converge: C(stack), C(container), C(peering) (C(request): C(create), C(recreate) or C(update)), C(access_list),
          C(wait_connection), C(accept), C(routes), C(dns), C(access_list_late) (a security-group entry, which Atlas takes only
          once the project has a peering AVAILABLE), C(wait_available), C(wait_active). When no C(access_list_late) comes between
          them, C(wait_active) is folded into C(wait_available) (its C(entries) then listed there): one wait polls both."
        - "Teardown: C(routes_remove), C(access_list_remove), C(peering_delete), C(wait_gone), C(stack_delete), C(remove_container)."
      type: dict
      sample: {accept: {connection_id: pcx-0a1b2c3d4e5f67890}, routes: {connection_id: pcx-0a1b2c3d4e5f67890,
               route_table_ids: [rtb-0a1b2c3d4e5f67890], changes: [{route_table_id: rtb-0a1b2c3d4e5f67890, action: create}]},
               wait_available: {peering_id: 5f3a556351db42631e16f33a}}
    ids:
      description: >-
        The ids known when planning (account, container_id, vpc_id, vpc_cidr_block, route_table_ids, security_group_id,
        peering_id, connection_id, access_list_mode, access_list_key; with database users or a cluster, database_users (their
        names), cluster_name and private_srv, V(null) until Atlas gives it).
      type: dict
    in_sync:
      description: Whether the VPC needs nothing.
      type: bool
    read:
      description: What was read for the VPC (stack status and outputs, VPC, route tables and their route to the Atlas CIDR,
        container, peering, access-list entry and its status).
      type: dict
api_calls:
  description: Atlas calls this run made (reads and digest challenges).
  returned: always
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudwire.atlas.plugins.module_utils import plan_step


def main():
    plan_step.run(AnsibleAWSModule(**plan_step.module_kwargs()))


if __name__ == "__main__":
    main()
