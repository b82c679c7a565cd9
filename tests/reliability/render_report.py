"""Render the figures of the last reliability run (tests/output/reliability/summary.json, written by the suite) into the
table of docs/RELIABILITY.md, between the `figures` markers.

    .venv/bin/python -m pytest tests/reliability && PYTHONPATH=tests .venv/bin/python tests/reliability/render_report.py [--check]
"""

import argparse
import json
import os
import sys

from support.paths import OUTPUT_DIR, REPO_ROOT

SUMMARY = os.path.join(OUTPUT_DIR, "reliability", "summary.json")
DOC = os.path.join(REPO_ROOT, "docs", "RELIABILITY.md")
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def table(summary):
    fig = summary["figures"]

    def get(category, key):
        return fig.get(category, {}).get(key, 0)

    bad_cases = get("bad_input", "module_cases") + get("bad_input", "role_cases")
    rows = [
        ("faults injected (Atlas / AWS)", "%d (%d / %d)" % (get("faults", "injected"), get("faults", "atlas"), get("faults", "aws"))),
        ("faults survived by a converging run", "%d, in %d runs, nothing duplicated" % (get("faults", "survived"), get("faults", "runs"))),
        ("faults outlasting the deadline: failed with a clear message, then a rerun converged",
         "%d / %d / %d" % (get("faults", "outlasting_deadline"), get("faults", "failed_clearly"), get("faults", "rerun_converged"))),
        ("interruptions (SIGKILL at a phase boundary) survived", "%d of %d (%s)" % (
            get("interrupts", "survived"), get("interrupts", "killed_runs"), ", ".join(fig.get("interrupts", {}).get("boundaries", [])))),
        ("bad inputs rejected with zero writes (modules + role)", "%d of %d (%d + %d)" % (
            get("bad_input", "zero_writes"), bad_cases, get("bad_input", "module_cases"), get("bad_input", "role_cases"))),
        ("secret hits in output and artifacts", "%d (%d runs, %d secrets, %d artifact files, %d bytes of output)" % (
            get("secrets", "hits"), get("secrets", "runs"), get("secrets", "secrets_searched"), get("secrets", "artifact_files"),
            get("secrets", "output_bytes"))),
        ("TLS: self-signed certificate refused by default / accepted with the CA bundle / with validate_certs=false",
         "%d / %d / %d" % (get("tls", "refused_by_default"), get("tls", "accepted_with_ca_bundle"), get("tls", "accepted_with_validate_certs_false"))),
        ("concurrency: environments at once on one project, rounds; lost / duplicated entries, duplicated peerings",
         "%d, %d; %d / %d, %d" % (get("concurrency", "processes_at_once"), get("concurrency", "rounds"), get("concurrency", "lost_entries"),
                                  get("concurrency", "duplicated_entries"), get("concurrency", "duplicated_peerings"))),
        ("least privilege: jobs proven with the documented policies; writes refused to the read-only credentials",
         "%d; %d" % (get("least_privilege", "jobs_proven"), get("least_privilege", "writes_refused"))),
        ("tests passed / failed, time in tests", "%d / %d, %.0f s" % (summary["passed"], summary["failed"], summary["seconds"])),
    ]
    lines = ["Last run: %s UTC (`tests/output/reliability/summary.json`)." % summary["finished"].replace("T", " ").rstrip("Z"), "",
             "| figure | last run |", "|---|---|"]
    lines += ["| %s | %s |" % row for row in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc is not what the summary renders to")
    args = parser.parse_args(argv)
    with open(SUMMARY, encoding="utf-8") as handle:
        summary = json.load(handle)
    with open(DOC, encoding="utf-8") as handle:
        doc = handle.read()
    head, rest = doc.split(START, 1)
    _old, tail = rest.split(END, 1)
    new = "%s%s\n%s\n%s%s" % (head, START, table(summary), END, tail)
    if args.check:
        return 0 if new == doc else 1
    with open(DOC, "w", encoding="utf-8") as handle:
        handle.write(new)
    print("docs/RELIABILITY.md: figures of the run finished %s" % summary["finished"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
