# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of the vpc_peering role: every VPC of one AWS account, region and Atlas project read on both clouds, each kind of
resource once, and each VPC planned (module_utils/plan.py judges).

The module cloudwire.atlas.vpc_peering_plan runs it. It takes a ``module`` with what amazon.aws's AnsibleAWSModule has
(``params``, ``region``, ``client``, ``check_mode``, ``no_log_values``, the failure helpers).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import (
    AnsibleEC2Error,
    describe_route_tables,
    describe_vpc_attribute,
    describe_vpcs,
)
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists, clusters, containers, database_users, peerings, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs, fail_on_value, validated
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import container_result, find_container, peerings_in_container
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import find_peering, peering_result
from ansible_collections.cloudwire.atlas.plugins.module_utils.ids import OUTPUT_VPC, route_table_ids_of
from ansible_collections.cloudwire.atlas.plugins.module_utils.plan import plan_vpc, stack_exists, wanted_entry
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import find_route, in_scope, route_summary

# The stacks and VPC attributes of several VPCs are read side by side (boto3 clients are thread-safe).
AWS_READ_THREADS = 8


def key_values(items, key, value):
    return dict((item[key], item[value]) for item in items or [])


class AwsReads:
    """The AWS side: each kind of resource read once for every VPC (the calls the plan needs, no more)."""

    def __init__(self, module):
        self.module = module
        self.retry = AWSRetry.jittered_backoff()
        self.ec2 = module.client("ec2", retry_decorator=self.retry)
        self._cfn = None
        self._account = None

    def account(self):
        if self._account is None:
            sts = self.module.client("sts", retry_decorator=self.retry)
            try:
                self._account = sts.get_caller_identity(aws_retry=True)["Account"]
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                self.module.fail_json_aws(e, msg="Could not read the AWS caller identity (sts:GetCallerIdentity): check the AWS credentials")
        return self._account

    def stack(self, name):
        """{status, outputs, parameters, tags, template}, or {} when there is no such stack."""
        if self._cfn is None:
            self._cfn = self.module.client("cloudformation", retry_decorator=self.retry)
        try:
            stacks = self._cfn.describe_stacks(StackName=name, aws_retry=True)["Stacks"]
            if not stacks:
                return {}
            template = self._cfn.get_template(StackName=name, aws_retry=True)["TemplateBody"]
        except is_boto3_error_code("ValidationError"):
            return {}  # "Stack with id ... does not exist"
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            raise AnsibleEC2Error(message="Could not read the CloudFormation stack %s" % name, exception=e)
        raw = stacks[0]
        return {"status": raw.get("StackStatus"), "status_reason": raw.get("StackStatusReason"), "id": raw.get("StackId"),
                "outputs": key_values(raw.get("Outputs"), "OutputKey", "OutputValue"),
                "parameters": key_values(raw.get("Parameters"), "ParameterKey", "ParameterValue"),
                "tags": key_values(raw.get("Tags"), "Key", "Value"), "template": template}

    def vpcs(self, vpc_ids):
        """{vpc id: {id, cidr_block, owner_id, state, tags}} of the VPCs that exist (one DescribeVpcs)."""
        found = describe_vpcs(self.ec2, Filters=[{"Name": "vpc-id", "Values": sorted(vpc_ids)}]) if vpc_ids else []
        return dict((v["VpcId"], {"id": v["VpcId"], "cidr_block": v.get("CidrBlock"), "owner_id": v.get("OwnerId"), "state": v.get("State"),
                                  "tags": boto3_tag_list_to_ansible_dict(v.get("Tags", []))}) for v in found)

    def dns(self, vpc):
        for attribute, key in (("enableDnsSupport", "enable_dns_support"), ("enableDnsHostnames", "enable_dns_hostnames")):
            answer = describe_vpc_attribute(self.ec2, vpc["id"], attribute)
            vpc[key] = answer.get(attribute[0].upper() + attribute[1:], {}).get("Value")
        return vpc

    def route_tables(self, vpc_ids):
        """Every route table of these VPCs (one DescribeRouteTables); each VPC's scope is applied afterwards."""
        return describe_route_tables(self.ec2, Filters=[{"Name": "vpc-id", "Values": sorted(vpc_ids)}]) if vpc_ids else []


class AtlasReads:
    """The Atlas side: each list read once for every VPC (one page of 500 covers a project)."""

    def __init__(self, atlas):
        self.atlas = atlas
        self.client = atlas.atlas_client
        self.project_id = atlas.project_id
        self.cache = {}

    def _once(self, key, call):
        if key not in self.cache:
            self.cache[key] = call()
        return self.cache[key]

    def container(self, region_name):
        return find_container(self._once("containers", lambda: containers.list_aws(self.client, self.project_id)), region_name)

    def peers(self):
        return self._once("peers", lambda: peerings.list_aws(self.client, self.project_id))

    def access_list(self):
        return self._once("accessList", lambda: access_lists.list_entries(self.client, self.project_id))

    def entry_status(self, key):
        return self._once("status " + key, lambda: access_lists.status(self.client, self.project_id, key))

    def database_users(self):
        return self._once("databaseUsers", lambda: database_users.list_users(self.client, self.project_id))

    def cluster(self, name):
        return self._once("cluster " + name, lambda: clusters.get(self.client, self.project_id, name))


def validate(module, params):
    """Every input checked before the first call; each failure names the option, the value and the rule."""
    if not module.region:
        fail_on_value(module, "region", None, "is required (or AWS_REGION): the AWS region of the VPCs and of the Atlas container")
    region = validated(module, "region", normalize_region, module.region)
    params["atlas_cidr_block"] = validated(module, "atlas_cidr_block", validators.atlas_cidr_block, params["atlas_cidr_block"])
    if params["project_id"]:
        params["project_id"] = validated(module, "project_id", validators.project_id, params["project_id"])
    wanted = [dict(spec) for spec in params["vpcs"]]
    if not wanted:
        fail_on_value(module, "vpcs", [], "must list at least one VPC")
    names = set()
    for index, spec in enumerate(wanted):
        prefix = "vpcs[%d]." % index
        for option, value in list(spec.items()):
            if value == "":
                spec[option] = None
        if bool(spec["vpc_id"]) == bool(spec["stack_name"]):
            fail_on_value(module, prefix + "vpc_id", spec["vpc_id"], "and %sstack_name: give exactly one (an existing VPC, or a stack "
                          "whose outputs name it), not %s" % (prefix, "both" if spec["vpc_id"] else "neither"))
        if spec["name"] in names:
            fail_on_value(module, prefix + "name", spec["name"], "names another VPC of vpcs too: give each VPC its own name")
        names.add(spec["name"])
        for option, check in (("vpc_id", validators.vpc_id), ("aws_account_id", validators.aws_account_id),
                              ("security_group_id", validators.security_group_id), ("vpc_cidr_block", validators.route_table_cidr_block),
                              ("cluster_name", validators.cluster_name)):
            if spec[option]:
                spec[option] = validated(module, prefix + option, check, spec[option])
        spec["database_users"] = [wanted_user(module, "%sdatabase_users[%d]" % (prefix, i), user) for i, user in enumerate(spec["database_users"] or [])]
    return region, wanted


def wanted_user(module, option, user):
    """A listed database user, normalised as atlas_database_user does (its expiry is not compared: the role does not set one)."""
    try:
        normalised = database_users.normalize_user(user, check_expiry=False)
    except ValueError as exc:
        fail_on_value(module, option, user["username"], str(exc))
    return dict(normalised, update_password=user["update_password"], has_password=bool(user["has_password"]))


def read_aws(aws, wanted):
    """What the plans need from AWS, for every VPC: {name: {stack, vpc, route_tables, account?}}."""
    seen = dict((spec["name"], {"stack": {}, "vpc": {}, "route_tables": None}) for spec in wanted)
    stacked = [spec for spec in wanted if spec["stack_name"]]
    with ThreadPoolExecutor(max_workers=AWS_READ_THREADS) as pool:
        for spec, stack in zip(stacked, pool.map(lambda spec: aws.stack(spec["stack_name"]), stacked)):
            seen[spec["name"]]["stack"] = stack
        vpc_ids = dict((spec["name"], spec["vpc_id"] or seen[spec["name"]]["stack"].get("outputs", {}).get(OUTPUT_VPC)) for spec in wanted)
        found = aws.vpcs(set(v for v in vpc_ids.values() if v))
        dns_wanted = [found[vpc_ids[spec["name"]]] for spec in wanted
                      if vpc_ids[spec["name"]] in found and spec["require_dns"] and spec["state"] == "present"]
        list(pool.map(aws.dns, dns_wanted))
    tables = aws.route_tables(set(found))
    for spec in wanted:
        name = spec["name"]
        vpc = found.get(vpc_ids[name]) or {}
        seen[name]["vpc"] = vpc
        if vpc:
            scope = spec["route_table_ids"] or route_table_ids_of(seen[name]["stack"].get("outputs", {}))
            seen[name]["route_tables"] = sorted((t for t in tables if in_scope(t, vpc["id"], scope, spec["route_table_tags"])),
                                                key=lambda t: t["RouteTableId"])
        elif spec["state"] == "present":
            # The account names a VPC that is missing, or owns one still to be created (the peering request names it).
            seen[name]["account"] = aws.account()
    return seen


def read_atlas(atlas, wanted, seen, region, atlas_cidr_block):
    """What the plans need from Atlas, each list read once however many VPCs are planned."""

    container = atlas.container(region.atlas)
    peers = atlas.peers() if container is not None else []
    available = any(p.get("statusName") == "AVAILABLE" for p in peers)
    for spec in wanted:
        mine = seen[spec["name"]]
        vpc, stack = mine["vpc"], mine["stack"]
        account = spec["aws_account_id"] or vpc.get("owner_id") or mine.get("account")
        mine.update(container=container, available_peering=available, peering=None, entry_status={}, access_list=[])
        if container is not None and not validators.same_cidr(container.get("atlasCidrBlock"), atlas_cidr_block):
            mine["container_peers"] = peerings_in_container(peers, container["id"])
        if container is not None and vpc:
            mine["peering"] = find_peering(peers, container["id"], vpc["id"], account)
        outputs = stack.get("outputs", {}) if stack_exists(stack) else {}
        entry = wanted_entry(spec, vpc.get("cidr_block") or spec["vpc_cidr_block"], spec["security_group_id"] or outputs.get("SecurityGroupId"))
        if entry is not None:
            mine["access_list"] = atlas.access_list()
            if spec["state"] == "present" and entry["key"] in set(e["key"] for e in mine["access_list"]):
                mine["entry_status"] = {entry["key"]: atlas.entry_status(entry["key"])}
        # The application's users and cluster: read only for the VPCs that list them, each once for the group.
        if spec["state"] == "present" and spec["database_users"]:
            mine["database_users"] = atlas.database_users()
        if spec["state"] == "present" and spec["cluster_name"]:
            mine["cluster"] = atlas.cluster(spec["cluster_name"])


def read_summary(mine, atlas_cidr_block):
    """What was read for one VPC, as the module returns it (no template text)."""

    stack = mine["stack"]
    container = mine["container"]
    return {
        "stack": dict((k, stack.get(k)) for k in ("status", "status_reason", "outputs", "parameters", "tags")) if stack else {},
        "vpc": mine["vpc"],
        "route_tables": [dict(route_table_id=t["RouteTableId"], route=route_summary(find_route(t, atlas_cidr_block)))
                         for t in mine["route_tables"] or []],
        "container": container_result(container) if container else None,
        "peering": peering_result(mine["peering"], container) if mine["peering"] else None,
        "access_list": mine["entry_status"],
        "cluster": clusters.cluster_result(mine["cluster"]) if mine.get("cluster") else None,
    }


def vpc_options():
    """The options of one element of vpcs."""
    policy = dict(
        environment=dict(type="str", default=""),
        allow_stack_create=dict(type="bool", default=True),
        allow_container_create=dict(type="bool", default=True),
        allow_teardown=dict(type="bool", default=True),
        require_approval=dict(type="bool", default=False),
        approved_by=dict(type="str", default=""),
        confirm_teardown=dict(type="str", default=""),
    )
    return dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        vpc_id=dict(type="str"),
        stack_name=dict(type="str"),
        vpc_cidr_block=dict(type="str"),
        aws_account_id=dict(type="str"),
        route_table_ids=dict(type="list", elements="str"),
        route_table_tags=dict(type="dict"),
        access_list_mode=dict(type="str", choices=["cidr", "security_group", "none"], default="cidr"),
        security_group_id=dict(type="str"),
        access_list_comment=dict(type="str"),
        stack_parameters=dict(type="dict"),
        stack_tags=dict(type="dict"),
        require_dns=dict(type="bool", default=True),
        recreate_failed=dict(type="bool", default=True),
        stack_remove=dict(type="bool", default=True),
        container_remove=dict(type="bool", default=True),
        policy=dict(type="dict", default={}, options=policy),
        cluster_name=dict(type="str"),
        database_users=dict(type="list", elements="dict", default=[], options=dict(
            username=dict(type="str", required=True),
            auth_type=dict(type="str", choices=list(database_users.AUTH_TYPE_CHOICES), default="scram"),
            auth_database=dict(type="str"),
            roles=dict(type="list", elements="dict", required=True),
            scopes=dict(type="list", elements="dict"),
            description=dict(type="str"),
            delete_after_date=dict(type="str"),
            update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
            has_password=dict(type="bool", default=False, no_log=False),
        )),
    )


def module_kwargs():
    """The plan's options and rules with the Atlas connection's; it only reads, so it runs in check mode too."""
    return dict(atlas_module_kwargs(argument_spec()), supports_check_mode=True)


def argument_spec():
    """The plan's own options (the AWS connection options are amazon.aws's; the Atlas ones come from atlas_module_kwargs)."""
    return dict(
        atlas_cidr_block=dict(type="str", required=True),
        stack_template=dict(type="str"),
        vpcs=dict(type="list", elements="dict", required=True, options=vpc_options()),
    )


def run(module):
    """Read every VPC of ``module.params["vpcs"]`` on both clouds and plan each; ends with ``module.exit_json``."""
    params = module.params
    # Before any failure can show the invocation: credentials before the host of base_url (refused by the Atlas check below).
    module.no_log_values.update(validators.url_credentials(params.get("base_url")))
    region, wanted = validate(module, params)
    aws = AwsReads(module)
    # The Atlas client (and requests) only now: into memory freed by loading botocore's EC2 model, 4 MiB less at the peak.
    # Its credentials are checked here, before the first call on either cloud.
    from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasContext  # pylint: disable=import-outside-toplevel
    atlas = AtlasContext(module)
    try:
        seen = read_aws(aws, wanted)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)
    atlas.run(lambda: read_atlas(AtlasReads(atlas), wanted, seen, region, params["atlas_cidr_block"]))

    context = dict(region=region, atlas_cidr_block=params["atlas_cidr_block"], template=params["stack_template"], check_mode=module.check_mode)
    vpcs = {}
    for spec in wanted:
        vpc = plan_vpc(spec, seen[spec["name"]], context)
        vpc["read"] = read_summary(seen[spec["name"]], params["atlas_cidr_block"])
        vpcs[spec["name"]] = vpc
    module.exit_json(changed=False, vpcs=vpcs, in_sync=all(v["in_sync"] for v in vpcs.values()), api_calls=dict(atlas.atlas_client.stats))
