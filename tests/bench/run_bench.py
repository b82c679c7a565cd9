"""`make bench`: measure a converge, a no-op run and a drift check of the role against moto and the Atlas simulator, side
by side in one run, and write docs/PERFORMANCE.md.

    make bench                        # full run (about 5 min on 2 quiet cores; more when they are shared)
    make bench BENCH_ARGS=--quick     # fewer repetitions, 1 and 3 VPCs instead of 1/10/30 (smoke check)
    PYTHONPATH=tests .venv/bin/python tests/bench/run_bench.py --output /tmp/PERF.md --json /tmp/perf.json   # what make bench runs

Starts and stops its own servers (moto behind a logging proxy, the Atlas simulator) on free 127.0.0.1 ports.
"""

import argparse
import json
import os
import platform
import sys
import time

import bench_lib as lib
import report
import scenarios
from support.paths import REPO_ROOT


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller fleet (smoke check)")
    parser.add_argument("--output", default=os.path.join(REPO_ROOT, "docs", "PERFORMANCE.md"))
    parser.add_argument("--json", default=os.path.join(REPO_ROOT, ".build", "bench", "results.json"), help="raw figures")
    parser.add_argument("--only", choices=["single", "peer", "scale", "wait", "module"], action="append",
                        help="run only these sections (repeatable); the page then shows only them")
    parser.add_argument("--note", action="append", default=[], help="a line for the page's method section (repeatable)")
    parser.add_argument("--render", metavar="JSON", help="measure nothing: write the page again from a saved results file")
    parser.add_argument("--before", metavar="JSON", help="an earlier run's results, shown in a before/after table (clearly labelled)")
    return parser.parse_args(argv)


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), flush=True)


def machine():
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(), "load_at_start": load,
            "ansible": _version("ansible-core"), "moto": _version("moto"), "amazon.aws": _amazon_aws_version()}


def _version(dist):
    from importlib import metadata  # pylint: disable=import-outside-toplevel
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _amazon_aws_version():
    try:
        import ansible_collections.amazon.aws as pkg  # pylint: disable=import-outside-toplevel
        with open(os.path.join(list(pkg.__path__)[0], "MANIFEST.json"), encoding="utf-8") as handle:
            return json.load(handle)["collection_info"]["version"]
    except (ImportError, OSError, KeyError, ValueError):
        return None


def _load(path):
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        before = json.load(handle)
    before.pop("before", None)
    return before


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.render:
        with open(args.render, encoding="utf-8") as handle:
            results = json.load(handle)
        results["notes"] = results.get("notes", []) + args.note
        results["before"] = _load(args.before)
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report.render(results))
        log("wrote %s from %s" % (args.output, args.render))
        return 0
    quick = args.quick
    sections = set(args.only or ["single", "peer", "scale", "wait", "module"])
    plan = {
        "noop_runs": 2 if quick else 4,
        "check_runs": 2 if quick else 4,
        "scale": [1, 3] if quick else [1, 10, 30],
        # peer.yml against tests/bench/peer_script.py (the same chain by hand) on existing VPCs.
        "peer": [1, 2] if quick else [1, 10],
        "peer_rounds": 1 if quick else 2,
        # The same comparison on a simulator whose peerings take longer: what the role adds to the script is a fixed cost.
        "peer_slow": [1] if quick else [10],
        "peer_slow_delays": dict(initiating_delay=3.0, finalizing_delay=3.0, terminating_delay=1.0, access_list_delay=1.0) if quick else
        dict(initiating_delay=15.0, finalizing_delay=30.0, terminating_delay=1.0, access_list_delay=5.0),
        "scale_noop_runs": 1 if quick else 3,
        "pairs": 3 if quick else 8,
        "rss_runs": 1 if quick else 3,
        # (FINALIZING seconds, module poll options): the defaults, then a lower cap for a quicker answer.
        "waits": [(4, None)] if quick else [(4, None), (20, None), (12, {"poll_max_interval": 2})],
    }
    results = {"quick": quick, "plan": plan, "machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
               "notes": list(args.note), "before": _load(args.before)}
    began = time.monotonic()
    workdir = lib.tempdir("bench-")
    with lib.World() as world:
        results["delays"] = dict(world.delays)
        if "single" in sections:
            log("one VPC: converge, %d no-op runs, %d check runs (project by id)" % (plan["noop_runs"], plan["check_runs"]))
            results["single"] = scenarios.fleet(world, 1, plan["noop_runs"], plan["check_runs"])
            log("one VPC: a no-op run with project_name instead of project_id")
            results["single_by_name"] = scenarios.fleet(world, 1, 1, 0, by_project_id=False, converge=False)
        if "peer" in sections:
            log("peer.yml against a hand-written script of the chain: %s existing VPCs, %d round(s)" % (plan["peer"], plan["peer_rounds"]))
            results["peer"] = scenarios.peer_comparison(world, plan["peer"], plan["peer_rounds"])
            log("the same with longer delays %s: %s existing VPCs, one round" % (plan["peer_slow_delays"], plan["peer_slow"]))
            with lib.World(**plan["peer_slow_delays"]) as slow:
                results["peer_slow"] = {"delays": dict(slow.delays), "sizes": scenarios.peer_comparison(slow, plan["peer_slow"], 1, bounds=False)}
        if "scale" in sections:
            log("scale: converge %s VPCs, then %d interleaved round(s) of no-op runs of each size" % (plan["scale"], plan["scale_noop_runs"]))
            results["scale"] = scenarios.scale(world, plan["scale"], plan["scale_noop_runs"])
        if "wait" in sections:
            results["module_wait"] = []
            for delay, options in plan["waits"]:
                log("wait: atlas_vpc_peering wait_for=available, FINALIZING for %s s, %s" % (delay, options or "default polling"))
                results["module_wait"].append(scenarios.module_wait(world, delay, workdir, options))
        if "module" in sections:
            log("one module task against ansible.builtin.uri (%d pairs)" % plan["pairs"])
            results["module_vs_uri"] = scenarios.module_vs_uri(world, workdir, plan["pairs"])
            log("peak RSS of a module process")
            results["rss"] = scenarios.peak_rss(world, workdir, plan["rss_runs"])
    results["bench_seconds"] = time.monotonic() - began
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, default=str)
    page = report.render(results)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(page)
    log("wrote %s (%.0f s) and %s" % (args.output, results["bench_seconds"], args.json))
    for target in report.targets(results):
        log("%-8s %s" % (target["status"], target["name"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
