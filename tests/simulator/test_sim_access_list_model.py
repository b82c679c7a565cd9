"""The access list against a reference model: random sequences of upserts (bare IPs, /32s, CIDRs, comments or none)
and deletes (URL-encoded either way) leave exactly the entries and comments the model predicts."""

import ipaddress

from hypothesis import HealthCheck, given, settings, strategies as st

ADDRESSES = ["10.0.0.1", "10.0.0.2", "192.168.1.0/24", "172.16.0.0/12", "1.2.3.4"]
entries = st.tuples(st.sampled_from(ADDRESSES), st.booleans(), st.one_of(st.none(), st.sampled_from(["a", "b", "c" * 80])))
steps = st.lists(st.one_of(st.tuples(st.just("post"), st.lists(entries, min_size=1, max_size=3, unique_by=lambda e: e[0])),
                           st.tuples(st.just("delete"), st.tuples(st.sampled_from(ADDRESSES), st.booleans(), st.booleans()))),
                 min_size=1, max_size=6)


def as_entry(address, as_cidr, comment):
    network = ipaddress.ip_network(address)
    if network.prefixlen == 32 and not as_cidr:
        entry = {"ipAddress": str(network.network_address)}
    else:
        entry = {"cidrBlock": str(network)}
    if comment is not None:
        entry["comment"] = comment
    return entry


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_access_list_matches_the_model(api, gid, sequence):
    for entry in api.get(f"/groups/{gid}/accessList").json()["results"]:
        api.delete(f"/groups/{gid}/accessList/{(entry.get('ipAddress') or entry['cidrBlock']).replace('/', '%2F')}")
    model = {}
    for action, argument in sequence:
        if action == "post":
            answer = api.post(f"/groups/{gid}/accessList", json=[as_entry(*e) for e in argument])
            assert answer.status_code == 201, answer.text  # recorded: accessList-create-1.json
            for address, _as_cidr, comment in argument:
                if address not in model or comment is not None:
                    model[address] = comment if comment is not None else model.get(address)
        else:
            address, slash_32, lower = argument
            value = address if "/" in address or not slash_32 else f"{address}/32"
            encoded = value.replace("/", "%2f" if lower else "%2F")
            answer = api.delete(f"/groups/{gid}/accessList/{encoded}")
            assert answer.status_code == (204 if address in model else 404), answer.text
            model.pop(address, None)
    listed = api.get(f"/groups/{gid}/accessList").json()["results"]
    found = {str(ipaddress.ip_network(e["cidrBlock"])).removesuffix("/32"): e.get("comment") for e in listed}
    assert found == model
    for entry in listed:
        if entry["cidrBlock"].endswith("/32"):
            assert entry["ipAddress"] == entry["cidrBlock"][:-3]
        else:
            assert "ipAddress" not in entry
