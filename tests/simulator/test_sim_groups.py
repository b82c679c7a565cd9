"""GET /groups/{groupId} and /groups/byName/{name}: the Group as recorded (tags, 7 links, withDefaultAlertsSettings), and
path ids that are not ObjectIds: 400 PATH_PARAM_PARSE_ERROR before any lookup."""

import pytest

from simulator_helpers import assert_error
from support.atlas import recorded

RECORDED_GROUP = recorded("groups-get-1.json")


def test_group_by_id_is_the_recorded_group(atlas_env, api):
    body = RECORDED_GROUP["response_body"]
    made = atlas_env["sim"].seed({"projects": [{"name": body["name"], "id": body["id"], "orgId": body["orgId"], "tags": body["tags"]}],
                                  "api_keys": [{"public_key": "groupkey", "private_key": "group-secret", "roles": {body["name"]: "read_only"}}]})
    assert made["projects"][0]["id"] == body["id"]
    api.auth.username, api.auth.password = "groupkey", "group-secret"
    answer = api.get(f"/groups/{body['id']}")
    assert answer.status_code == 200
    group = answer.json()
    host = atlas_env["base_url"]
    expected_links = [dict(link, href=link["href"].replace("http://localhost:8080", host)) for link in body["links"]]
    assert group["links"] == expected_links  # self first, then the six related resources, whitelist included
    assert {k: v for k, v in group.items() if k not in ("links", "created")} == {k: v for k, v in body.items() if k not in ("links", "created")}
    assert group["created"].endswith("Z") and len(group["created"]) == len("2026-08-10T03:05:16Z")
    assert api.get(f"/groups/byName/{body['name']}").json() == group  # one resource, two ways to name it


def test_group_without_tags_has_an_empty_list(api, gid):
    group = api.get(f"/groups/{gid}").json()
    assert group["tags"] == [] and group["withDefaultAlertsSettings"] is True and len(group["links"]) == 7


def test_unknown_and_foreign_groups(atlas_env, api):
    answer = api.get("/groups/0123456789abcdef01234567")
    assert_error(answer, 404, "GROUP_NOT_FOUND", ["0123456789abcdef01234567"])
    assert answer.headers["X-Error-Code"] == "GROUP_NOT_FOUND"  # recorded: other-databaseUsers-create-404-1.json
    atlas_env["sim"].seed({"projects": [{"name": "not-mine"}]})
    assert_error(api.get(f"/groups/{atlas_env['sim'].state()['projects'][-1]['id']}"), 401, "NOT_IN_GROUP")


@pytest.mark.parametrize("path", ["/groups/{gid}/peers/pcx", "/groups/{gid}/peers/pcx-0123456789abcdef0", "/groups/{gid}/containers/US_EAST_1",
                                  "/groups/12345/accessList", "/groups/12345"])
def test_malformed_path_ids_are_400_path_param_parse_error(api, gid, path):
    full = path.format(gid=gid)
    body = assert_error(api.get(full), 400, "PATH_PARAM_PARSE_ERROR", [f"/api/atlas/v2{full}"])
    # The detail as recorded on v1 (peers-get-v1-400-1.json), for the v2 path.
    recorded_detail = recorded("peers-get-v1-400-1.json")["response_body"]["detail"]
    assert body["detail"] == recorded_detail.replace("/api/atlas/v1.0/groups/XXXXXXXX/peers/pcx", f"/api/atlas/v2{full}")


def test_malformed_ids_are_refused_for_writes_too(api, gid):
    assert_error(api.delete(f"/groups/{gid}/peers/not-an-id"), 400, "PATH_PARAM_PARSE_ERROR")
    assert_error(api.patch(f"/groups/{gid}/containers/not-an-id", json={}), 400, "PATH_PARAM_PARSE_ERROR")
