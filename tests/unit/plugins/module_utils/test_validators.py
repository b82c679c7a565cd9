# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""validators.py: example-based tests for the messages, property-based tests (hypothesis) for the CIDR rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudwire.atlas.plugins.module_utils import validators

NOW = datetime.datetime(2026, 11, 26, 12, 0, 0, tzinfo=datetime.timezone.utc)
PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]

ipv4_addresses = st.integers(min_value=0, max_value=2 ** 32 - 1).map(ipaddress.IPv4Address)
prefixes = st.integers(min_value=0, max_value=32)


def _in_private(network):
    return any(int(p.network_address) <= int(network.network_address) and int(network.broadcast_address) <= int(p.broadcast_address)
               for p in PRIVATE)


# -- properties ---------------------------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(ipv4_addresses, prefixes)
def test_atlas_cidr_accepts_exactly_canonical_private_21_to_24(address, prefix):
    text = "%s/%d" % (address, prefix)
    network = ipaddress.ip_network(text, strict=False)
    valid = 21 <= prefix <= 24 and _in_private(network) and str(network) == text
    if valid:
        assert validators.atlas_cidr_block(text) == text
    else:
        with pytest.raises(ValueError) as caught:
            validators.atlas_cidr_block(text)
        assert repr(text) in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PRIVATE), st.integers(min_value=21, max_value=24), st.integers(min_value=0, max_value=2 ** 32 - 1))
def test_non_canonical_private_blocks_report_their_canonical_form(private, prefix, offset):
    address = ipaddress.IPv4Address(int(private.network_address) + offset % private.num_addresses)
    text = "%s/%d" % (address, prefix)
    canonical = str(ipaddress.ip_network(text, strict=False))
    assert validators.canonical_cidr(text) == canonical
    if canonical == text:
        assert validators.atlas_cidr_block(text) == text
    else:
        with pytest.raises(ValueError, match="canonical form") as caught:
            validators.atlas_cidr_block(text)
        assert canonical in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(ipv4_addresses, prefixes, ipv4_addresses, prefixes)
def test_overlap_is_symmetric_and_matches_address_sets(a, pa, b, pb):
    cidr_a = "%s/%d" % (a, pa)
    cidr_b = "%s/%d" % (b, pb)
    net_a = ipaddress.ip_network(cidr_a, strict=False)
    net_b = ipaddress.ip_network(cidr_b, strict=False)
    expected = int(net_a.network_address) <= int(net_b.broadcast_address) and int(net_b.network_address) <= int(net_a.broadcast_address)
    assert validators.cidrs_overlap(cidr_a, cidr_b) is expected
    assert validators.cidrs_overlap(first=cidr_b, second=cidr_a) is expected
    assert validators.cidrs_overlap(cidr_a, cidr_a) is True


@settings(max_examples=300, deadline=None)
@given(ipv4_addresses, prefixes)
def test_rfc1918_matches_containment(address, prefix):
    network = ipaddress.ip_network("%s/%d" % (address, prefix), strict=False)
    assert validators.is_rfc1918(str(network)) is _in_private(network)


# -- examples -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, rule", [
    ("10.8.0.0/20", "/21 to /24"),
    ("10.8.0.0/25", "/21 to /24"),
    ("100.64.0.0/21", "RFC 1918"),
    ("172.32.0.0/21", "RFC 1918"),
    ("10.8.1.0/21", "10.8.0.0/21"),
    ("10.8.0.0", "CIDR notation"),
    ("banana/21", "CIDR notation"),
    ("fd00::/64", "IPv4"),
])
def test_atlas_cidr_messages(value, rule):
    with pytest.raises(ValueError) as caught:
        validators.atlas_cidr_block(value)
    assert rule in str(caught.value) and repr(value) in str(caught.value)


def test_route_table_cidr():
    assert validators.route_table_cidr_block("10.0.0.0/16") == "10.0.0.0/16"
    assert validators.route_table_cidr_block("192.168.10.0/28") == "192.168.10.0/28"
    with pytest.raises(ValueError, match="RFC 1918"):
        validators.route_table_cidr_block("8.8.0.0/16")
    with pytest.raises(ValueError, match="10.0.0.0/16"):
        validators.route_table_cidr_block("10.0.3.0/16")


@pytest.mark.parametrize("check, good, bad", [
    (validators.aws_account_id, ["123456789012", "000000000001", 123456789012], ["12345678901", "1234567890123", "12345678901a", "", None]),
    (validators.vpc_id, ["vpc-7b64b41e", "vpc-0123456789abcdef0"], ["vpc-123", "vpc-0123456789ABCDEF0", "vpc-0123456789abcdef", "subnet-7b64b41e"]),
    (validators.security_group_id, ["sg-903004f8", "sg-0123456789abcdef0"], ["sg-12", "sg-903004f", "vpc-903004f8", "sg-0123456789abcdefg"]),
    (validators.project_id, ["5e2211c17a3e5a48f5497de3"], ["5e2211c17a3e5a48f5497de", "5E2211C17A3E5A48F5497DE3", "shop-dev"]),
    (validators.container_id, ["5e57d85c854180642f7844bf"], ["c1", "5E57D85C854180642F7844BF", "", None]),
])
def test_ids(check, good, bad):
    for value in good:
        assert check(value) == str(value)
    for value in bad:
        with pytest.raises(ValueError) as caught:
            check(value)
        assert repr(value) in str(caught.value)


@pytest.mark.parametrize("value, rule", [
    ("2026-11-26T12:00:00Z", "not in the future"),
    ("2026-11-20T00:00:00Z", "not in the future"),
    ("2026-12-03T12:00:01Z", "more than 7 days"),
    ("next tuesday", "ISO 8601"),
])
def test_delete_after_date_refused(value, rule):
    with pytest.raises(ValueError, match=rule):
        validators.delete_after_date(value, now=NOW)


def test_id_messages_name_the_rule():
    with pytest.raises(ValueError, match="^'c1' is not an Atlas container id: it must be 24 lower-case hex digits$"):
        validators.container_id("c1")
    with pytest.raises(ValueError, match="^'12345' is not an AWS account id: it must be exactly 12 digits$"):
        validators.aws_account_id("12345")


@pytest.mark.parametrize("value", ["https://cloud.mongodb.com", "http://127.0.0.1:8080", "https://proxy.example/atlas/"])
def test_a_base_url_with_a_scheme_and_a_host_is_taken(value):
    assert validators.base_url(value) == value


@pytest.mark.parametrize("value, rule", [
    ("cloud.mongodb.com", "must start with https:// .or http://. and name a host"),
    ("ftp://cloud.mongodb.com", "must start with https://"),
    ("https://", "must start with https://"),
    ("https://cloud.mongodb.com/api/atlas/v2", "holds the API path: give the address without it"),
    ("https://cloud.mongodb.com/api/atlas/", "holds the API path"),
])
def test_a_base_url_that_requests_cannot_reach_is_refused(value, rule):
    with pytest.raises(ValueError, match="^%r .*%s" % (value, rule)):
        validators.base_url(value)


@pytest.mark.parametrize("value, shown, secret", [
    ("https://admin:s3cret-pass@cloud.mongodb.com", "https://***@cloud.mongodb.com", "s3cret-pass"),
    ("http://token-only@127.0.0.1:8080/", "http://***@127.0.0.1:8080/", "token-only"),
    ("admin:s3cret-pass@cloud.mongodb.com", "***@cloud.mongodb.com", "s3cret-pass"),
    ("https://:s3cret-pass@cloud.mongodb.com", "https://***@cloud.mongodb.com", "s3cret-pass"),
])
def test_a_base_url_with_credentials_is_refused_without_showing_them(value, shown, secret):
    assert validators.shown_url(value) == shown
    assert validators.url_credentials(value) == [secret]
    with pytest.raises(ValueError) as refused:
        validators.base_url(value)
    message = str(refused.value)
    assert message.startswith("%r holds credentials before its host: give the address alone" % shown), message
    assert secret not in message and "public_key" in message


@pytest.mark.parametrize("value", ["https://cloud.mongodb.com", "https://cloud.mongodb.com/path@not-userinfo", None, ""])
def test_a_url_without_credentials_is_shown_as_it_is(value):
    assert validators.url_credentials(value) == []
    if value:
        assert validators.shown_url(value) == value


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "30", None])
def test_a_timeout_is_a_whole_number_of_seconds_above_zero(value):
    with pytest.raises(ValueError, match="is not a timeout: it must be a whole number of seconds greater than 0$"):
        validators.timeout(value)
    assert validators.timeout(1) == 1
