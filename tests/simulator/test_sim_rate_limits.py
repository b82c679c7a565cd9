"""The token-bucket limiter: RateLimit-Limit / RateLimit-Remaining as recorded (one bucket shared by every access-list
operation of a project, none for refusals before the operation), and 429 RATE_LIMITED_TOKEN_BUCKET when a bucket is empty."""

import time

from requests.auth import HTTPDigestAuth

from simulator_helpers import assert_error, create_container
from support.atlas import AtlasSession, recorded


def remaining(answer):
    return int(answer.headers["RateLimit-Remaining"])


def test_access_list_operations_share_one_bucket(api, gid):
    limit = recorded("accessList-create-1.json")["response_headers"]["Ratelimit-Limit"]
    answers = [
        api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "192.168.0.243", "comment": "test"}]),
        api.get(f"/groups/{gid}/accessList"),
        api.get(f"/groups/{gid}/accessList/192.168.0.243"),
        api.get(f"/groups/{gid}/accessList/192.168.0.243/status"),
        api.delete(f"/groups/{gid}/accessList/192.168.0.243"),
        api.get(f"/groups/{gid}/accessList/192.168.0.243"),  # the operation's own 404 takes a token and says so
    ]
    assert [a.status_code for a in answers] == [201, 200, 200, 200, 204, 404]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {limit}
    # 1199, 1198, ... as recorded for create-1, list-1, get-1, delete-1 (accessList-*.json); the digest challenge took none.
    assert [remaining(a) for a in answers] == [1199, 1198, 1197, 1196, 1195, 1194]


def test_other_resources_and_projects_have_their_own_buckets(atlas_env, api, gid):
    api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}])
    create_container(api, gid)
    assert remaining(api.get(f"/groups/{gid}/containers")) == 1198
    assert remaining(api.get(f"/groups/{gid}")) == 1199  # recorded: groups-get-1.json, a project's first read
    other = atlas_env["sim"].seed({"projects": [{"name": "second"}], "api_keys": [{"public_key": "secondky", "private_key": "second-secret",
                                                                                   "roles": {"second": "owner"}}]})
    with AtlasSession(atlas_env["base_url"], HTTPDigestAuth("secondky", "second-secret")) as second:
        # A second project starts full again (recorded: accessList-create-4.json after the first project's 1192).
        answer = second.post(f"/groups/{other['projects'][0]['id']}/accessList", json=[{"ipAddress": "192.168.0.44"}])
    assert remaining(answer) == 1199


def test_refusals_before_the_operation_carry_no_rate_limit_headers(atlas_env, api, readonly_api, gid):
    challenge = api.get(f"/groups/{gid}/accessList").history[0]
    unknown = api.get("/groups/111111111111111111111111/accessList")
    not_mine = readonly_api.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}])
    assert (challenge.status_code, unknown.status_code, not_mine.status_code) == (401, 404, 401)
    # recorded: accessList-create-401-1.json (the challenge), other-databaseUsers-create-404-1.json (GROUP_NOT_FOUND)
    for answer in (challenge, unknown, not_mine):
        assert "RateLimit-Limit" not in answer.headers and "RateLimit-Remaining" not in answer.headers
    assert "X-Error-Code" not in challenge.headers and unknown.headers["X-Error-Code"] == "GROUP_NOT_FOUND"
    assert remaining(api.get(f"/groups/{gid}/accessList")) == 1198  # only the two answered reads took tokens


def test_an_empty_bucket_answers_429_until_it_refills(atlas_env, api, gid):
    atlas_env["sim"].config(rate_limit_capacity=2, rate_limit_refill=1, rate_limit_period=2)
    assert [remaining(api.get(f"/groups/{gid}/peers")) for _request in range(2)] == [1, 0]
    refused = api.get(f"/groups/{gid}/peers")
    body = assert_error(refused, 429, "RATE_LIMITED_TOKEN_BUCKET")
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 2 and refused.headers["RateLimit-Remaining"] == "0" and refused.headers["RateLimit-Limit"] == "2"
    assert body["parameters"] == [f"api/atlas/v2/groups/{gid}/peers", wait, 2, 1, 2]
    assert body["detail"] == (f"Rate limit exceeded for api/atlas/v2/groups/{gid}/peers. Please retry after {wait} seconds. "
                              "Request capacity: 2. Refill rate: 1 per 2 seconds.")
    assert api.get(f"/groups/{gid}/accessList").status_code == 200  # another endpoint set is not affected
    time.sleep(wait + 0.1)
    assert remaining(api.get(f"/groups/{gid}/peers")) == 0


def test_a_seeded_bucket_level(atlas_env, api, gid):
    atlas_env["sim"].seed({"rate_limits": [{"project": atlas_env["project_name"], "endpoint_set": "accessList", "remaining": 1197}]})
    assert remaining(api.get(f"/groups/{gid}/accessList")) == 1196
