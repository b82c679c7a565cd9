"""Smoke test of `make bench`: the cheapest parts of its quick mode, asserting on call counts and on the structure of the
figures and of the page, never on seconds."""

import pytest

import bench_lib as lib
import report
import scenarios


@pytest.fixture(scope="module")
def world():
    with lib.World() as started:
        yield started


def test_module_against_uri(world, tmp_path):
    """One Atlas module task and one uri task each make exactly one GET; each pays one digest challenge."""
    figures = scenarios.module_vs_uri(world, str(tmp_path), pairs=1)
    for kind in ("module", "uri"):
        assert figures[kind]["calls"] == 1, figures
        assert figures[kind]["challenges"] == 1, figures
        assert figures[kind]["round_trips"] == 2, figures
        assert figures[kind]["seconds"] > 0
    assert figures["ratio"] > 0


@pytest.mark.slow
def test_noop_run_of_one_vpc_is_counted(world):
    """Converge one VPC, then one no-op run: zero writes on both sides, at most one challenge per Atlas client,
    every AWS call a read, and the page renders the figures."""
    fleet = scenarios.fleet(world, 1, noop_runs=1)
    noop = fleet["noop"]
    assert fleet["converge"]["ok"] and noop["ok"], fleet
    assert fleet["converge"]["atlas"]["writes"] > 0 and fleet["converge"]["aws"]["writes"] > 0, fleet["converge"]
    assert noop["atlas"]["writes"] == 0, noop["atlas"]["by_resource"]
    assert noop["aws"]["writes"] == 0, noop["aws"]["by_action"]
    assert noop["changed_hosts"] == 0
    assert noop["tasks"]["atlas_clients"] >= 1
    assert noop["atlas"]["challenges"] <= noop["tasks"]["atlas_clients"], noop
    assert noop["atlas"]["reads"] == noop["atlas"]["calls"] > 0
    assert all(action.split(":")[1].startswith(("Describe", "Get", "List")) for action in noop["aws"]["by_action"]), noop["aws"]
    assert set(fleet["converge"]["wait"]) <= {"connection", "available", "active"}
    results = {"quick": True, "plan": {"noop_runs": 1, "check_runs": 1, "scale_noop_runs": 1}, "machine": scenarios_machine(),
               "started": "now", "delays": dict(world.delays), "bench_seconds": 1.0,
               "single": dict(fleet, check=noop), "scale": {"1": fleet}}
    page = report.render(results)
    assert "| no-op (converged) |" in page
    names = {t["name"]: t["status"] for t in report.targets(results)}
    assert names["No-op and check run of one VPC: zero writes on either side"] == "met"
    assert names["No-op run: at most one digest challenge per Atlas client"] == "met"


def scenarios_machine():
    return {"python": "3", "cpus": 2, "platform": "x", "load_at_start": None, "ansible": "x", "moto": "x", "amazon.aws": "x"}


def test_the_slow_delay_table_sets_each_converge_beside_the_script():
    """Section 3's second table: one row per size with longer delays, then the same size at the bench's own delays; the
    ratio and the difference are computed from the two wall times."""
    def peer(hosts, script, role):
        return {"hosts": hosts, "script": {"seconds": script}, "role": {"seconds": role}}

    slow = {"delays": {"initiating_delay": 15.0, "finalizing_delay": 30.0, "access_list_delay": 5.0}, "sizes": {"10": peer(10, 47.0, 52.5)}}
    lines = report._peer_slow(slow, {"1": peer(1, 3.0, 6.0), "10": peer(10, 3.2, 9.4)})
    rows = [line for line in lines if line.startswith("| 10 |")]
    assert rows == ["| 10 | INITIATING 15 s, FINALIZING 30 s | 47.0 | 52.5 | 1.12x | 5.5 |",
                    "| 10 | 1 s, 1 s (the table above) | 3.2 | 9.4 | 2.94x | 6.2 |"], lines
