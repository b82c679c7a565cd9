"""Atlas's own AWS account inside moto server: the container VPCs and the peering connections Atlas requests."""

import os
import threading

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Not moto's default 123456789012, which is the customers' account.
DEFAULT_ATLAS_ACCOUNT_ID = "536727724300"
_BOTO_CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30)


class CloudError(Exception):
    """An AWS call made on Atlas's behalf failed; the message is AWS's own."""


class AtlasAwsAccount:
    """EC2 calls as Atlas's AWS account, with credentials from sts:AssumeRole at the moto endpoint."""

    def __init__(self, endpoint, account_id=DEFAULT_ATLAS_ACCOUNT_ID):
        self.endpoint = endpoint
        self.account_id = account_id
        self._lock = threading.Lock()
        self._credentials = None
        self._clients = {}

    def forget_credentials(self):
        """After a moto reset the assumed-role keys are gone and would silently map to the default account."""
        with self._lock:
            self._credentials = None
            self._clients.clear()

    def _assume(self):
        # Any key works while moto does not enforce IAM; with enforcement on, the harness gives a real moto IAM user's key.
        sts = boto3.client("sts", endpoint_url=self.endpoint, region_name="us-east-1",
                           aws_access_key_id=os.environ.get("ATLAS_SIMULATOR_AWS_ACCESS_KEY_ID", "atlas-simulator"),
                           aws_secret_access_key=os.environ.get("ATLAS_SIMULATOR_AWS_SECRET_ACCESS_KEY", "atlas-simulator"), config=_BOTO_CONFIG)
        answer = sts.assume_role(RoleArn=f"arn:aws:iam::{self.account_id}:role/any", RoleSessionName="atlas-simulator")
        return answer["Credentials"]

    def ec2(self, region):
        with self._lock:
            if self._credentials is None:
                self._credentials = self._assume()
            client = self._clients.get(region)
            if client is None:
                creds = self._credentials
                client = boto3.client("ec2", endpoint_url=self.endpoint, region_name=region, aws_access_key_id=creds["AccessKeyId"],
                                      aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
                                      config=_BOTO_CONFIG)
                self._clients[region] = client
            return client

    def _call(self, region, operation, **kwargs):
        try:
            return getattr(self.ec2(region), operation)(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise CloudError(str(exc)) from exc

    def create_vpc(self, region, cidr_block):
        vpc = self._call(region, "create_vpc", CidrBlock=cidr_block)["Vpc"]
        if vpc.get("OwnerId") != self.account_id:
            # moto lost our assumed-role keys (it was reset): undo, assume again, retry once.
            self._call(region, "delete_vpc", VpcId=vpc["VpcId"])
            self.forget_credentials()
            vpc = self._call(region, "create_vpc", CidrBlock=cidr_block)["Vpc"]
        self._call(region, "create_tags", Resources=[vpc["VpcId"]], Tags=[{"Key": "Name", "Value": f"atlas-{cidr_block}"}])
        return vpc["VpcId"]

    def delete_vpc(self, region, vpc_id):
        try:
            self._call(region, "delete_vpc", VpcId=vpc_id)
        except CloudError:
            pass  # already gone (moto reset): nothing left to clean up

    def request_peering(self, region, vpc_id, peer_vpc_id, peer_owner_id, peer_region):
        """CreateVpcPeeringConnection from the Atlas VPC; returns (pcx id, accepter CIDR or None)."""
        answer = self._call(region, "create_vpc_peering_connection", VpcId=vpc_id, PeerVpcId=peer_vpc_id, PeerOwnerId=peer_owner_id,
                            PeerRegion=peer_region)["VpcPeeringConnection"]
        return answer["VpcPeeringConnectionId"], answer.get("AccepterVpcInfo", {}).get("CidrBlock")

    def peering_state(self, region, pcx_id):
        """The pcx's status code ('pending-acceptance', 'active', 'rejected', 'deleted', ...) or None when AWS does not know it."""
        try:
            found = self._call(region, "describe_vpc_peering_connections", VpcPeeringConnectionIds=[pcx_id])["VpcPeeringConnections"]
        except CloudError:
            return None
        return found[0]["Status"]["Code"] if found else None

    def peering_states(self, region, pcx_ids):
        """{pcx id: status code} for the pcxs AWS knows among pcx_ids, in one call; {} when AWS cannot be asked."""
        try:
            found = self._call(region, "describe_vpc_peering_connections", VpcPeeringConnectionIds=list(pcx_ids))["VpcPeeringConnections"]
        except CloudError:
            return {}
        return {pcx["VpcPeeringConnectionId"]: pcx["Status"]["Code"] for pcx in found}

    def delete_peering(self, region, pcx_id):
        try:
            self._call(region, "delete_vpc_peering_connection", VpcPeeringConnectionId=pcx_id)
        except CloudError:
            pass  # already deleted or unknown to moto: the goal is reached either way
