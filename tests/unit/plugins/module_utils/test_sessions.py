# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sessions.py: the clients a worker process keeps (vpc_peering_status), one per set of connection options, and the project
ids they resolved (against fake_atlas over HTTP)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils.common import DEFAULT_BASE_URL
from ansible_collections.cloudwire.atlas.plugins.module_utils.sessions import AtlasSessions, new_client, retry_deadline

GROUP = "5e2211c17a3e5a48f5497de3"


def _options(atlas, **extra):
    params = dict(base_url=atlas.url, public_key=atlas.public_key, private_key=atlas.private_key, validate_certs=True, timeout=30)
    params.update(extra)
    return params


def test_a_client_from_the_task_options():
    client = new_client(dict(public_key="p", private_key="s"), deadline=12)
    assert client.base_url == DEFAULT_BASE_URL and client.auth_kind == "api_key"
    assert client.timeout == 30 and client.retry_policy.deadline == 12.0
    client = new_client(dict(client_id="mdb_sa_id_x", client_secret="s", base_url="http://127.0.0.1:1/", validate_certs=False, timeout=5))
    assert client.base_url == "http://127.0.0.1:1" and client.auth_kind == "service_account"
    assert client.session.verify is False and client.timeout == 5


@pytest.mark.parametrize("setting, seconds", [(None, 300), ("45", 45.0), ("0.5", 0.5), ("0", 300), ("-3", 300), ("soon", 300)])
def test_the_retry_deadline_comes_from_the_environment(monkeypatch, setting, seconds):
    if setting is None:
        monkeypatch.delenv("CLOUDWIRE_ATLAS_RETRY_DEADLINE", raising=False)
    else:
        monkeypatch.setenv("CLOUDWIRE_ATLAS_RETRY_DEADLINE", setting)
    assert retry_deadline() == seconds
    # Every client built from task options takes it: the modules', the Atlas step's and the role's polls'.
    assert new_client(dict(public_key="p", private_key="s")).retry_policy.deadline == seconds


@pytest.mark.parametrize("timeout", [0, -1, True, "30"])
def test_a_timeout_that_is_not_a_positive_whole_number_is_refused(timeout):
    with pytest.raises(ValueError, match="is not a timeout: it must be a whole number of seconds greater than 0"):
        new_client(dict(public_key="p", private_key="s", timeout=timeout))


def test_a_base_url_without_its_scheme_is_refused():
    with pytest.raises(ValueError, match="is not a URL of Atlas"):
        new_client(dict(public_key="p", private_key="s", base_url="cloud.mongodb.com"))


def test_the_same_options_share_one_client_and_others_get_their_own(atlas):
    sessions = AtlasSessions()
    first, project = sessions.get(_options(atlas, project_id=GROUP))
    again, _project = sessions.get(_options(atlas, project_id=GROUP))
    assert project == GROUP and again is first
    other, _project = sessions.get(_options(atlas, project_id=GROUP, timeout=10))
    assert other is not first and other.timeout == 10
    assert atlas.api_requests() == []  # a project id needs no lookup


def test_a_project_name_is_looked_up_once_per_client(atlas):
    atlas.route("GET", "/groups/byName/shop dev", {"id": GROUP, "name": "shop dev"})
    sessions = AtlasSessions()
    for _poll in range(3):
        client, project = sessions.get(_options(atlas, project_name="shop dev"))
        assert project == GROUP
    lookups = atlas.api_requests()
    assert [r["path"] for r in lookups] == ["/api/atlas/v2/groups/byName/shop%20dev"]
    client.close()


def test_a_malformed_project_id_is_refused():
    with pytest.raises(ValueError, match="project id"):
        AtlasSessions().get(dict(public_key="p", private_key="s", project_id="not-an-id"))
