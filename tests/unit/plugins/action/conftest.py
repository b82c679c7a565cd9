# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins run in this test process: no Atlas credentials may come from its environment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.tests.unit.plugins.action.actions import ATLAS_ENV


@pytest.fixture(autouse=True)
def no_atlas_environment(monkeypatch):
    for name in ATLAS_ENV:
        monkeypatch.delenv(name, raising=False)
