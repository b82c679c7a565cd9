# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dns.py: the DNS attributes a peered VPC needs on, their findings, and which ones to turn on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import inspect

from ansible_collections.cloudwire.atlas.plugins.module_utils import dns as dns_module
from ansible_collections.cloudwire.atlas.plugins.module_utils.dns import DNS_ATTRIBUTES, dns_attributes_off, dns_findings


def test_both_off():
    vpc = {"enable_dns_support": False, "enable_dns_hostnames": False}
    assert dns_attributes_off(vpc) == ["EnableDnsSupport", "EnableDnsHostnames"]
    assert dns_findings(vpc) == ["vpc dns support: off", "vpc dns hostnames: off"]


def test_only_what_was_read_off():
    # CreateVpc leaves hostnames off and support on; an attribute not read (None) is not a finding.
    assert dns_attributes_off({"enable_dns_support": True, "enable_dns_hostnames": False}) == ["EnableDnsHostnames"]
    assert dns_findings({"enable_dns_support": True, "enable_dns_hostnames": False}) == ["vpc dns hostnames: off"]
    assert dns_attributes_off({"enable_dns_support": None}) == [] and dns_findings({}) == []


def test_ec2_names_take_the_describe_attribute_form():
    # DescribeVpcAttribute takes enableDnsSupport, ModifyVpcAttribute EnableDnsSupport: vpc_peering_aws derives one from the other.
    assert [attribute[0].lower() + attribute[1:] for attribute, _key, _line in DNS_ATTRIBUTES] == ["enableDnsSupport", "enableDnsHostnames"]


def test_imports_nothing():
    # vpc_peering_aws imports this file; it must not bring the planner or the Atlas client into that module (see its docstring).
    tree = ast.parse(inspect.getsource(dns_module))
    imported = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) and node.module != "__future__"]
    assert imported == []
