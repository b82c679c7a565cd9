# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas <-> AWS region names. No Ansible imports.

Atlas names AWS regions ``US_EAST_1`` (containers), AWS and the Atlas peering ``accepterRegionName`` use ``us-east-1``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# The AWSCloudProviderContainer.regionName enum of the 2023-01-01 spec: 37 values, GLOBAL included.
ATLAS_AWS_REGION_NAMES = (
    "US_EAST_1", "US_EAST_2", "US_WEST_1", "US_WEST_2", "CA_CENTRAL_1", "EU_NORTH_1", "EU_WEST_1", "EU_WEST_2", "EU_WEST_3",
    "EU_CENTRAL_1", "EU_CENTRAL_2", "SA_EAST_1", "AP_EAST_1", "AP_SOUTHEAST_2", "AP_SOUTHEAST_3", "AP_SOUTHEAST_4", "AP_NORTHEAST_1",
    "AP_NORTHEAST_2", "AP_NORTHEAST_3", "AP_SOUTHEAST_1", "AP_SOUTH_1", "AP_SOUTH_2", "CN_NORTH_1", "CN_NORTHWEST_1", "ME_CENTRAL_1",
    "ME_SOUTH_1", "AF_SOUTH_1", "EU_SOUTH_1", "EU_SOUTH_2", "IL_CENTRAL_1", "CA_WEST_1", "AP_SOUTHEAST_5", "AP_SOUTHEAST_7",
    "MX_CENTRAL_1", "GLOBAL", "US_GOV_WEST_1", "US_GOV_EAST_1",
)

# GLOBAL is an Atlas pseudo-region (multi-region clusters), not an AWS region: no container or peering lives there.
NOT_AWS_REGIONS = frozenset(("GLOBAL",))

ATLAS_TO_AWS = dict((name, name.lower().replace("_", "-")) for name in ATLAS_AWS_REGION_NAMES if name not in NOT_AWS_REGIONS)
AWS_TO_ATLAS = dict((aws, atlas) for atlas, aws in ATLAS_TO_AWS.items())

Region = namedtuple("Region", ["atlas", "aws"])


def normalize_region(value):
    """Either form (``US_EAST_1``, ``us-east-1``, any case) -> Region(atlas="US_EAST_1", aws="us-east-1").

    Raises ValueError naming the value and the rule.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("region %r is not a region name: give an AWS region such as us-east-1 or its Atlas name US_EAST_1" % (value,))
    key = value.strip().upper().replace("-", "_")
    if key in NOT_AWS_REGIONS:
        raise ValueError("region %r is Atlas's multi-region pseudo-region, not an AWS region: network peering containers and "
                         "peerings need one AWS region such as us-east-1 (US_EAST_1)" % (value,))
    if key not in ATLAS_TO_AWS:
        raise ValueError("region %r is not one of the %d AWS regions Atlas supports (%s)" % (
            value, len(ATLAS_TO_AWS), ", ".join(sorted(AWS_TO_ATLAS))))
    return Region(atlas=key, aws=ATLAS_TO_AWS[key])


def to_atlas_region(value):
    """``us-east-1`` or ``US_EAST_1`` -> ``US_EAST_1``."""
    return normalize_region(value).atlas


def to_aws_region(value):
    """``US_EAST_1`` or ``us-east-1`` -> ``us-east-1``."""
    return normalize_region(value).aws
