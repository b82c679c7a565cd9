"""Atlas's value rules in the simulator, checked as properties (no servers needed)."""

import ipaddress

from hypothesis import given, strategies as st

from atlas_simulator.model import entry_key, ip_allowed, is_private

ipv4 = st.integers(min_value=0, max_value=2 ** 32 - 1).map(ipaddress.IPv4Address)


@given(ipv4)
def test_a_bare_ip_and_its_slash_32_are_one_entry(ip):
    assert entry_key(str(ip)) == entry_key(f"{ip}/32") == str(ip)


@given(ipv4, st.integers(min_value=0, max_value=31))
def test_a_canonical_cidr_is_its_own_key_and_a_non_canonical_one_is_none(ip, prefix):
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    assert entry_key(str(network)) == str(network)
    if network.network_address != ip:
        assert entry_key(f"{ip}/{prefix}") is None


@given(ipv4)
def test_private_means_rfc_1918(ip):
    expected = any(ip in ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
    assert is_private(ipaddress.ip_network(f"{ip}/32")) == expected


@given(ipv4, st.lists(st.tuples(ipv4, st.integers(min_value=0, max_value=32)), max_size=4))
def test_api_access_list_empty_admits_everyone_otherwise_only_members(ip, networks):
    access_list = [str(ipaddress.ip_network(f"{n}/{p}", strict=False)) for n, p in networks]
    assert ip_allowed(str(ip), access_list) == (not access_list or any(ip in ipaddress.ip_network(a) for a in access_list))


def test_security_group_keys_are_lower_case():
    assert entry_key("SG-0123ABCD") == "sg-0123abcd"
