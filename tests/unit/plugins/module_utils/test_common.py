# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""common.py: the collection version the client sends is the one galaxy.yml releases."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.cloudwire.atlas.plugins.module_utils import common, transport

GALAXY_YML = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "galaxy.yml")


def test_collection_version_and_name_are_galaxy_ymls():
    with open(GALAXY_YML, encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    assert common.COLLECTION_VERSION == galaxy["version"]
    assert common.COLLECTION_NAME == "%s.%s" % (galaxy["namespace"], galaxy["name"])
    assert transport.USER_AGENT.startswith("%s/%s " % (common.COLLECTION_NAME, galaxy["version"]))


def test_the_media_type_names_the_api_version():
    assert common.ACCEPT == "application/vnd.atlas.%s+json" % common.API_VERSION == "application/vnd.atlas.2023-01-01+json"
