# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How an Atlas client is made from a task's connection options (every module and plugin of the collection), and the
clients kept for a whole worker process by the controller-side plugins (vpc_peering_status).

A module process makes one client and ends; a worker process runs every poll of a host's loop, so keeping its client
keeps its digest nonce (one challenge per loop) and its TCP connection. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.cloudwire.atlas.plugins.module_utils import projects, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.common import DEFAULT_BASE_URL
from ansible_collections.cloudwire.atlas.plugins.module_utils.transport import AtlasClient


# Seconds each API call may spend on retries (429, 5xx, connection errors) before it fails; 300 when unset. An environment
# setting rather than an option: it tunes the transport, like AWS_MAX_ATTEMPTS for boto3.
RETRY_DEADLINE_ENV = "CLOUDWIRE_ATLAS_RETRY_DEADLINE"
DEFAULT_RETRY_DEADLINE = 300
DEFAULT_TIMEOUT = 30


def retry_deadline():
    """The retry deadline from CLOUDWIRE_ATLAS_RETRY_DEADLINE (seconds, > 0), else 300; a bad value is ignored."""
    try:
        value = float(os.environ.get(RETRY_DEADLINE_ENV) or DEFAULT_RETRY_DEADLINE)
    except ValueError:
        return DEFAULT_RETRY_DEADLINE
    return value if value > 0 else DEFAULT_RETRY_DEADLINE


def new_client(params, deadline=None):
    """An AtlasClient for the connection options of a task (public_key/private_key or client_id/client_secret, base_url...);
    the retry deadline from the environment unless given. A base_url or timeout that breaks its rule: ValueError."""
    timeout = params.get("timeout")
    return AtlasClient(base_url=validators.base_url(params.get("base_url") or DEFAULT_BASE_URL), public_key=params.get("public_key"),
                       private_key=params.get("private_key"), client_id=params.get("client_id"),
                       client_secret=params.get("client_secret"), validate_certs=params.get("validate_certs", True),
                       timeout=DEFAULT_TIMEOUT if timeout is None else validators.timeout(timeout),
                       deadline=deadline or retry_deadline())


class AtlasSessions:
    """Clients and project ids by connection options (secrets are part of the key in memory only, never shown)."""

    def __init__(self):
        self._clients = {}
        self._projects = {}

    def get(self, params):
        """(client, project id) for these options; the project is looked up by name once."""
        options = ("base_url", "public_key", "private_key", "client_id", "client_secret", "validate_certs", "timeout")
        key = tuple(str(params.get(k)) for k in options)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = new_client(params)
        if params.get("project_id"):
            return client, validators.project_id(params["project_id"])
        name = params.get("project_name")
        if (key, name) not in self._projects:
            self._projects[(key, name)] = projects.id_by_name(client, name)
        return client, self._projects[(key, name)]
