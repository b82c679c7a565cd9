# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.regions import (
    ATLAS_AWS_REGION_NAMES,
    ATLAS_TO_AWS,
    AWS_TO_ATLAS,
    normalize_region,
    to_atlas_region,
    to_aws_region,
)


def test_all_37_spec_names_and_36_real_regions():
    assert len(ATLAS_AWS_REGION_NAMES) == 37
    assert len(set(ATLAS_AWS_REGION_NAMES)) == 37
    assert "GLOBAL" in ATLAS_AWS_REGION_NAMES
    assert len(ATLAS_TO_AWS) == len(AWS_TO_ATLAS) == 36


@pytest.mark.parametrize("atlas, aws", [
    ("US_EAST_1", "us-east-1"),
    ("EU_CENTRAL_2", "eu-central-2"),
    ("AP_SOUTHEAST_7", "ap-southeast-7"),
    ("CN_NORTHWEST_1", "cn-northwest-1"),
    ("US_GOV_EAST_1", "us-gov-east-1"),
    ("MX_CENTRAL_1", "mx-central-1"),
    ("IL_CENTRAL_1", "il-central-1"),
])
def test_both_directions(atlas, aws):
    assert to_aws_region(atlas) == aws
    assert to_atlas_region(aws) == atlas
    assert normalize_region(aws) == normalize_region(atlas) == (atlas, aws)


@pytest.mark.parametrize("name", ATLAS_TO_AWS)
def test_round_trip_every_region(name):
    assert to_atlas_region(to_aws_region(name)) == name
    assert to_aws_region(name.lower()) == to_aws_region(" %s " % to_aws_region(name).upper())


@pytest.mark.parametrize("value", ["GLOBAL", "global"])
def test_global_is_not_an_aws_region(value):
    with pytest.raises(ValueError, match="not an AWS region"):
        normalize_region(value)


@pytest.mark.parametrize("value", ["us-east-9", "EUROPE", "", None, 7, "eastus2"])
def test_unknown_regions_are_refused_naming_the_value(value):
    with pytest.raises(ValueError) as caught:
        normalize_region(value)
    assert repr(value) in str(caught.value)
