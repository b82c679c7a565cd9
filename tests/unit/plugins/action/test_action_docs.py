# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module file that only documents an action plugin has no argument_spec for ansible-test's validate-modules to compare with
its DOCUMENTATION: compare them here, option by option (the connection options come from the doc fragments, checked apart)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.cloudwire.atlas.plugins.action import vpc_peering_status
from ansible_collections.cloudwire.atlas.plugins.module_utils import atlas_step
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_atlas as atlas_doc
from ansible_collections.cloudwire.atlas.plugins.modules import vpc_peering_status as status_doc


def _from_spec(spec):
    return dict((name, dict(type=option.get("type", "str"), required=bool(option.get("required")), default=option.get("default"),
                            choices=option.get("choices"), elements=option.get("elements"),
                            options=_from_spec(option["options"]) if option.get("options") else None))
                for name, option in spec.items())


def _from_docs(options):
    return dict((name, dict(type=option.get("type", "str"), required=bool(option.get("required")), default=option.get("default"),
                            choices=option.get("choices"), elements=option.get("elements"),
                            options=_from_docs(option["suboptions"]) if option.get("suboptions") else None))
                for name, option in options.items())


@pytest.mark.parametrize("doc, spec", [
    (atlas_doc, atlas_step.argument_spec()),
    (status_doc, vpc_peering_status.ARGUMENT_SPEC),
], ids=["vpc_peering_atlas", "vpc_peering_status"])
def test_the_documented_options_are_the_options_the_action_takes(doc, spec):
    assert _from_docs(yaml.safe_load(doc.DOCUMENTATION)["options"]) == _from_spec(spec)
