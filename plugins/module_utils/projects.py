# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atlas projects (the API calls them groups): their paths and one function per call.

Each function takes the AtlasClient (transport.py) and raises the errors of errors.py. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import api_path
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import doing

PROJECT_PATH = "/groups/{project_id}"
PROJECT_BY_NAME_PATH = "/groups/byName/{name}"


@doing("find the Atlas project named {name!r}")
def id_by_name(client, name):
    """The id of the project named ``name`` (404 GROUP_NAME_NOT_FOUND when there is none or the caller is not in it)."""
    return client.get(api_path(PROJECT_BY_NAME_PATH, name=name))["id"]


@doing("read Atlas project {project_id}")
def get(client, project_id):
    """The project (id, name, orgId, clusterCount, created, ...); a project that is gone raises GROUP_NOT_FOUND."""
    return client.get(api_path(PROJECT_PATH, project_id=project_id))
