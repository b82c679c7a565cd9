"""Every response of every operation the collection uses, in success and error cases, validates against the official
Atlas schemas (the extract in atlas_schemas.json). Where the spec is known to be wrong, a test below says so and proves it."""

import datetime
import json
import os
import time

import pytest
from requests.auth import HTTPDigestAuth

import extract_schemas
from contract_session import ContractSession
from contract_schemas import EXTRACT, SPEC_CORRECTIONS, check_response, operation_for, schema_errors
from support.atlas import recorded
from support.aws import customer_ec2
from support.paths import RECORDED_DIR

GID_UNKNOWN = "0123456789abcdef01234567"
ALL_OPERATIONS = {op["operationId"] for item in EXTRACT["paths"].values() for key, op in item.items() if key != "parameters"}


def container(session, gid, region="US_EAST_1", cidr="192.168.248.0/21"):
    answer = session.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": cidr, "providerName": "AWS", "regionName": region})
    assert answer.status_code == 200, answer.text
    return answer.json()


def peer(session, gid, container_id, vpc_id, cidr="10.20.0.0/16", region="us-east-1"):
    body = {"containerId": container_id, "providerName": "AWS", "accepterRegionName": region, "awsAccountId": "123456789012",
            "routeTableCidrBlock": cidr, "vpcId": vpc_id}
    return session.post(f"/groups/{gid}/peers", json=body)


def test_the_extract_covers_the_operations_used():
    assert ALL_OPERATIONS == {
        "getProject", "getProjectByName", "listPeeringContainerByCloudProvider", "createPeeringContainer", "listPeeringContainers", "getPeeringContainer",
        "updatePeeringContainer", "deletePeeringContainer", "listPeeringConnections", "createPeeringConnection", "getPeeringConnection",
        "updatePeeringConnection", "deletePeeringConnection", "listProjectIpAccessLists", "createProjectIpAccessList", "getProjectIpList",
        "deleteProjectIpAccessList", "getProjectIpAccessListStatus", "listClusters", "getCluster", "listDatabaseUsers", "createDatabaseUser",
        "getDatabaseUser", "updateDatabaseUser", "deleteDatabaseUser"}


@pytest.mark.skipif(not os.path.exists(extract_schemas.DEFAULT_SPEC), reason="../shared/atlas-openapi is not here (a user's clone)")
def test_the_committed_extract_is_up_to_date():
    assert extract_schemas.main(["--check"]) == 0, "run: PYTHONPATH=tests python tests/contract/extract_schemas.py"


def test_project_by_name(owner, atlas_env):
    sim = atlas_env["sim"]
    owner.get(f"/groups/byName/{atlas_env['project_name']}")
    owner.get("/groups/byName/no-such-project")
    sim.seed({"projects": [{"name": "someone-elses"}]})
    owner.get("/groups/byName/someone-elses")
    sim.config(caller_ip="10.9.9.9")
    sim.seed({"api_keys": [{"public_key": "fencedky", "private_key": "fenced", "roles": {atlas_env["project_name"]: "owner"},
                            "access_list": ["192.0.2.0/24"]}]})
    with ContractSession(atlas_env["base_url"], HTTPDigestAuth("fencedky", "fenced")) as fenced:
        fenced.get(f"/groups/byName/{atlas_env['project_name']}")
    with ContractSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["public_key"], atlas_env["private_key"]),
                         accept="application/json") as unversioned:
        unversioned.get(f"/groups/byName/{atlas_env['project_name']}")
    assert owner.seen == {("getProjectByName", 200), ("getProjectByName", 404), ("getProjectByName", 401)}
    assert fenced.seen == {("getProjectByName", 403)} and unversioned.seen == {("getProjectByName", 406)}


def test_project_by_id(owner, atlas_env):
    gid = atlas_env["project_id"]
    atlas_env["sim"].seed({"projects": [{"name": "tagged", "tags": [{"key": "env", "value": "e2e"}]}]})
    owner.get(f"/groups/{gid}")
    owner.get(f"/groups/{GID_UNKNOWN}")
    owner.get("/groups/not-an-object-id")
    owner.get(f"/groups/{atlas_env['sim'].state()['projects'][-1]['id']}")  # not the key's project
    assert owner.seen == {("getProject", 200), ("getProject", 404), ("getProject", 400), ("getProject", 401)}


def test_digest_refusal_is_the_authentication_filter(atlas_env):
    with ContractSession(atlas_env["base_url"], HTTPDigestAuth(atlas_env["public_key"], "not-the-private-key")) as session:
        session.get(f"/groups/{atlas_env['project_id']}/accessList")
    assert session.seen == {("authentication", 401)}


def test_containers(owner, reader, atlas_env, customer):
    gid = atlas_env["project_id"]
    made = container(owner, gid)
    container(owner, gid, "EU_WEST_1", "10.8.0.0/21")
    owner.get(f"/groups/{gid}/containers")
    owner.get(f"/groups/{gid}/containers", params={"providerName": "AWS", "itemsPerPage": 1, "includeCount": "false"})
    owner.get(f"/groups/{gid}/containers/all")
    owner.get(f"/groups/{gid}/containers/{made['id']}")
    owner.get(f"/groups/{gid}/containers/ffffffffffffffffffffffff")
    owner.get(f"/groups/{GID_UNKNOWN}/containers")
    owner.get(f"/groups/{GID_UNKNOWN}/containers/all")
    for bad in ({"atlasCidrBlock": "10.0.0.0/16", "regionName": "US_WEST_2"}, {"atlasCidrBlock": "8.8.0.0/21", "regionName": "US_WEST_2"},
                {"atlasCidrBlock": "10.0.0.1/21", "regionName": "US_WEST_2"}, {"regionName": "US_WEST_2"}):
        owner.post(f"/groups/{gid}/containers", json=bad)
    owner.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": "10.16.0.0/21", "regionName": "US_EAST_1"})
    owner.post(f"/groups/{GID_UNKNOWN}/containers", json={"atlasCidrBlock": "10.16.0.0/21", "regionName": "US_EAST_1"})
    reader.post(f"/groups/{gid}/containers", json={"atlasCidrBlock": "10.16.0.0/21", "regionName": "US_WEST_2"})
    owner.patch(f"/groups/{gid}/containers/{made['id']}", json={"atlasCidrBlock": "192.168.240.0/21", "providerName": "AWS"})
    owner.patch(f"/groups/{gid}/containers/{made['id']}", json={"regionName": "US_WEST_2"})
    owner.patch(f"/groups/{gid}/containers/ffffffffffffffffffffffff", json={"atlasCidrBlock": "10.16.0.0/21"})
    vpc = customer.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    assert peer(owner, gid, made["id"], vpc).status_code == 200
    owner.get(f"/groups/{gid}/containers/{made['id']}")  # provisioned, with the Atlas vpcId
    owner.patch(f"/groups/{gid}/containers/{made['id']}", json={"atlasCidrBlock": "10.24.0.0/21"})
    owner.delete(f"/groups/{gid}/containers/{made['id']}")
    owner.delete(f"/groups/{gid}/containers/ffffffffffffffffffffffff")
    other = owner.get(f"/groups/{gid}/containers", params={"providerName": "AWS"}).json()["results"]
    owner.delete(f"/groups/{gid}/containers/{[c for c in other if c['regionName'] == 'EU_WEST_1'][0]['id']}")
    assert owner.seen >= {
        ("createPeeringContainer", 200), ("createPeeringContainer", 400), ("createPeeringContainer", 409), ("createPeeringContainer", 404),
        ("listPeeringContainerByCloudProvider", 200), ("listPeeringContainerByCloudProvider", 404),
        ("listPeeringContainers", 200), ("listPeeringContainers", 404),
        ("getPeeringContainer", 200), ("getPeeringContainer", 404),
        ("updatePeeringContainer", 200), ("updatePeeringContainer", 400), ("updatePeeringContainer", 404), ("updatePeeringContainer", 409),
        ("deletePeeringContainer", 204), ("deletePeeringContainer", 409), ("deletePeeringContainer", 404)}
    assert reader.seen == {("createPeeringContainer", 401)}


def test_peerings_in_every_state(owner, reader, atlas_env, customer):
    gid, sim = atlas_env["project_id"], atlas_env["sim"]
    sim.config(initiating_delay=1.0, finalizing_delay=1.0, terminating_delay=1.0)
    made = container(owner, gid)
    vpcs = [customer.create_vpc(CidrBlock=f"10.{20 + n}.0.0/16")["Vpc"]["VpcId"] for n in range(3)]
    accepted = peer(owner, gid, made["id"], vpcs[0], "10.20.0.0/16").json()
    rejected = peer(owner, gid, made["id"], vpcs[1], "10.21.0.0/16").json()
    missing = peer(owner, gid, made["id"], "vpc-0123456789abcdef0", "10.30.0.0/16").json()
    assert owner.get(f"/groups/{gid}/peers/{accepted['id']}").json()["statusName"] == "INITIATING"
    time.sleep(1.05)
    pcx = owner.get(f"/groups/{gid}/peers/{accepted['id']}").json()["connectionId"]  # PENDING_ACCEPTANCE
    customer.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    customer.reject_vpc_peering_connection(VpcPeeringConnectionId=owner.get(f"/groups/{gid}/peers/{rejected['id']}").json()["connectionId"])
    assert owner.get(f"/groups/{gid}/peers/{accepted['id']}").json()["statusName"] == "FINALIZING"
    assert owner.get(f"/groups/{gid}/peers/{rejected['id']}").json()["errorStateName"] == "REJECTED"
    assert owner.get(f"/groups/{gid}/peers/{missing['id']}").json()["errorStateName"] == "INVALID_ARGUMENT"
    owner.patch(f"/groups/{gid}/peers/{accepted['id']}", json={"providerName": "AWS", "routeTableCidrBlock": "10.20.0.0/17"})  # 409
    time.sleep(1.05)
    assert owner.get(f"/groups/{gid}/peers/{accepted['id']}").json()["statusName"] == "AVAILABLE"
    cross_vpc = customer_ec2(atlas_env, "eu-west-1").create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    cross = peer(owner, gid, made["id"], cross_vpc, "10.40.0.0/16", "eu-west-1").json()
    assert cross["accepterRegionName"] == "eu-west-1"
    owner.get(f"/groups/{gid}/peers")
    owner.get(f"/groups/{gid}/peers", params={"providerName": "AWS", "itemsPerPage": 2, "pageNum": 2})
    owner.patch(f"/groups/{gid}/peers/{accepted['id']}", json={"providerName": "AWS", "routeTableCidrBlock": "10.20.0.0/17"})
    owner.patch(f"/groups/{gid}/peers/{accepted['id']}", json={"providerName": "AWS", "routeTableCidrBlock": "8.8.8.0/24"})
    owner.patch(f"/groups/{gid}/peers/ffffffffffffffffffffffff", json={"providerName": "AWS"})
    owner.post(f"/groups/{gid}/peers", json={"containerId": made["id"], "providerName": "AWS"})
    peer(owner, gid, made["id"], vpcs[0], "10.50.0.0/16")  # PEER_ALREADY_EXISTS
    peer(owner, gid, "ffffffffffffffffffffffff", vpcs[2])
    peer(reader, gid, made["id"], vpcs[2], "10.22.0.0/16")
    owner.get(f"/groups/{gid}/peers/ffffffffffffffffffffffff")
    owner.get(f"/groups/{GID_UNKNOWN}/peers")
    assert owner.delete(f"/groups/{gid}/peers/{accepted['id']}").json() == {}
    assert owner.get(f"/groups/{gid}/peers/{accepted['id']}").json()["statusName"] == "TERMINATING"
    owner.get(f"/groups/{gid}/peers")
    owner.delete(f"/groups/{gid}/peers/{accepted['id']}")  # 409 already requested
    owner.delete(f"/groups/{gid}/peers/ffffffffffffffffffffffff")
    assert owner.seen >= {
        ("createPeeringConnection", 200), ("createPeeringConnection", 400), ("createPeeringConnection", 404), ("createPeeringConnection", 409),
        ("getPeeringConnection", 200), ("getPeeringConnection", 404), ("listPeeringConnections", 200), ("listPeeringConnections", 404),
        ("updatePeeringConnection", 200), ("updatePeeringConnection", 400), ("updatePeeringConnection", 404), ("updatePeeringConnection", 409),
        ("deletePeeringConnection", 202), ("deletePeeringConnection", 409), ("deletePeeringConnection", 404)}
    assert reader.seen == {("createPeeringConnection", 401)}


def test_access_list(owner, reader, atlas_env, customer):
    gid = atlas_env["project_id"]
    atlas_env["sim"].config(access_list_delay=0.3)
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    owner.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4", "comment": "laptop", "deleteAfterDate": soon},
                                                  {"cidrBlock": "10.20.0.0/16", "comment": "app"}, {"cidrBlock": "5.6.7.8/32"}])
    owner.post(f"/groups/{gid}/accessList", params={"itemsPerPage": 1, "includeCount": "false"}, json=[{"cidrBlock": "10.20.0.0/16"}])
    owner.get(f"/groups/{gid}/accessList/10.20.0.0%2F16/status")  # PENDING
    time.sleep(0.35)
    owner.get(f"/groups/{gid}/accessList/10.20.0.0%2f16/status")  # ACTIVE
    made = container(owner, gid)
    vpc = customer.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    pcx = owner.get(f"/groups/{gid}/peers/{peer(owner, gid, made['id'], vpc).json()['id']}").json()["connectionId"]
    customer.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    owner.post(f"/groups/{gid}/accessList", json=[{"awsSecurityGroup": "sg-0123456789abcdef0", "comment": "app sg"}])
    owner.get(f"/groups/{gid}/accessList")
    owner.get(f"/groups/{gid}/accessList/sg-0123456789abcdef0")
    owner.get(f"/groups/{gid}/accessList/1.2.3.4")
    owner.get(f"/groups/{gid}/accessList/9.9.9.9")
    owner.get(f"/groups/{gid}/accessList/9.9.9.9/status")
    owner.get(f"/groups/{GID_UNKNOWN}/accessList")
    for bad in ([{"comment": "no address"}], [{"ipAddress": "1.2.3.4", "comment": "x" * 81}], {"ipAddress": "1.2.3.4"},
                [{"cidrBlock": "10.0.0.0/8", "deleteAfterDate": soon}]):
        owner.post(f"/groups/{gid}/accessList", json=bad)
    reader.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}])
    reader.delete(f"/groups/{gid}/accessList/1.2.3.4")
    owner.delete(f"/groups/{gid}/accessList/5.6.7.8%2F32")
    owner.delete(f"/groups/{gid}/accessList/5.6.7.8%2F32")
    assert owner.seen >= {
        ("createProjectIpAccessList", 201), ("createProjectIpAccessList", 400), ("listProjectIpAccessLists", 200),
        ("listProjectIpAccessLists", 404), ("getProjectIpList", 200), ("getProjectIpList", 404), ("getProjectIpAccessListStatus", 200),
        ("getProjectIpAccessListStatus", 404), ("deleteProjectIpAccessList", 204), ("deleteProjectIpAccessList", 404)}
    assert reader.seen == {("createProjectIpAccessList", 401), ("deleteProjectIpAccessList", 401)}


@pytest.mark.parametrize("status, retry_after, token_bucket", [(429, 7, False), (429, None, True), (500, None, False), (503, 3, False)])
def test_injected_faults_are_api_errors_too(owner, atlas_env, status, retry_after, token_bucket):
    atlas_env["sim"].add_fault(status=status, retry_after=retry_after, token_bucket=token_bucket, count=4)
    gid = atlas_env["project_id"]
    owner.get(f"/groups/{gid}/peers")
    owner.get(f"/groups/{gid}/containers/all")
    owner.post(f"/groups/{gid}/accessList", json=[{"ipAddress": "1.2.3.4"}])
    owner.get(f"/groups/byName/{atlas_env['project_name']}")
    assert {s for _op, s in owner.seen} == {status}
    assert len(owner.seen) == 4


def test_refused_bearer_token_has_no_error_code(atlas_env):
    with ContractSession(atlas_env["base_url"]) as session:
        session.headers["Authorization"] = "Bearer expired-or-made-up"
        session.get(f"/groups/{atlas_env['project_id']}/accessList")
    assert session.seen == {("authentication", 401)}


# ---- where the spec is wrong: each correction the validator makes is needed, and says why --------------------------

def test_spec_route_table_pattern_rejects_every_cidr():
    body = {"awsAccountId": "123456789012", "containerId": "a" * 24, "id": "b" * 24, "providerName": "AWS", "accepterRegionName": "us-west-1",
            "routeTableCidrBlock": "10.15.0.0/16", "statusName": "AVAILABLE", "vpcId": "vpc-0123456789abcdef0"}
    assert schema_errors("BaseNetworkPeeringConnectionSettings", body) == []
    errors = schema_errors("BaseNetworkPeeringConnectionSettings", body, skip_corrections=["routeTableCidrBlock pattern"])
    assert len(errors) == 1 and "routeTableCidrBlock" in errors[0], SPEC_CORRECTIONS["routeTableCidrBlock pattern"].why


def test_spec_requires_accepter_region_that_atlas_leaves_out():
    body = {"awsAccountId": "123456789012", "containerId": "a" * 24, "id": "b" * 24, "providerName": "AWS", "routeTableCidrBlock": "10.15.0.0/16",
            "statusName": "AVAILABLE", "vpcId": "vpc-0123456789abcdef0", "connectionId": "pcx-0123456789abcdef0"}
    assert schema_errors("BaseNetworkPeeringConnectionSettings", body) == []
    errors = schema_errors("BaseNetworkPeeringConnectionSettings", body, skip_corrections=["accepterRegionName required"])
    assert errors == ["<root>: 'accepterRegionName' is a required property"], SPEC_CORRECTIONS["accepterRegionName required"].why


def test_spec_error_parameters_are_declared_objects_but_are_strings():
    body = {"detail": "IP Address 179.154.226.68 not on Atlas access list for group 68b5c58f0000000000000000.", "error": 404,
            "errorCode": "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND", "parameters": ["179.154.226.68", "68b5c58f0000000000000000"], "reason": "Not Found"}
    assert schema_errors("ApiError", body) == []
    assert len(schema_errors("ApiError", body, skip_corrections=["ApiError.parameters items are objects"])) == 2


def test_spec_vpc_id_pattern_rejects_real_legacy_ids():
    # FACTS.md 8: real legacy VPC ids have 8 hex digits (vpc-7b64b41e); the spec wants 17. The simulator accepts both in
    # requests; moto makes 17-digit ids, so no correction is needed for what the simulator returns.
    body = {"awsAccountId": "358363220050", "containerId": "a" * 24, "id": "b" * 24, "providerName": "AWS", "routeTableCidrBlock": "172.31.0.0/16",
            "statusName": "AVAILABLE", "vpcId": "vpc-7b64b41e", "accepterRegionName": "us-east-1"}
    assert any("vpcId" in error for error in schema_errors("BaseNetworkPeeringConnectionSettings", body))


def test_spec_declares_provider_name_required_on_container_list_with_a_default():
    # FACTS.md 8: `providerName` is `required: true` with `default: AWS`; Atlas (and the simulator) treat it as optional.
    parameters = EXTRACT["paths"]["/api/atlas/v2/groups/{groupId}/containers"]["get"]["parameters"]
    provider = [p for p in parameters if p.get("name") == "providerName"][0]
    assert provider["required"] is True and provider["schema"]["default"] == "AWS"


def test_spec_status_entry_key_is_upper_case():
    assert schema_errors("NetworkPermissionEntryStatus", {"STATUS": "ACTIVE"}) == []
    assert schema_errors("NetworkPermissionEntryStatus", {"status": "ACTIVE"}) != []


# ---- corrections whose source is a recorded Atlas answer: the named file is refused by the uncorrected spec ---------

RECORDED_CORRECTIONS = sorted(name for name, correction in SPEC_CORRECTIONS.items() if correction.recorded_file)


def recorded_answer_errors(file_name, skip_corrections=()):
    """Validate a recorded answer (status, Content-Type, body) as the contract tests validate the simulator's."""
    answer = recorded(file_name)
    # The Terraform recorder put `{groupId}` in paths and bodies where the id was; it is an id to the spec.
    path = answer["path"].replace("{groupId}", "0" * 24)
    body = b"" if answer["response_body"] is None else json.dumps(answer["response_body"]).replace("{groupId}", "0" * 24).encode()
    try:
        operation_for(answer["method"], path)
    except AssertionError:
        # Not an operation of the extract (an `other-` file): its ApiError body is what it shows.
        return schema_errors("ApiError", json.loads(body), skip_corrections)
    # The Terraform recorder stored no headers: the media type is the one its Accept header asked for.
    content_type = answer["response_headers"].get("Content-Type") or (
        answer["request_headers"]["Accept"] if answer["status"] < 400 else "application/json")
    try:
        check_response(answer["method"], path, answer["status"], content_type, body, skip_corrections)
    except AssertionError as refused:
        return [str(refused)]
    return []


def test_every_correction_names_an_existing_source():
    for name, correction in SPEC_CORRECTIONS.items():
        assert correction.source.startswith(("FACTS.md", "spec: ")) or (
            correction.recorded_file and os.path.exists(os.path.join(RECORDED_DIR, correction.recorded_file))), name


@pytest.mark.parametrize("name", RECORDED_CORRECTIONS)
def test_recorded_answer_needs_its_correction(name):
    file_name = SPEC_CORRECTIONS[name].recorded_file
    assert recorded_answer_errors(file_name) == []
    assert recorded_answer_errors(file_name, skip_corrections=[name]) != [], f"{file_name} passes the plain spec: drop '{name}'"


def _extract_operation_files():
    found = []
    for file_name in sorted(os.listdir(RECORDED_DIR)):
        if not file_name.endswith(".json"):
            continue
        answer = recorded(file_name)
        try:
            operation_for(answer["method"], answer["path"].replace("{groupId}", "0" * 24))
        except AssertionError:
            continue
        found.append(file_name)
    return found


@pytest.mark.parametrize("file_name", _extract_operation_files())
def test_recorded_answers_validate_against_the_corrected_spec(file_name):
    # With the corrections, the spec accepts everything real Atlas was recorded saying for these operations.
    assert recorded_answer_errors(file_name) == []
