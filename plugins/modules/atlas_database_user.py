#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: atlas_database_user
short_description: Manage a database user of a MongoDB Atlas project
version_added: 0.1.0
description:
  - Creates, updates and removes one database user of an Atlas project (the users applications log in to the project's
    clusters with), with its roles on databases and, optionally, the clusters it may use.
  - Atlas never returns a password, so a user is compared by everything else (authentication type, roles, scopes, description,
    expiry) and O(update_password) says when the password is sent, as the user modules of C(community.general) do.
  - Passwords never appear in the output, the diff or the logs of the module.
options:
  username:
    description:
      - The user's name. Its form depends on O(auth_type) - a plain name for V(scram) and V(x509_managed), the ARN of an IAM user or
        role for V(aws_iam_user) and V(aws_iam_role), an RFC 2253 distinguished name for V(x509_customer), V(ldap_user) and
        V(ldap_group), C(<identity provider id>/<name>) for V(oidc_workforce) and V(oidc_workload).
    type: str
    required: true
  auth_type:
    description:
      - How the user authenticates - V(scram) with a password (SCRAM-SHA); V(aws_iam_user) or V(aws_iam_role) with AWS IAM credentials;
        V(x509_managed) with certificates Atlas issues or V(x509_customer) with the organisation's own CA; V(ldap_user) or V(ldap_group)
        through LDAP; V(oidc_workforce) (an identity provider group) or V(oidc_workload) (a workload identity) through OIDC.
      - Atlas does not change the authentication type of an existing user; a different one fails naming both.
    type: str
    choices: [scram, aws_iam_user, aws_iam_role, x509_managed, x509_customer, ldap_user, ldap_group, oidc_workforce, oidc_workload]
    default: scram
  auth_database:
    description:
      - The database the user authenticates against - V(admin) for V(scram) and V(oidc_workforce); V($external) for V(aws_iam_user),
        V(aws_iam_role), V(x509_managed), V(x509_customer), V(ldap_user) and V(oidc_workload); either for V(ldap_group).
        Defaults to the one of O(auth_type) (V($external) for V(ldap_group)).
      - A user is identified by O(username) and O(auth_database).
    type: str
  password:
    description:
      - The password of a V(scram) user, at least 8 characters. Needed to create one; with O(update_password=on_create) it is not
        sent to an existing user.
      - Keep it in Ansible Vault or the environment; it is never shown.
    type: str
  update_password:
    description:
      - V(on_create) sends O(password) only when the module creates the user, so reruns change nothing.
      - V(always) sends it on every run to an existing V(scram) user, which then reports C(changed) every time, because Atlas cannot say
        whether the password differs. Use it to rotate a password.
    type: str
    choices: [on_create, always]
    default: on_create
  roles:
    description:
      - The user's roles, compared as a set. Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      role_name:
        description:
          - A built-in role (V(read), V(readWrite), V(dbAdmin), V(enableSharding), V(readAnyDatabase), V(readWriteAnyDatabase),
            V(dbAdminAnyDatabase), V(clusterMonitor), V(backup), V(atlasAdmin)) or a custom role of the project.
        type: str
        required: true
      database_name:
        description:
          - The database the role applies to, such as the application's own. The roles that apply to every database
            (V(atlasAdmin), the C(*AnyDatabase) roles, V(clusterMonitor), V(backup)) take only V(admin), which is their default.
        type: str
      collection_name:
        description:
          - Narrows the role to one collection of O(roles[].database_name).
        type: str
  scopes:
    description:
      - The clusters (data lakes, stream instances) the user may use, compared as a set. Not compared when not given; V([]) means
        every cluster of the project.
    type: list
    elements: dict
    suboptions:
      name:
        description: The name of the cluster, data lake or stream instance.
        type: str
        required: true
      type:
        description: What O(scopes[].name) names.
        type: str
        choices: [cluster, data_lake, stream]
        default: cluster
  description:
    description:
      - A description of the user, at most 100 characters. Not compared when not given; V("") removes it.
    type: str
  delete_after_date:
    description:
      - Makes the user temporary; Atlas deletes it at this ISO 8601 date-time (V(2026-11-27T10:00:00Z)), which must be in the future
        and at most a week ahead. Not compared when not given.
    type: str
  state:
    description:
      - V(present) creates the user or updates what differs; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
    details: Reads the user and reports what a run would change; writes nothing.
  diff_mode:
    support: full
    details: The user before and after, without any password; a password the run sends shows as a placeholder.
notes:
  - The API key or service account needs the Project Owner or Project Database Access Admin role to write database users.
seealso:
  - module: cloudwire.atlas.atlas_cluster_info
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: The payments application's user, read and write on its own database of the shared cluster only
  cloudwire.atlas.atlas_database_user:
    project_name: shared-dev
    username: payments-dev
    password: "{{ vault_payments_dev_password }}"
    roles:
      - role_name: readWrite
        database_name: payments-dev
    scopes:
      - name: shared-dev
    description: payments application (dev)

- name: Rotate its password (reports changed on every run)
  cloudwire.atlas.atlas_database_user:
    project_name: shared-dev
    username: payments-dev
    password: "{{ lookup('ansible.builtin.env', 'PAYMENTS_DEV_NEW_PASSWORD') }}"
    update_password: always
    roles:
      - role_name: readWrite
        database_name: payments-dev

- name: An application on EC2 that logs in with its instance role
  cloudwire.atlas.atlas_database_user:
    project_id: 5f3a556351db42631e16f33a
    username: arn:aws:iam::123456789012:role/payments-api
    auth_type: aws_iam_role
    roles:
      - role_name: read
        database_name: payments-dev

- name: Remove a user
  cloudwire.atlas.atlas_database_user:
    project_name: shared-dev
    username: payments-old
    state: absent
"""

RETURN = r"""
user:
  description: The user after the run (what it would be, in check mode); V(null) once removed. Never a password.
  returned: always
  type: dict
  contains:
    username:
      description: The user's name.
      type: str
      sample: payments-dev
    auth_database:
      description: The database it authenticates against.
      type: str
      sample: admin
    auth_type:
      description: How it authenticates (the choices of O(auth_type)).
      type: str
      sample: scram
    roles:
      description: Its roles, sorted by database and role.
      type: list
      elements: dict
      sample: [{role_name: readWrite, database_name: payments-dev, collection_name: null}]
    scopes:
      description: The clusters (data lakes, stream instances) it may use; V([]) for every cluster of the project.
      type: list
      elements: dict
      sample: [{name: shared-dev, type: cluster}]
    description:
      description: Its description, or V(null).
      type: str
      sample: payments application (dev)
    delete_after_date:
      description: When Atlas deletes it (UTC), or V(null).
      type: str
      sample: null
changes:
  description: The fields this run changed (would change) on an existing user.
  returned: always
  type: list
  elements: str
  sample: [roles]
password_updated:
  description: Whether this run sent (would send) a password to Atlas.
  returned: always
  type: bool
diff:
  description: The user before and after, without any password.
  returned: always
  type: dict
"""

from ansible_collections.cloudwire.atlas.plugins.module_utils import database_users
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import database_user_auth_type_locked, database_user_password_required
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule

PASSWORD_SHOWN_AS = "(changed, not shown)"


def wanted_user(module):
    """The normalised user, checked before any call; a failure names the option, the value and the rule (never the password)."""
    params = module.params
    try:
        user = database_users.normalize_user(params, check_expiry=params["state"] == "present")
    except ValueError as exc:
        module.fail_json(msg="Invalid %s" % exc)
    try:
        database_users.check_password(params["password"], user["auth_type"])
    except ValueError as exc:
        module.fail_json(msg="Invalid %s" % exc, option="password")
    return user


def apply(module, want):
    params = module.params
    client, project_id = module.client, module.project_id
    raw = database_users.get(client, project_id, want["auth_database"], want["username"])
    current = database_users.user_from_api(raw) if raw else None
    if current and params["state"] == "present" and current["auth_type"] != want["auth_type"]:
        raise database_user_auth_type_locked(want["username"], want["auth_database"], current["auth_type"], want["auth_type"])
    plan = database_users.plan_user(current, want, params["state"], bool(params["password"]), params["update_password"])
    if plan["action"] == "create" and want["auth_type"] == "scram" and not params["password"]:
        raise database_user_password_required(want["username"], want["auth_database"])

    after, changes, password_sent = plan["after"] or None, plan["changes"], plan["password"]
    if not module.check_mode:
        if plan["action"] == "create":
            created = database_users.user_from_api(database_users.create(client, project_id, database_users.request_body(
                project_id, want, params["password"])))
            # Another run may have made it first (a 409 or a lost answer, then read): what differs is updated, the password left alone.
            changes = database_users.differences(created, want)
            if changes:
                created = database_users.user_from_api(database_users.update(
                    client, project_id, want["auth_database"], want["username"],
                    database_users.request_body(project_id, database_users.merged(created, want))))
            after = database_users.public(created)
        elif plan["action"] == "update":
            body = database_users.request_body(project_id, database_users.merged(current, want), params["password"] if password_sent else None)
            after = database_users.public(database_users.user_from_api(
                database_users.update(client, project_id, want["auth_database"], want["username"], body)))
        elif plan["action"] == "delete":
            database_users.delete(client, project_id, want["auth_database"], want["username"])
            after = None

    diff_after = dict(after or {})
    if password_sent:
        diff_after["password"] = PASSWORD_SHOWN_AS
    module.exit_json(changed=plan["action"] != "none", user=after, changes=changes, password_updated=password_sent,
                     diff=dict(before=plan["before"], after=diff_after))


def main():
    role_options = dict(role_name=dict(type="str", required=True), database_name=dict(type="str"), collection_name=dict(type="str"))
    scope_options = dict(name=dict(type="str", required=True),
                         type=dict(type="str", choices=["cluster", "data_lake", "stream"], default="cluster"))
    module = AtlasModule(
        argument_spec=dict(
            username=dict(type="str", required=True),
            auth_type=dict(type="str", choices=list(database_users.AUTH_TYPE_CHOICES), default="scram"),
            auth_database=dict(type="str"),
            password=dict(type="str", no_log=True),
            update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
            roles=dict(type="list", elements="dict", options=role_options),
            scopes=dict(type="list", elements="dict", options=scope_options),
            description=dict(type="str"),
            delete_after_date=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ("roles",))],
        supports_check_mode=True,
    )
    want = wanted_user(module)
    if module.params["state"] == "present" and not want["roles"]:
        module.fail_on_value("roles", [], "must list at least one role with state=present (a user without roles can do nothing)")
    module.run(apply, module, want)


if __name__ == "__main__":
    main()
