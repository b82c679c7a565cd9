"""Bad input, module by module and through the role: each case fails with a message naming the input and the rule it
breaks, and nothing is written on either side (no Atlas write the simulator carried out, no AWS write through the
proxy, Atlas state and AWS state unchanged)."""

import datetime
import secrets

from rel_helpers import accepted_atlas_writes, accepted_aws_writes, host_failures, write_inventory
from support.aws import aws_client, make_vpc
from support.playbooks import playbook_env, run_playbook, run_tasks

UNKNOWN_PROJECT = "5f3a556351db42631e16f33a"


def _date(days):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def module_cases(rel, vpc_id, container_id, keys):
    """(case, module, args, task keywords, substrings the failure message must contain)."""
    project = {"project_id": rel["project_id"]}
    peer = dict(project, region="us-east-1", aws_account_id="123456789012", vpc_id=vpc_id, route_table_cidr_block="10.30.0.0/16",
                accepter_region="us-east-1", wait_for="none")
    entry = {"cidr_block": "10.30.0.0/16"}

    def wl(**fields):
        return dict(project, entries=[dict(fields)])

    no_creds = {"MONGODB_ATLAS_PUBLIC_KEY": "", "MONGODB_ATLAS_PRIVATE_KEY": ""}
    return [
        ("container /20", "atlas_container", dict(project, region="us-west-2", atlas_cidr_block="10.8.0.0/20"), {},
         ["atlas_cidr_block", "10.8.0.0/20", "/21 to /24"]),
        ("container /25", "atlas_container", dict(project, region="us-west-2", atlas_cidr_block="10.8.0.0/25"), {},
         ["atlas_cidr_block", "10.8.0.0/25", "/21 to /24"]),
        ("container non-RFC1918", "atlas_container", dict(project, region="us-west-2", atlas_cidr_block="8.8.0.0/21"), {},
         ["atlas_cidr_block", "8.8.0.0/21", "RFC 1918"]),
        ("container malformed CIDR", "atlas_container", dict(project, region="us-west-2", atlas_cidr_block="10.8.0.300/21"), {},
         ["atlas_cidr_block", "10.8.0.300/21", "CIDR notation"]),
        ("container not canonical", "atlas_container", dict(project, region="us-west-2", atlas_cidr_block="10.8.1.0/21"), {},
         ["atlas_cidr_block", "10.8.1.0/21", "canonical", "10.8.0.0/21"]),
        ("container unknown region", "atlas_container", dict(project, region="us-moon-1", atlas_cidr_block="10.8.0.0/21"), {},
         ["region", "us-moon-1", "AWS regions Atlas supports"]),
        ("container CIDR change on a locked container", "atlas_container",
         dict(project, region="us-east-1", atlas_cidr_block="192.168.0.0/21"), {}, ["192.168.0.0/21", "192.168.248.0/21"]),
        ("peering 11-digit account", "atlas_vpc_peering", dict(peer, aws_account_id="12345678901"), {},
         ["aws_account_id", "12345678901", "12 digits"]),
        ("peering bad VPC id", "atlas_vpc_peering", dict(peer, vpc_id="vpc-12xyz"), {}, ["vpc_id", "vpc-12xyz", "hex"]),
        ("peering malformed route CIDR", "atlas_vpc_peering", dict(peer, route_table_cidr_block="10.30.0.0/33"), {},
         ["route_table_cidr_block", "10.30.0.0/33", "CIDR notation"]),
        ("peering non-RFC1918 route CIDR", "atlas_vpc_peering", dict(peer, route_table_cidr_block="100.64.0.0/16"), {},
         ["route_table_cidr_block", "100.64.0.0/16", "RFC 1918"]),
        ("peering VPC CIDR overlapping the Atlas CIDR", "atlas_vpc_peering", dict(peer, route_table_cidr_block="192.168.248.0/24"), {},
         ["route_table_cidr_block", "192.168.248.0/24", "overlap", "192.168.248.0/21"]),
        ("peering unknown accepter region", "atlas_vpc_peering", dict(peer, accepter_region="mars-north-1"), {},
         ["accepter_region", "mars-north-1"]),
        ("peering unknown region", "atlas_vpc_peering", dict(peer, region="eu-nowhere-9"), {}, ["region", "eu-nowhere-9"]),
        ("peering unknown container id", "atlas_vpc_peering", dict({k: v for k, v in peer.items() if k != "region"},
                                                                   container_id="5f3a556351db42631e16f33b"), {},
         ["container_id", "5f3a556351db42631e16f33b"]),
        ("access list malformed CIDR", "atlas_access_list", wl(cidr_block="10.0.0.0/33"), {}, ["10.0.0.0/33", "CIDR"]),
        ("access list bad IP", "atlas_access_list", wl(ip_address="300.1.1.1"), {}, ["300.1.1.1", "IP address"]),
        ("access list 81-char comment", "atlas_access_list", wl(comment="c" * 81, **entry), {}, ["comment", "81 characters", "at most 80"]),
        ("access list expiry in the past", "atlas_access_list", wl(ip_address="10.1.2.3", delete_after_date=_date(-1)), {},
         ["delete_after_date", "not in the future"]),
        ("access list expiry 8 days out", "atlas_access_list", wl(ip_address="10.1.2.3", delete_after_date=_date(8)), {},
         ["delete_after_date", "more than 7 days"]),
        ("access list expiry on a SG entry", "atlas_access_list", wl(aws_security_group="sg-0123abcd", delete_after_date=_date(1)), {},
         ["delete_after_date", "security group", "sg-0123abcd"]),
        ("access list bad SG id", "atlas_access_list", wl(aws_security_group="sg-12"), {}, ["sg-12", "security group id"]),
        ("access list two addresses in one entry", "atlas_access_list", wl(ip_address="10.1.2.3", **entry), {},
         ["exactly one of", "cidr_block", "ip_address"]),
        ("access list entry without an address", "atlas_access_list", wl(comment="nothing"), {}, ["exactly one of"]),
        ("project id and name both", "atlas_container_info", dict(project, project_name=rel["project_name"]), {},
         ["mutually exclusive", "project_id", "project_name"]),
        ("project id and name neither", "atlas_container_info", {}, {}, ["project_id", "project_name"]),
        ("malformed project id", "atlas_container_info", {"project_id": "12345"}, {}, ["project_id", "12345", "24"]),
        ("unknown project id", "atlas_container_info", {"project_id": UNKNOWN_PROJECT}, {}, [UNKNOWN_PROJECT, "GROUP_NOT_FOUND", "project"]),
        ("unknown project name", "atlas_container_info", {"project_name": "no-such-project"}, {},
         ["no-such-project", "GROUP_NAME_NOT_FOUND"]),
        # Without its scheme, requests refuses the URL: it must fail at once, not be retried as an unreachable host.
        ("base URL without its scheme", "atlas_container_info", dict(project, base_url=rel["env"]["MONGODB_ATLAS_BASE_URL"].split("://", 1)[1]),
         {}, ["base_url", "https://", "name a host"]),
        ("base URL with the API path", "atlas_container_info", dict(project, base_url=rel["env"]["MONGODB_ATLAS_BASE_URL"] + "/api/atlas/v2"),
         {}, ["base_url", "/api/atlas/v2", "without it"]),
        ("timeout 0", "atlas_container_info", dict(project, timeout=0), {}, ["timeout", "0", "greater than 0"]),
        ("missing credentials", "atlas_container_info", project, {"environment": no_creds},
         ["No Atlas credentials", "MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY"]),
        ("wrong private key (401)", "atlas_container_info", project,
         {"environment": {"MONGODB_ATLAS_PRIVATE_KEY": secrets.token_hex(16)}}, ["401", "API key was not accepted", "private_key"]),
        ("caller not on the API access list (403)", "atlas_container_info", project,
         {"environment": {"MONGODB_ATLAS_PUBLIC_KEY": keys["listed"]["public_key"], "MONGODB_ATLAS_PRIVATE_KEY": keys["listed"]["private_key"]}},
         ["403", "IP_ADDRESS_NOT_ON_ACCESS_LIST", "127.0.0.1", "API access list"]),
        ("read-only key asked to write", "atlas_container", dict(project, region="us-west-2", atlas_cidr_block="10.8.0.0/21"),
         {"environment": {"MONGODB_ATLAS_PUBLIC_KEY": rel["readonly_public_key"], "MONGODB_ATLAS_PRIVATE_KEY": rel["readonly_private_key"]}},
         ["USER_UNAUTHORIZED", "Project Owner"]),
        ("routes bad destination CIDR", "vpc_peering_routes",
         {"region": "us-east-1", "endpoint_url": rel["aws_endpoint"], "vpc_id": vpc_id, "destination_cidr_block": "192.168.248.0/40",
          "vpc_peering_connection_id": "pcx-0123456789abcdef0"}, {}, ["destination_cidr_block", "192.168.248.0/40"]),
    ]


def test_module_inputs_fail_clearly_and_write_nothing(rel, tmp_path, figures):
    vpc_id, _tables = make_vpc(rel["moto"].url)
    listed = {"public_key": secrets.token_hex(4), "private_key": secrets.token_hex(16)}
    # A container that already has a peering (locked CIDR) in us-east-1, and a key whose API access list leaves us out.
    made = rel["sim"].seed({
        "api_keys": [dict(listed, roles={rel["project_name"]: "owner"}, access_list=["10.9.9.9/32"])],
        "containers": [{"project": rel["project_name"], "regionName": "US_EAST_1", "atlasCidrBlock": "192.168.248.0/21", "clusters": True}],
    })
    container_id = made["containers"][0]["id"]
    cases = module_cases(rel, vpc_id, container_id, {"listed": listed})
    tasks = [dict({"name": name, "cloudwire.atlas." + module: args, "ignore_errors": True}, **keywords)
             for name, module, args, keywords, _expect in cases]
    atlas_before = rel["sim"].state()
    ec2 = aws_client(rel["moto"].url, "ec2")
    aws_before = (ec2.describe_vpcs()["Vpcs"], ec2.describe_route_tables()["RouteTables"], ec2.describe_vpc_peering_connections()["VpcPeeringConnections"])
    rel["proxy"].clear()

    result = run_tasks(rel, tmp_path, tasks, module_defaults=False)

    problems = []
    for name, _module, _args, _keywords, expect in cases:
        outcome = result[name]
        msg = str(outcome.get("msg", ""))
        if not outcome.get("failed"):
            problems.append("%s: did not fail: %s" % (name, outcome))
        elif not all(part.lower() in msg.lower() for part in expect):
            problems.append("%s: message lacks %s: %s" % (name, [p for p in expect if p.lower() not in msg.lower()], msg))
    assert not problems, "\n".join(problems)
    assert accepted_atlas_writes(rel["sim"]) == [], accepted_atlas_writes(rel["sim"])
    assert accepted_aws_writes(rel["proxy"]) == []
    after = rel["sim"].state()
    for key in ("containers", "peerings", "access_lists"):
        assert after.get(key) == atlas_before.get(key), key
    assert (ec2.describe_vpcs()["Vpcs"], ec2.describe_route_tables()["RouteTables"],
            ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]) == aws_before
    figures.add("bad_input", module_cases=len(cases), rejected=len(cases), zero_writes=len(cases))


def role_cases(vpc_id, base_url):
    """host -> (host vars, substrings the failure (message or failed assertion) must contain)."""
    stack = {"vpc_peering_stack_name": "cloudwire-bad", "vpc_peering_vpc_cidr_block": "10.40.0.0/16",
             "vpc_peering_subnet_cidr_blocks": ["10.40.1.0/24", "10.40.2.0/24"], "vpc_peering_aws_region": "us-east-1"}
    existing = {"vpc_peering_vpc_id": vpc_id, "vpc_peering_aws_region": "us-east-1"}
    return {
        "atlas-cidr-20": (dict(existing, vpc_peering_atlas_cidr_block="192.168.240.0/20"), ["vpc_peering_atlas_cidr_block", "21"]),
        "atlas-cidr-25": (dict(existing, vpc_peering_atlas_cidr_block="192.168.248.0/25"), ["vpc_peering_atlas_cidr_block", "24"]),
        "atlas-cidr-public": (dict(existing, vpc_peering_atlas_cidr_block="172.99.0.0/24"), ["vpc_peering_atlas_cidr_block", "RFC 1918"]),
        "atlas-cidr-overlaps-vpc": (dict(stack, vpc_peering_stack_name="cloudwire-overlap", vpc_peering_vpc_cidr_block="192.168.0.0/16",
                                         vpc_peering_subnet_cidr_blocks=["192.168.1.0/24", "192.168.2.0/24"]),
                                    ["vpc_peering_atlas_cidr_block", "vpc_peering_vpc_cidr_block", "overlap"]),
        "vpc-cidr-malformed": (dict(stack, vpc_peering_stack_name="cloudwire-malformed", vpc_peering_vpc_cidr_block="10.40.0.0/40"),
                               ["vpc_peering_vpc_cidr_block", "10.40.0.0/40"]),
        "vpc-cidr-public": (dict(stack, vpc_peering_stack_name="cloudwire-public", vpc_peering_vpc_cidr_block="100.64.0.0/16",
                                 vpc_peering_subnet_cidr_blocks=["100.64.1.0/24", "100.64.2.0/24"]), ["vpc_peering_vpc_cidr_block", "RFC 1918"]),
        "account-11-digits": (dict(existing, vpc_peering_aws_account_id="12345678901"), ["vpc_peering_aws_account_id", "12"]),
        "account-not-ours": (dict(existing, vpc_peering_aws_account_id="999999999999"), ["vpc_peering_aws_account_id", "999999999999"]),
        "vpc-id-malformed": (dict(existing, vpc_peering_vpc_id="vpc-12xyz"), ["vpc_peering_vpc_id"]),
        "vpc-id-unknown": (dict(existing, vpc_peering_vpc_id="vpc-0123456789abcdef0"), ["vpc-0123456789abcdef0"]),
        "region-unknown": (dict(existing, vpc_peering_aws_region="us-moon-1"), ["us-moon-1"]),
        "project-both": (dict(existing, vpc_peering_atlas_project_id="5f3a556351db42631e16f33a"),
                         ["vpc_peering_atlas_project_id", "vpc_peering_atlas_project_name"]),
        "project-neither": (dict(existing, vpc_peering_atlas_project_name=""), ["vpc_peering_atlas_project_id", "vpc_peering_atlas_project_name"]),
        "project-unknown": (dict(existing, vpc_peering_atlas_project_name="no-such-project"), ["no-such-project", "GROUP_NAME_NOT_FOUND"]),
        "comment-81": (dict(existing, vpc_peering_access_list_comment="c" * 81), ["vpc_peering_access_list_comment", "80"]),
        "vpc-and-stack": (dict(stack, vpc_peering_vpc_id=vpc_id), ["vpc_peering_vpc_id", "vpc_peering_stack_name"]),
        "one-subnet": (dict(stack, vpc_peering_subnet_cidr_blocks=["10.40.1.0/24"]), ["vpc_peering_subnet_cidr_blocks"]),
        "sg-mode-without-sg": (dict(existing, vpc_peering_access_list_mode="security_group"), ["vpc_peering_security_group_id"]),
        "poll-seconds-0": (dict(existing, vpc_peering_poll_seconds=0), ["vpc_peering_poll_seconds", "1 or more"]),
        "base-url-without-scheme": (dict(existing, vpc_peering_atlas_base_url=base_url.split("://", 1)[1]), ["base_url", "https://"]),
    }


def test_role_inputs_fail_in_preflight_and_write_nothing(rel, tmp_path, figures):
    vpc_id, _tables = make_vpc(rel["moto"].url)
    cases = role_cases(vpc_id, rel["env"]["MONGODB_ATLAS_BASE_URL"])
    inventory = write_inventory(str(tmp_path / "bad.yml"), {host: host_vars for host, (host_vars, _expect) in cases.items()})
    rel["sim"].clear_requests()
    rel["proxy"].clear()
    atlas_before = rel["sim"].state()

    result = run_playbook(playbook_env(rel["env"]), "peer.yml", inventory=inventory)

    failures = host_failures(result)
    problems = []
    for host, (_vars, expect) in cases.items():
        if host not in failures:
            problems.append("%s: did not fail" % host)
            continue
        task, msg, assertion, loop = failures[host]
        text = " ".join((msg, assertion, loop))
        if not all(part.lower() in text.lower() for part in expect):
            problems.append("%s: failure at %r lacks %s: %s %s" % (host, task, [p for p in expect if p.lower() not in text.lower()], msg, assertion))
    writes = accepted_atlas_writes(rel["sim"])
    aws_writes = accepted_aws_writes(rel["proxy"])
    assert not problems and not writes and not aws_writes, "\n".join(problems + [str(writes), str(aws_writes)])
    after = rel["sim"].state()
    for key in ("containers", "peerings", "access_lists"):
        assert after.get(key) == atlas_before.get(key), key
    figures.add("bad_input", role_cases=len(cases), rejected=len(cases), zero_writes=len(cases))
