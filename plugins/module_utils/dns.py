# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DNS attributes a peered VPC needs on (Atlas hostnames resolve to private IPs over the peering).

Apart from plan.py so that vpc_peering_aws, which turns them on, does not carry the planner and the Atlas client it imports
(each module_utils file a module imports is compiled into every run of it); imports nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# EC2's name, the name in a VPC as vpc_peering_plan reads it, the finding.
DNS_ATTRIBUTES = (("EnableDnsSupport", "enable_dns_support", "vpc dns support: off"),
                  ("EnableDnsHostnames", "enable_dns_hostnames", "vpc dns hostnames: off"))


def dns_attributes_off(vpc):
    """The EC2 names of the DNS attributes that are off in a VPC as read."""
    return [attribute for attribute, key, _line in DNS_ATTRIBUTES if vpc.get(key) is False]


def dns_findings(vpc):
    """The findings of the DNS attributes that are off in a VPC as read."""
    return [line for _attribute, key, line in DNS_ATTRIBUTES if vpc.get(key) is False]
