"""Helpers for the simulator's own tests: an Atlas HTTP session with digest auth, boto3 as the customer, error assertions."""

import json
import os

import boto3
import requests

VERSIONED = "application/vnd.atlas.2023-01-01+json"
# What Atlas answers successes with (recorded: tests/contract/recorded/accessList-list-1.json and every 2026 file).
SUCCESS_TYPE = VERSIONED + ";charset=utf-8"
RECORDED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "contract", "recorded")


def recorded(name):
    """One file of the recorded Atlas corpus (tests/contract/recorded/<name>), parsed."""
    with open(os.path.join(RECORDED_DIR, name), encoding="utf-8") as recording:
        return json.load(recording)


class AtlasSession(requests.Session):
    """requests against {base_url}/api/atlas/v2 with the versioned Accept header; paths are relative to /api/atlas/v2."""

    def __init__(self, base_url, auth=None, accept=VERSIONED):
        super().__init__()
        self.base = f"{base_url}/api/atlas/v2"
        self.auth = auth
        if accept is not None:
            self.headers["Accept"] = accept

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs.setdefault("timeout", 30)
        return super().request(method, url if url.startswith("http") else self.base + url, *args, **kwargs)


def customer_ec2(env, region="us-east-1"):
    return boto3.client("ec2", endpoint_url=env["aws_endpoint"], region_name=region, aws_access_key_id=env["aws_access_key_id"],
                        aws_secret_access_key=env["aws_secret_access_key"])


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
