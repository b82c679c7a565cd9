"""Helpers for the simulator's own tests: requests that set up state, and error assertions (sessions: support.atlas)."""


def create_container(api, gid, region="US_EAST_1", cidr="192.168.248.0/21"):
    answer = api.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": cidr, "providerName": "AWS", "regionName": region})
    assert answer.status_code == 200, answer.text
    return answer.json()


def peer_body(container_id, vpc_id, cidr="10.20.0.0/16", region="us-east-1", account="123456789012"):
    return {"containerId": container_id, "providerName": "AWS", "accepterRegionName": region, "awsAccountId": account,
            "routeTableCidrBlock": cidr, "vpcId": vpc_id}


def create_peer(api, gid, body):
    answer = api.post(f"/groups/{gid}/peers", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_error(answer, status, error_code, parameters=None):
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["error"] == status
    assert body["errorCode"] == error_code, body
    if parameters is not None:
        assert body["parameters"] == parameters
    return body
