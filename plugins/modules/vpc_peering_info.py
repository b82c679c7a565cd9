#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vpc_peering_info
short_description: Read both sides of AWS VPC to MongoDB Atlas peerings in one go, and say what differs
version_added: 0.1.0
description:
  - Reads everything the C(cloudwire.atlas.vpc_peering) role converges for one or more VPCs of one AWS account and region and one
    Atlas project, in one module process.
  - On AWS, the caller's account, and for each VPC its network stack (when C(stack_name) is given), the VPC with its DNS attributes
    and the route tables in scope; the VPCs are read side by side.
  - On Atlas, the project's network container in O(region), the peerings and the access list, each list read once for all the VPCs,
    and the status of each VPC's access-list entry.
  - For each VPC, C(drift) says what differs from the wanted state, one line per finding, in the words the role's drift report uses.
    It is empty, with C(in_sync=true), when the stack (O(stack_template), C(stack_parameters), C(stack_tags)), the VPC's DNS
    attributes, the Atlas container, the peering (V(AVAILABLE)), the routes and the access list (V(ACTIVE)) are all as wanted.
  - Read-only on both clouds. The role runs it once per AWS account, region and Atlas project for the whole inventory, so a converged
    fleet costs one module process per such group, and Atlas sees three list reads per project however many VPCs there are.
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
      - The VPCs to read, in O(region), owned by the account of the AWS credentials (or reached with them).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - A name for the VPC, unique in O(vpcs); RV(vpcs) is keyed by it. The role uses the inventory host name.
        type: str
        required: true
      vpc_id:
        description:
          - An existing VPC. Exactly one of O(vpcs[].vpc_id) and O(vpcs[].stack_name) is required.
        type: str
      stack_name:
        description:
          - A CloudFormation stack whose outputs name the VPC (C(VpcId)), its route tables (C(RouteTableIds), comma-separated) and a
            security group (C(SecurityGroupId)), like the role's template. A stack that does not exist is reported, not an error.
        type: str
      aws_account_id:
        description:
          - AWS account that owns the VPC, as the peering names it. Defaults to the account of the AWS credentials.
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
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    details: Read-only; check mode changes nothing.
  diff_mode:
    support: N/A
    details: Read-only; each VPC's C(drift) lists what differs.
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Read two VPCs of the payments account on both clouds
  cloudwire.atlas.vpc_peering_info:
    project_name: payments-dev
    region: eu-west-1
    atlas_cidr_block: 192.168.248.0/21
    vpcs:
      - name: payments-api
        vpc_id: vpc-0a1b2c3d4e5f67890
      - name: payments-batch
        vpc_id: vpc-0fedcba9876543210
        access_list_mode: none
  register: payments_peering

- name: Say what differs
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.drift | join('; ') if item.value.drift else 'in place' }}"
  loop: "{{ payments_peering.vpcs | dict2items }}"
  loop_control:
    label: "{{ item.key }}"
"""

RETURN = r"""
account:
  description: The AWS account of the credentials.
  returned: always
  type: str
  sample: "123456789012"
in_sync:
  description: Whether every VPC of O(vpcs) is as wanted.
  returned: always
  type: bool
vpcs:
  description: What was read and found for each VPC of O(vpcs), keyed by its name.
  returned: always
  type: dict
  contains:
    stack:
      description:
        - The network stack as C(amazon.aws.cloudformation_info) describes it (stack_description, stack_outputs, stack_parameters,
          stack_tags, stack_template), or an empty dict when there is none or no C(stack_name) is given.
      type: dict
    vpc:
      description: >-
        The VPC (id, cidr_block, owner_id, state, tags, enable_dns_support, enable_dns_hostnames), or an empty dict when it does
        not exist (yet).
      type: dict
      sample: {id: vpc-0a1b2c3d4e5f67890, cidr_block: 10.20.0.0/16, owner_id: "123456789012", enable_dns_support: true}
    route_tables:
      description: The route tables in scope and their route to O(atlas_cidr_block) (V(null) when there is none).
      type: list
      elements: dict
      sample: [{route_table_id: rtb-0a1b2c3d4e5f67890, route: {target: pcx-0a1b2c3d4e5f67890, state: active}}]
    container:
      description: The Atlas container in O(region) as M(cloudwire.atlas.atlas_container_info) returns it, or V(null).
      type: dict
    peering:
      description: The VPC's peering as M(cloudwire.atlas.atlas_vpc_peering) returns it, or V(null).
      type: dict
    access_list:
      description: >-
        The access-list entries the VPC needs, each with C(status) (V(ACTIVE), V(PENDING), V(FAILED), or V(null) when missing).
      type: list
      elements: dict
      sample: [{cidr_block: 10.20.0.0/16, aws_security_group: null, comment: VPC peering dev-app, status: ACTIVE}]
    drift:
      description: What differs from the wanted state, one line per finding; empty when the peering is in place.
      type: list
      elements: str
      sample: ["peering: PENDING_ACCEPTANCE", "route rtb-0a1b2c3d4e5f67890: missing"]
    stack_drift:
      description: The lines of C(drift) about the stack (missing, failed status, template, parameters, tags).
      type: list
      elements: str
      sample: ["stack app-network parameters changed: AtlasCidr 192.168.100.0/24 -> 192.168.248.0/21"]
    in_sync:
      description: Whether C(drift) is empty.
      type: bool
    account:
      description: The AWS account of the credentials (the same for every VPC).
      type: str
api_calls:
  description: Atlas calls this run made (reads and digest challenges).
  returned: always
  type: dict
"""

import json
import re
from concurrent.futures import ThreadPoolExecutor

try:
    import boto3
    import botocore
    import botocore.config
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info, is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.cloudwire.atlas.plugins.module_utils import access_lists, containers, peerings, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.access_lists import normalize_access_list_entry, plan_access_list
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs, fail_on_value, has_credentials, validated
from ansible_collections.cloudwire.atlas.plugins.module_utils.containers import container_result, find_container
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import NO_CREDENTIALS
from ansible_collections.cloudwire.atlas.plugins.module_utils.peerings import find_peering, peering_drift, peering_result
from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import normalize_region
from ansible_collections.cloudwire.atlas.plugins.module_utils.routes import find_route, plan, route_summary, route_table_filters

# The AWS reads of several VPCs run side by side (boto3 clients are thread-safe); Atlas reads are few and stay in order.
AWS_READ_THREADS = 8


class AwsReadError(Exception):
    """A failed AWS read, raised in a reading thread and reported by the main thread (fail_json_aws)."""

    def __init__(self, exc, msg):
        super(AwsReadError, self).__init__(msg)
        self.exc = exc
        self.msg = msg


def key_values(items, key, value):
    return dict((item[key], item[value]) for item in items or [])


class AwsSide:
    """The AWS reads: one boto3 session and one client per service, each resource read once."""

    def __init__(self, module):
        self.module = module
        self.retry = AWSRetry.jittered_backoff()
        self.clients = {}

    def connect(self, services):
        """Clients of the module's one session, made before any thread reads. (AnsibleAWSModule.client makes a session per
        client, and each session loads botocore's data files again: about 0.1 s of CPU per client here.)"""
        region, endpoint, connect = get_aws_connection_info(self.module)
        connect = dict(connect)
        config = botocore.config.Config(user_agent_extra="cloudwire.atlas")
        for key in ("config", "aws_config"):
            extra = connect.pop(key, None)
            if extra:
                config = config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        profile = connect.pop("profile_name", None)
        client_args = dict(connect, region_name=region, endpoint_url=endpoint, config=config)
        try:
            session = boto3.session.Session(profile_name=profile)
            for service in services:
                self.clients[service] = RetryingBotoClientWrapper(session.client(service, **client_args), self.retry)
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            raise AwsReadError(e, "Could not connect to AWS (%s)" % ", ".join(services))

    def account(self):
        try:
            return self.clients["sts"].get_caller_identity(aws_retry=True)["Account"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise AwsReadError(e, "Could not read the AWS caller identity (sts:GetCallerIdentity): check the AWS credentials")

    def stack(self, name):
        cfn = self.clients["cloudformation"]
        try:
            stacks = cfn.describe_stacks(StackName=name, aws_retry=True)["Stacks"]
        except is_boto3_error_code("ValidationError"):
            return {}  # "Stack with id ... does not exist"
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            raise AwsReadError(e, "Could not read the CloudFormation stack %s" % name)
        if not stacks:
            return {}
        raw = stacks[0]
        try:
            template = cfn.get_template(StackName=name, aws_retry=True)["TemplateBody"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise AwsReadError(e, "Could not read the template of the CloudFormation stack %s" % name)
        return {
            "stack_description": {"stack_name": raw.get("StackName"), "stack_id": raw.get("StackId"),
                                  "stack_status": raw.get("StackStatus"), "stack_status_reason": raw.get("StackStatusReason")},
            "stack_outputs": key_values(raw.get("Outputs"), "OutputKey", "OutputValue"),
            "stack_parameters": key_values(raw.get("Parameters"), "ParameterKey", "ParameterValue"),
            "stack_tags": key_values(raw.get("Tags"), "Key", "Value"),
            "stack_template": template,
        }

    def vpc(self, vpc_id):
        ec2 = self.clients["ec2"]
        try:
            vpcs = ec2.describe_vpcs(VpcIds=[vpc_id], aws_retry=True)["Vpcs"]
        except is_boto3_error_code("InvalidVpcID.NotFound"):
            return {}
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            raise AwsReadError(e, "Could not read the VPC %s" % vpc_id)
        if not vpcs:
            return {}
        vpc = {"id": vpcs[0]["VpcId"], "cidr_block": vpcs[0].get("CidrBlock"), "owner_id": vpcs[0].get("OwnerId"),
               "state": vpcs[0].get("State"), "tags": key_values(vpcs[0].get("Tags"), "Key", "Value")}
        for attribute, key in (("enableDnsSupport", "enable_dns_support"), ("enableDnsHostnames", "enable_dns_hostnames")):
            try:
                answer = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute, aws_retry=True)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                raise AwsReadError(e, "Could not read the attribute %s of the VPC %s" % (attribute, vpc_id))
            vpc[key] = answer.get(attribute[0].upper() + attribute[1:], {}).get("Value")
        return vpc

    def route_tables(self, vpc_id, route_table_ids, route_table_tags):
        filters = route_table_filters(vpc_id, route_table_ids, route_table_tags)
        try:
            paginator = self.clients["ec2"].get_paginator("describe_route_tables")
            tables = paginator.paginate(Filters=ansible_dict_to_boto3_filter_list(filters)).build_full_result()["RouteTables"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise AwsReadError(e, "Could not read the route tables of %s" % vpc_id)
        return sorted(tables, key=lambda t: t["RouteTableId"])


class AtlasSide:
    """The Atlas reads. Each list is read once per module run, however many VPCs are judged (one page of 500 covers a project)."""

    def __init__(self, atlas):
        self.atlas = atlas  # AtlasContext: client, project id, failures
        self.client = atlas.atlas_client
        self.project_id = atlas.project_id
        self.cache = {}

    def read(self, key, call):
        if key not in self.cache:
            self.cache[key] = call()
        return self.cache[key]

    def container(self, region_name):
        return find_container(self.read("containers", lambda: containers.list_aws(self.client, self.project_id)), region_name)

    def peering(self, container_id, vpc_id, account):
        return find_peering(self.read("peers", lambda: peerings.list_aws(self.client, self.project_id)), container_id, vpc_id, account)

    def access_list(self):
        return self.read("accessList", lambda: access_lists.list_entries(self.client, self.project_id))

    def entry_status(self, key):
        return self.read("status " + key, lambda: access_lists.status(self.client, self.project_id, key))


def validate(module, params):
    """Every input checked before the first call; each failure names the option, the value and the rule."""
    if not has_credentials(params):
        module.fail_json(msg=NO_CREDENTIALS)
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
        if spec["name"] in names:
            fail_on_value(module, prefix + "name", spec["name"], "names another VPC of vpcs too: give each VPC its own name")
        names.add(spec["name"])
        for option, check in (("vpc_id", validators.vpc_id), ("aws_account_id", validators.aws_account_id),
                              ("security_group_id", validators.security_group_id)):
            if spec[option]:
                spec[option] = validated(module, prefix + option, check, spec[option])
    return region, wanted


def wanted_entries(spec, vpc, stack):
    """The access-list entries the VPC needs (normalised), [] when they cannot be known yet."""
    mode = spec["access_list_mode"]
    if mode == "none":
        return []
    if mode == "security_group":
        value = spec["security_group_id"] or stack.get("stack_outputs", {}).get("SecurityGroupId")
        entry = {"aws_security_group": value}
    else:
        value = vpc.get("cidr_block")
        entry = {"cidr_block": value}
    if not value:
        return []
    if spec["access_list_comment"]:
        entry["comment"] = spec["access_list_comment"]
    return [normalize_access_list_entry(entry, check_expiry=False)]


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


def judge_stack(spec, stack, template):
    """The findings about the stack, in the order and words of the role's report."""
    name = spec["stack_name"]
    if not name:
        return []
    status = stack.get("stack_description", {}).get("stack_status") or ""
    if status in ("", "DELETE_COMPLETE"):
        return ["stack %s: missing" % name]
    lines = []
    if re.search("FAILED|ROLLBACK", status):
        lines.append("stack %s: status %s" % (name, status))
    if template is not None and not same_template(stack.get("stack_template"), template):
        lines.append("stack %s: template changed" % name)
    deployed = stack.get("stack_parameters", {})
    changed = ["%s %s -> %s" % (key, deployed[key] if key in deployed else "(unset)", want)
               for key, want in (spec["stack_parameters"] or {}).items() if deployed.get(key) != str(want)]
    if changed:
        lines.append("stack %s parameters changed: %s" % (name, ", ".join(changed)))
    if spec["stack_tags"] is not None and stack.get("stack_tags", {}) != dict((k, str(v)) for k, v in spec["stack_tags"].items()):
        lines.append("stack %s: tags changed" % name)
    return lines


def judge_dns(spec, vpc):
    if not (spec["require_dns"] and vpc):
        return []
    return [line for key, line in (("enable_dns_support", "vpc dns support: off"), ("enable_dns_hostnames", "vpc dns hostnames: off"))
            if vpc.get(key) is False]


def read_aws(aws, spec, atlas_cidr_block, template):
    """One VPC's AWS side (in a reading thread): stack, VPC, route tables, and the findings about stack and DNS."""
    result = dict(stack={}, vpc={}, route_tables=[], container=None, peering=None, access_list=[], drift=[], stack_drift=[])
    route_table_ids = spec["route_table_ids"]
    vpc_id = spec["vpc_id"]
    if spec["stack_name"]:
        result["stack"] = aws.stack(spec["stack_name"])
        outputs = result["stack"].get("stack_outputs", {})
        vpc_id = outputs.get("VpcId")
        if not route_table_ids:
            route_table_ids = [rtb for rtb in (outputs.get("RouteTableIds") or "").split(",") if rtb]
        result["stack_drift"] = judge_stack(spec, result["stack"], template)
        result["drift"].extend(result["stack_drift"])
    if vpc_id:
        result["vpc"] = aws.vpc(vpc_id)
        result["drift"].extend(judge_dns(spec, result["vpc"]))
    tables = []
    if result["vpc"]:
        tables = aws.route_tables(vpc_id, route_table_ids, spec["route_table_tags"])
        result["route_tables"] = [dict(route_table_id=t["RouteTableId"], route=route_summary(find_route(t, atlas_cidr_block))) for t in tables]
    else:
        result["drift"].append("vpc %s: missing" % (vpc_id or "of stack %s" % spec["stack_name"]))
    return result, tables


def judge_atlas(atlas_side, spec, atlas_cidr_block, region, vpc, account, tables, entries, result):
    """Atlas reads (cached: each list once per run) and the findings about the container, the peering, the routes and the access list."""
    drift = result["drift"]
    container = atlas_side.container(region.atlas)
    result["container"] = container_result(container) if container else None
    if container is None:
        drift.append("atlas container %s: missing" % region.atlas)
    elif not validators.same_cidr(container.get("atlasCidrBlock"), atlas_cidr_block):
        drift.append("atlas container %s: CIDR %s instead of %s" % (region.atlas, container.get("atlasCidrBlock"), atlas_cidr_block))

    peering = None
    if container is not None and vpc:
        peering = atlas_side.peering(container["id"], vpc["id"], account)
    if peering is None:
        drift.append("peering: missing")
    else:
        result["peering"] = peering_result(peering, container)
        status = peering.get("statusName")
        if status == "FAILED":
            drift.append("peering: FAILED/%s" % (peering.get("errorStateName") or "UNKNOWN"))
        elif status != "AVAILABLE":
            drift.append("peering: %s" % status)
        for option, (have, want) in sorted(peering_drift(peering, vpc.get("cidr_block"), region.aws, region.aws).items()):
            drift.append("peering: %s %s instead of %s" % (option, have, want))

    pcx = (peering or {}).get("connectionId")
    for table in tables:
        if pcx:
            _action, line = plan(table, atlas_cidr_block, pcx, "present")
            if line:
                drift.append(line)
    if vpc and not tables:
        drift.append("route tables: none in scope of %s" % vpc["id"])

    if entries:
        found = plan_access_list(atlas_side.access_list(), entries, "present", False)
        missing = set(entry["key"] for entry in found["added"])
        differs = set(entry["key"] for entry in found["updated"])
        for entry in entries:
            status = None
            if entry["key"] in missing:
                drift.append("access list %s: missing" % entry["key"])
            else:
                status = atlas_side.entry_status(entry["key"])
                if entry["key"] in differs:
                    drift.append("access list %s: comment differs" % entry["key"])
                if status != "ACTIVE":
                    drift.append("access list %s: %s" % (entry["key"], status))
            result["access_list"].append(dict(cidr_block=entry.get("cidr_block"), aws_security_group=entry.get("aws_security_group"),
                                              comment=entry.get("comment"), status=status))
    elif spec["access_list_mode"] != "none" and vpc:
        drift.append("access list: no %s to allow yet" % ("security group" if spec["access_list_mode"] == "security_group" else "CIDR"))


def judge_all(atlas, wanted, reads, caller, region, atlas_cidr_block):
    """The Atlas reads and findings of every VPC (AtlasContext.run around it reports an Atlas error once)."""
    atlas_side = AtlasSide(atlas)
    results = []
    for spec, (result, tables) in zip(wanted, reads):
        account = spec["aws_account_id"] or caller
        result["account"] = caller
        judge_atlas(atlas_side, spec, atlas_cidr_block, region, result["vpc"], account, tables,
                    wanted_entries(spec, result["vpc"], result["stack"]), result)
        result["in_sync"] = not result["drift"]
        results.append(result)
    return results


def vpc_options():
    """The options of one element of vpcs."""
    return dict(
        name=dict(type="str", required=True),
        vpc_id=dict(type="str"),
        stack_name=dict(type="str"),
        aws_account_id=dict(type="str"),
        route_table_ids=dict(type="list", elements="str"),
        route_table_tags=dict(type="dict"),
        access_list_mode=dict(type="str", choices=["cidr", "security_group", "none"], default="cidr"),
        security_group_id=dict(type="str"),
        access_list_comment=dict(type="str"),
        stack_parameters=dict(type="dict"),
        stack_tags=dict(type="dict"),
        require_dns=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(
        supports_check_mode=True,
        **atlas_module_kwargs(dict(
            atlas_cidr_block=dict(type="str", required=True),
            stack_template=dict(type="str"),
            vpcs=dict(type="list", elements="dict", required=True, options=vpc_options(), mutually_exclusive=[("vpc_id", "stack_name")],
                      required_one_of=[("vpc_id", "stack_name")]),
        ))
    )
    params = module.params
    region, wanted = validate(module, params)
    atlas_cidr_block = params["atlas_cidr_block"]

    aws = AwsSide(module)
    try:
        aws.connect(["sts", "ec2"] + (["cloudformation"] if any(spec["stack_name"] for spec in wanted) else []))
        caller = aws.account()
        with ThreadPoolExecutor(max_workers=min(AWS_READ_THREADS, len(wanted))) as pool:
            reads = list(pool.map(lambda spec: read_aws(aws, spec, atlas_cidr_block, params["stack_template"]), wanted))
    except AwsReadError as e:
        module.fail_json_aws(e.exc, msg=e.msg)

    # The Atlas client (and requests) only now: into memory freed by loading botocore's EC2 model, 4 MiB less at the peak.
    from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasContext  # pylint: disable=import-outside-toplevel
    atlas = AtlasContext(module)
    results = atlas.run(judge_all, atlas, wanted, reads, caller, region, atlas_cidr_block)
    module.exit_json(changed=False, account=caller, vpcs=dict((spec["name"], result) for spec, result in zip(wanted, results)),
                     in_sync=all(result["in_sync"] for result in results), api_calls=dict(atlas.atlas_client.stats))


if __name__ == "__main__":
    main()
