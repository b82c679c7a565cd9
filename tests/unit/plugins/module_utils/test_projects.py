# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""projects.py: a project by name and by id, over HTTP, and every recorded groups answer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudwire.atlas.plugins.module_utils import projects
from ansible_collections.cloudwire.atlas.plugins.module_utils.errors import AtlasApiError
from ansible_collections.cloudwire.atlas.tests.unit.plugins.module_utils.fake_atlas import api_error, recorded_reply, recording

GROUP = "5e2211c17a3e5a48f5497de3"


def test_a_name_is_quoted_and_resolved_to_the_id(atlas, make_client):
    atlas.route("GET", "/groups/byName/shop dev/eu", {"id": GROUP, "name": "shop dev/eu"})
    assert projects.id_by_name(make_client(), "shop dev/eu") == GROUP
    assert atlas.api_requests()[0]["path"] == "/api/atlas/v2/groups/byName/shop%20dev%2Feu"


def test_an_unknown_name_says_what_was_looked_for_and_what_to_check(atlas, make_client):
    atlas.add(api_error(404, "GROUP_NAME_NOT_FOUND", 'No group with name "nope" exists.', ["nope"]))
    with pytest.raises(AtlasApiError) as caught:
        projects.id_by_name(make_client(), "nope")
    assert caught.value.doing == "find the Atlas project named 'nope'"
    assert "check project_id / project_name" in str(caught.value)


@pytest.mark.parametrize("name", ["groups-get-1.json", "groups-get-2.json"])
def test_recorded_projects_read_by_id(atlas, make_client, name):
    answer = recording(name)
    atlas.add(recorded_reply(name))
    project = projects.get(make_client(), GROUP)
    assert project == answer["response_body"]
    assert project["id"] == answer["response_body"]["id"] and project["clusterCount"] == 0
    assert len(project["links"]) == 7 and "tags" in project
    assert atlas.api_requests()[0]["path"] == "/api/atlas/v2/groups/%s" % GROUP


def test_a_recorded_missing_project_is_an_error_with_the_project_hint(atlas, make_client):
    atlas.add(recorded_reply("other-databaseUsers-create-404-1.json"))
    with pytest.raises(AtlasApiError) as caught:
        projects.get(make_client(), "111111111111111111111111")
    assert caught.value.error_code == "GROUP_NOT_FOUND" and caught.value.doing == "read Atlas project 111111111111111111111111"


def test_recorded_project_create_201_and_delete_202_are_success(atlas, make_client):
    """Calls this collection does not make, kept for the shape of a success: any 2xx is one, and a 202 {} parses to {}."""
    client = make_client()
    created = recording("other-groups-create-1.json")
    atlas.add(recorded_reply("other-groups-create-1.json"), recorded_reply("other-groups-delete-1.json"))
    assert client.post("/groups", created["request_body"]) == created["response_body"]
    assert client.delete("/groups/%s" % created["response_body"]["id"]) == {}
