# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.aws documents exactly the options amazon.aws's AnsibleAWSModule accepts.

The fragment stands in for amazon.aws.common.modules, amazon.aws.region.modules and amazon.aws.boto3 (Galaxy's importer has
no amazon.aws to resolve those). When amazon.aws changes its connection options, this test names the option that differs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.cloudwire.atlas.plugins.doc_fragments.aws import ModuleDocFragment

aws_modules = pytest.importorskip("ansible_collections.amazon.aws.plugins.module_utils.modules")


def documented():
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    options.update(yaml.safe_load(ModuleDocFragment.REGION)["options"])
    return options


def described(spec):
    return {"type": spec.get("type", "str"), "aliases": sorted(spec.get("aliases", [])), "default": spec.get("default")}


def test_every_option_of_the_argument_spec_is_documented_alike():
    spec = aws_modules.aws_argument_spec()
    docs = documented()
    assert sorted(docs) == sorted(spec)
    for name, option in spec.items():
        assert described(docs[name]) == described(option), name


def test_every_option_has_a_description_and_the_fragment_names_the_sdk():
    for name, option in documented().items():
        assert option["description"], name
    requirements = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["requirements"]
    assert [r.split()[0] for r in requirements] == ["boto3", "botocore"]


def test_the_sdk_minimums_are_amazon_aws_minimums():
    botocore_utils = pytest.importorskip("ansible_collections.amazon.aws.plugins.module_utils.botocore")
    requirements = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["requirements"]
    assert requirements == ["boto3 >= %s" % botocore_utils.MINIMUM_BOTO3_VERSION, "botocore >= %s" % botocore_utils.MINIMUM_BOTOCORE_VERSION]
