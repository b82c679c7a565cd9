"""Turn the figures of run_bench.py into docs/PERFORMANCE.md, and judge each target of issue 8 (met / not met)."""

ROLE_POLL_SECONDS = 1  # vpc_peering_poll_seconds in the bench inventory (as in inventories/local)


def _f(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return ("%%.%df" % digits) % value
    return str(value)


def _actions(counter, prefix=""):
    return ", ".join("%s %s" % (k.replace(prefix, ""), v) for k, v in sorted(counter.items())) or "none"


def _short_action(name):
    return name.replace("cloudwire.atlas.", "").replace("amazon.aws.", "aws.")


# ---- targets ------------------------------------------------------------------------------------------------------
def targets(res):
    out = []

    def add(name, met, figure, why=""):
        out.append({"name": name, "status": "n/a" if met is None else ("met" if met else "not met"), "figure": figure, "why": why})

    single = res.get("single")
    if single:
        noop = single["noop"]
        check = single["check"]
        writes = noop["atlas"]["writes"] + noop["aws"]["writes"] + check["atlas"]["writes"] + check["aws"]["writes"]
        counts = (noop["atlas"]["writes"], check["atlas"]["writes"], noop["aws"]["writes"], check["aws"]["writes"])
        add("No-op and check run of one VPC: zero writes on either side", writes == 0,
            "Atlas writes %d / %d, AWS writes %d / %d (no-op / check)" % counts)
        worst = max(noop["atlas"]["max_reads_of_one_resource_per_host"], check["atlas"]["max_reads_of_one_resource_per_host"])
        repeated = sorted(k for k, v in noop["atlas"]["by_resource"].items() if v > 1)
        add("No-op run: each Atlas resource read at most once", worst <= 1,
            "most reads of one resource: %d (%s)" % (worst, ", ".join(repeated) or "none repeated"),
            "" if worst <= 1 else "a resource is read by more than one module process; see below")
        per_client = noop["atlas"]["challenges_per_client"]
        add("No-op run: at most one digest challenge per Atlas client", per_client is not None and per_client <= 1,
            "%s challenge(s) per Atlas client (%d challenges, %d clients, %d calls)" % (
                _f(per_client, 2), noop["atlas"]["challenges"], noop["tasks"]["atlas_clients"], noop["atlas"]["calls"]))
    for key, peer in sorted((res.get("peer") or {}).items(), key=lambda kv: int(kv[0])):
        hosts = peer["hosts"]
        ratios = peer_ratios(peer)
        wall_limit = 3.0 if hosts == 1 else 2.0
        add("Converge of %d existing VPC(s): Atlas calls at most 1.5x the script's" % hosts, ratios["atlas"] <= 1.5,
            "%.2fx (%d vs %d)" % (ratios["atlas"], peer["role"]["atlas"]["calls"], peer["script"]["atlas"]["calls"]))
        add("Converge of %d existing VPC(s): AWS calls at most 2x the script's" % hosts, ratios["aws"] <= 2.0,
            "%.2fx (%d vs %d)" % (ratios["aws"], peer["role"]["aws"]["calls"], peer["script"]["aws"]["calls"]))
        why = ""
        if ratios["seconds"] > wall_limit and ratios["shape"]:
            why = ("the converge's tasks with nothing to do in them take %.2fx the script by themselves (section 3, shape); see the "
                   "notes" % ratios["shape"])
        add("Converge of %d existing VPC(s): wall time at most %gx the script's" % (hosts, wall_limit), ratios["seconds"] <= wall_limit,
            "%.2fx (%s s vs %s s)" % (ratios["seconds"], _f(peer["role"]["seconds"]), _f(peer["script"]["seconds"])), why)
    scale = res.get("scale") or {}
    sizes = sorted(int(k) for k in scale)
    if len(sizes) > 1:
        small, big = scale[str(sizes[0])]["noop"], scale[str(sizes[-1])]["noop"]
        ratio = big["seconds"] / small["seconds"]
        add("%d VPCs no-op: wall time at most 8x that of %d VPC" % (sizes[-1], sizes[0]), ratio <= 8.0 if sizes[-1] >= 30 else None,
            "%.1fx (%s s vs %s s)" % (ratio, _f(big["seconds"]), _f(small["seconds"])),
            ("the per-VPC tasks are CPU-bound on 2 shared cores; see below" if ratio > 8.0 else "") if sizes[-1] >= 30
            else "quick mode: no 30-VPC fleet")
        per_vpc = {n: (scale[str(n)]["noop"]["atlas"]["calls"] / n, scale[str(n)]["noop"]["aws"]["calls"] / n) for n in sizes}
        base_atlas, base_aws = per_vpc[sizes[0]]
        flat = all(a <= base_atlas + 1e-9 and w <= base_aws + 1e-9 for a, w in per_vpc.values())
        add("No-op: Atlas and AWS calls per VPC constant (no per-VPC re-listing)", flat,
            "; ".join("%d VPC: %s Atlas + %s AWS" % (n, _f(a, 2), _f(w, 2)) for n, (a, w) in per_vpc.items()),
            "the Atlas lists (containers, peerings, access list) are read once per project and run, not per VPC, so Atlas calls "
            "per VPC fall as the fleet grows; AWS calls per VPC stay the same (the sts call is once per group)" if flat else
            "calls per VPC grow with the fleet")
    waits = res.get("module_wait") or []
    role_wait = ((res.get("single") or {}).get("converge") or {}).get("wait") or {}
    if waits or role_wait:
        worst = []
        for wait in waits:
            worst.append(wait["latency"] - wait["last_interval"])
        for state in role_wait.values():
            worst.append(state["latency"] - ROLE_POLL_SECONDS)
        add("Wait latency at most the current poll interval + 1 s", max(worst) <= 1.0,
            "worst excess over the interval: %.1f s" % max(worst),
            "" if max(worst) <= 1.0 else "the role's waits are loops of module tasks: each poll also pays a task's start-up")
    defaults = [w for w in waits if not w.get("poll_options")]
    if defaults:
        longest = max(max(w["intervals"] or [0]) for w in defaults)
        add("Polling backs off to at most 15 s by default (configurable)", longest <= 15.0 + 0.5,
            "module waits: intervals up to %.1f s (x1.5 from 1 s; options poll_interval / poll_max_interval)" % longest,
            "the role's own waits poll at a fixed vpc_peering_poll_seconds (default 10 s, 1 s in the bench) so that each poll "
            "prints its status; no backoff there")
    if res.get("module_vs_uri"):
        ratio = res["module_vs_uri"]["ratio"]
        add("One module task within 1.3x of an ansible.builtin.uri task doing the same GET", ratio <= 1.3, "%.2fx" % ratio)
    if res.get("rss"):
        atlas = [v["max_mib"] for k, v in res["rss"].items() if k.startswith("cloudwire.atlas.")]
        add("Peak RSS of a module process under 80 MB", bool(atlas) and max(atlas) * 1.048576 < 80.0,
            "; ".join("%s %s MiB (%s MB)" % (_short_action(k), _f(v["max_mib"]), _f(v["max_mib"] * 1.048576 if v["max_mib"] else None))
                      for k, v in res["rss"].items()))
    return out


def peer_ratios(peer):
    role, script = peer["role"], peer["script"]
    # Results saved before the bench ran preflight_then_script.yml have no floor.
    floor = (peer.get("preflight_then_script") or {}).get("seconds")
    shape = (peer.get("shape") or {}).get("seconds")
    return {"seconds": role["seconds"] / script["seconds"], "atlas": role["atlas"]["calls"] / max(script["atlas"]["calls"], 1),
            "aws": role["aws"]["calls"] / max(script["aws"]["calls"], 1), "floor": floor / script["seconds"] if floor else None,
            "shape": shape / script["seconds"] if shape else None}


def _peer(peer_results):
    lines = ["## 3. peer.yml against a hand-written script of the same chain", "",
             "`tests/bench/peer_script.py` does the chain this collection replaces the way a platform team writes it: requests "
             "with digest auth and boto3, one thread per VPC, polling every second (like the role with "
             "`vpc_peering_poll_seconds: 1`). Both start from the same state, on the same servers and delays: N existing VPCs "
             "(two subnets with their own route tables, three tables with the main one, DNS hostnames off), an empty Atlas project. "
             "Calls exclude digest challenges (shown apart). *Shape, no work* is `tests/bench/converge_shape.yml` on the same "
             "inventory: the converge's tasks with nothing to do in them (the three steps started with no VPC, the per-host "
             "tasks, a 2 s pause for the AWS step's two waits), the least a converge built this way takes here. *Preflight, then the script* "
             "is `tests/bench/preflight_then_script.yml`: the role's own preflight (the read and plan of every VPC), then the script "
             "as the apply step (a process of its own, its start and imports included) and one check and report per host, from "
             "the same start. It was the floor of the role's design when the steps were module processes; the role's own steps now "
             "take less than the script does after the preflight (they neither start a process nor read again what the plan "
             "read).", "",
             "| VPCs | script s | peer.yml s | ratio | shape, no work s | preflight, then the script s (ratio) | script Atlas calls "
             "(challenges) | peer.yml Atlas calls (challenges) | ratio | script AWS calls | peer.yml AWS calls | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, peer in sorted(peer_results.items(), key=lambda kv: int(kv[0])):
        ratios = peer_ratios(peer)
        role, script = peer["role"], peer["script"]
        lines.append("| %d | %s | %s | %.2fx | %s | %s | %d (%d) | %d (%d) | %.2fx | %d | %d | %.2fx |" % (
            peer["hosts"], _f(script["seconds"]), _f(role["seconds"]), ratios["seconds"],
            _f(peer["shape"]["seconds"]) if peer.get("shape") else "-",
            "%s (%.2fx)" % (_f(peer["preflight_then_script"]["seconds"]), ratios["floor"]) if ratios["floor"] else "-",
            script["atlas"]["calls"],
            script["atlas"]["challenges"], role["atlas"]["calls"], role["atlas"]["challenges"], ratios["atlas"],
            script["aws"]["calls"], role["aws"]["calls"], ratios["aws"]))
    lines.append("")
    for key, peer in sorted(peer_results.items(), key=lambda kv: int(kv[0])):
        role, script = peer["role"], peer["script"]
        lines.append("* **%s VPC(s)**, wall times (s): script %s, peer.yml %s, shape with no work %s, preflight then the script %s." % (
            key, script["all_seconds"], role["all_seconds"], (peer.get("shape") or {}).get("all_seconds", "-"),
            (peer.get("preflight_then_script") or {}).get("all_seconds", "-")))
        lines.append("  Atlas calls, script: %s." % _actions(script["atlas"]["by_resource"]))
        lines.append("  Atlas calls, peer.yml: %s." % _actions(role["atlas"]["by_resource"]))
        lines.append("  AWS calls, script: %s." % _actions(script["aws"]["by_action"]))
        lines.append("  AWS calls, peer.yml: %s." % _actions(role["aws"]["by_action"]))
        lines.append("  peer.yml tasks executed / module processes per VPC: %s / %s (%s)." % (
            _f(role["tasks"]["tasks_per_host"], 1), _f(role["tasks"]["module_processes_per_host"], 2),
            _actions(dict((_short_action(k), v) for k, v in role["tasks"]["by_action"].items()))))
    lines.append("")
    return lines


def _peer_slow(slow, fast):
    """The comparison again on a simulator whose peerings take longer; the difference column beside the one at 1 s delays."""
    delays = slow["delays"]
    lines = ["### The same with longer Atlas delays", "",
             "peer.yml and the script again, on a second set of servers whose simulator takes %s s to request the AWS connection "
             "(INITIATING), %s s from the acceptance to AVAILABLE (FINALIZING) and %s s to make an access-list entry ACTIVE; both "
             "still poll every second. What the role adds to the script, its preflight and tasks, does not grow with the delays; "
             "the ratio falls as they grow." % (_f(delays["initiating_delay"], 0), _f(delays["finalizing_delay"], 0),
                                                _f(delays["access_list_delay"], 0)), "",
             "| VPCs | delays | script s | peer.yml s | ratio | peer.yml minus script s |", "|---|---|---|---|---|---|"]
    rows = [(peer, "INITIATING %s s, FINALIZING %s s" % (_f(delays["initiating_delay"], 0), _f(delays["finalizing_delay"], 0)))
            for peer in slow["sizes"].values()]
    rows += [(peer, "1 s, 1 s (the table above)") for key, peer in sorted(fast.items(), key=lambda kv: int(kv[0])) if key in slow["sizes"]]
    for peer, label in rows:
        role, script = peer["role"], peer["script"]
        lines.append("| %d | %s | %s | %s | %.2fx | %s |" % (
            peer["hosts"], label, _f(script["seconds"]), _f(role["seconds"]), role["seconds"] / script["seconds"],
            _f(role["seconds"] - script["seconds"])))
    lines.append("")
    return lines


# ---- the page -----------------------------------------------------------------------------------------------------
def _run_row(label, fig):
    atlas, aws, tasks = fig["atlas"], fig["aws"], fig["tasks"]
    return "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        label, _f(fig["seconds"]), _f(tasks["tasks_per_host"], 0), _f(tasks["module_processes_per_host"], 0),
        "%s Atlas + %s boto3" % (_f(tasks["atlas_processes_per_host"], 0), _f(tasks["boto3_processes_per_host"], 0)),
        atlas["reads"], atlas["writes"], atlas["challenges"], _f(atlas["round_trips_per_call"], 2), aws["calls"], aws["writes"])


RUN_HEADER = ("| run | wall s (median) | tasks executed | module processes | of which | Atlas reads | Atlas writes | digest challenges "
              "| HTTP round trips per Atlas call | AWS calls | AWS writes |\n|---|---|---|---|---|---|---|---|---|---|---|")


def render(res):
    lines = ["# Performance", "",
             "Generated by `make bench` (`tests/bench/run_bench.py%s`) on %s; do not edit by hand." % (
                 " --quick" if res["quick"] else "", res["started"]), ""]
    lines += _method(res)
    lines += ["## Targets", "", "| target | status | measured | why |", "|---|---|---|---|"]
    for target in targets(res):
        lines.append("| %s | **%s** | %s | %s |" % (target["name"], target["status"], target["figure"], target["why"]))
    lines.append("")
    if res.get("before"):
        lines += _before_after(res["before"], res)
    if res.get("single"):
        lines += _single(res)
    if res.get("peer"):
        lines += _peer(res["peer"])
    if res.get("peer_slow"):
        lines += _peer_slow(res["peer_slow"], res.get("peer") or {})
    if res.get("scale"):
        lines += _scale(res["scale"])
    if res.get("module_wait") or (res.get("single") or {}).get("converge"):
        lines += _waits(res)
    if res.get("module_vs_uri"):
        lines += _module(res)
    lines += _notes()
    return "\n".join(lines) + "\n"


def _method(res):
    mach = res["machine"]
    plan = res["plan"]
    return [
        "## Method and machine", "",
        "* Machine: %s CPU(s), Python %s, ansible-core %s, amazon.aws %s, moto %s; load average at start %s. Other people's "
        "test runs share these cores, so absolute seconds wander between runs; compare the ratios and the counts." % (
            mach["cpus"], mach["python"], mach["ansible"], mach["amazon.aws"], mach["moto"],
            ", ".join("%.1f" % v for v in mach["load_at_start"]) if mach["load_at_start"] else "n/a"),
        "* Servers, all started by the bench on free 127.0.0.1 ports: moto server (through `hack/moto_server.py`), the logging "
        "proxy `tests/support/fault_proxy.py` in front of it (the run's AWS calls by Action), the Atlas simulator with "
        "delays %s s (its request log: every Atlas call, with `challenge` for digest 401s)." % (
            ", ".join("%s %s" % (k.replace("_delay", ""), v) for k, v in res["delays"].items())),
        "* Runs: the real `ansible-playbook playbooks/peer.yml` with `--forks 10`, on a generated inventory of N VPCs built by the "
        "role's CloudFormation stack in us-east-1 (one Atlas container), `vpc_peering_poll_seconds: 1`, the project given by id "
        "(plus one run by name). Wall time is the median of %d no-op and %d check runs of one VPC, %d no-op run(s) per fleet "
        "size; a converge is run once per fleet size (it starts from empty clouds). The scale section's no-op runs all use the "
        "converged largest inventory, limited (`--limit`) to its first N hosts, in interleaved rounds (1, 10, 30, 1, 10, 30...) "
        "so that the machine's other load falls on every size alike. Task figures come from the `ansible.posix.json` "
        "callback: *tasks executed* are tasks not skipped on a host, *module processes* count each loop item and leave out "
        "controller-side actions (assert, set_fact, debug, include)." % (plan["noop_runs"], plan["check_runs"], plan["scale_noop_runs"]),
        "* Raw figures: `.build/bench/results.json`. Whole bench: %.0f s." % res["bench_seconds"]] + [
        "* %s" % note for note in res.get("notes", [])] + [""]


def _key_figures(res):
    """(label, value) of the figures a role change moves, for a before/after table."""
    rows = []
    single = res.get("single") or {}
    for run in ("noop", "check"):
        fig = single.get(run)
        if fig:
            name = "no-op" if run == "noop" else "check"
            rows += [("%s: wall s (median)" % name, _f(fig["seconds"])),
                     ("%s: tasks executed / module processes" % name,
                      "%s / %s" % (_f(fig["tasks"]["tasks_per_host"], 0), _f(fig["tasks"]["module_processes_per_host"], 0))),
                     ("%s: Atlas + boto3 processes" % name,
                      "%s + %s" % (_f(fig["tasks"]["atlas_processes_per_host"], 0), _f(fig["tasks"]["boto3_processes_per_host"], 0))),
                     ("%s: Atlas reads / challenges" % name, "%s / %s" % (fig["atlas"]["reads"], fig["atlas"]["challenges"])),
                     ("%s: AWS calls" % name, str(fig["aws"]["calls"]))]
    scale = res.get("scale") or {}
    sizes = sorted(int(k) for k in scale)
    if len(sizes) > 1:
        small, big = scale[str(sizes[0])]["noop"]["seconds"], scale[str(sizes[-1])]["noop"]["seconds"]
        rows += [("%d VPCs no-op: wall s" % sizes[-1], _f(big)), ("%d VPCs no-op vs %d" % (sizes[-1], sizes[0]), "%.1fx" % (big / small))]
    return rows


def _before_after(before, after):
    old = dict(_key_figures(before))
    lines = ["## Before and after the role changes", "",
             "The *before* column is an earlier full run (%s, the role as it was in the checkout then, before the performance commits "
             "to roles/); *after* is this run. Different runs on a shared machine: compare counts exactly, seconds only roughly."
             % before.get("started", "?"), "",
             "| figure | before | after |", "|---|---|---|"]
    for label, value in _key_figures(after):
        lines.append("| %s | %s | %s |" % (label, old.get(label, "n/a"), value))
    lines.append("")
    return lines


def _single(res):
    single = res["single"]
    lines = ["## 1-2. One VPC: converge, no-op, drift check", "", RUN_HEADER]
    lines.append(_run_row("converge (empty clouds)", single["converge"]))
    lines.append(_run_row("no-op (converged)", single["noop"]))
    lines.append(_run_row("drift check `--check --diff`", single["check"]))
    if res.get("single_by_name"):
        lines.append(_run_row("no-op, `project_name` instead of id", res["single_by_name"]["noop"]))
    lines += ["", "Wall time of each run (s): no-op %s; check %s." % (single["noop"]["all_seconds"], single["check"]["all_seconds"]), ""]
    for label, fig in (("no-op", single["noop"]), ("check", single["check"]), ("converge", single["converge"])):
        lines.append("* **%s**, Atlas calls by resource: %s." % (label, _actions(fig["atlas"]["by_resource"])))
        lines.append("  AWS calls by action: %s." % _actions(fig["aws"]["by_action"]))
        lines.append("  Module processes by module: %s." % ", ".join(
            "%s %s" % (_short_action(k), v) for k, v in sorted(fig["tasks"]["by_action"].items())))
    if res.get("single_by_name"):
        fig = res["single_by_name"]["noop"]
        lines.append("* **no-op by project name**, Atlas calls by resource: %s (each Atlas client resolves the name "
                     "once)." % _actions(fig["atlas"]["by_resource"]))
    lines.append("")
    return lines


def _scale(scale):
    lines = ["## 4. Scale: N VPCs in one inventory (forks 10)", "",
             "| VPCs | converge wall s | no-op wall s | no-op vs 1 VPC | no-op s per VPC | Atlas calls per VPC (no-op) | "
             "challenges per VPC | AWS calls per VPC (no-op) | converge Atlas calls per VPC | converge AWS calls per VPC |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    sizes = sorted(int(k) for k in scale)
    base = scale[str(sizes[0])]["noop"]["seconds"]
    for n in sizes:
        entry = scale[str(n)]
        noop, conv = entry["noop"], entry["converge"]
        lines.append("| %d | %s | %s | %.1fx | %s | %s | %s | %s | %s | %s |" % (
            n, _f(conv["seconds"]), _f(noop["seconds"]), noop["seconds"] / base, _f(noop["seconds"] / n, 2),
            _f(noop["atlas"]["calls"] / n, 2), _f(noop["atlas"]["challenges"] / n, 2), _f(noop["aws"]["calls"] / n, 2),
            _f(conv["atlas"]["calls"] / n, 2), _f(conv["aws"]["calls"] / n, 2)))
    lines += ["", "No-op Atlas calls by resource at the largest size: %s." % _actions(scale[str(sizes[-1])]["noop"]["atlas"]["by_resource"]), ""]
    return lines


def _waits(res):
    lines = ["## 4. Wait latency", "",
             "Time from the simulator reaching the state to the waiting task returning (negative = the task returned before "
             "the computed moment, within the clock resolution of the logs).", "",
             "| waiter | state | FINALIZING/PENDING s | latency s | polls | last poll interval s |", "|---|---|---|---|---|---|"]
    role_wait = ((res.get("single") or {}).get("converge") or {}).get("wait") or {}
    names = {"connection": "PENDING_ACCEPTANCE (pcx- known)", "available": "AVAILABLE", "active": "access list ACTIVE"}
    delays = res["delays"]
    delay_of = {"connection": delays["initiating_delay"], "available": delays["finalizing_delay"], "active": delays["access_list_delay"]}
    for state, wait in role_wait.items():
        waiter = "role (`vpc_peering_poll_seconds: 1`)"
        interval = ROLE_POLL_SECONDS if state != "active" else "n/a"
        lines.append("| %s | %s | %s | %s | %s | %s |" % (waiter, names[state], delay_of[state], _f(wait["latency"]), wait["polls"], interval))
    for wait in res.get("module_wait") or []:
        options = ", ".join("`%s: %s`" % item for item in sorted(wait.get("poll_options", {}).items())) or "default polling"
        lines.append("| atlas_vpc_peering `wait_for: available` (%s) | AVAILABLE | %s | %s | %d | %s |" % (
            options, wait["finalizing_delay"], _f(wait["latency"]), wait["polls"], _f(wait["last_interval"])))
    lines.append("")
    for wait in res.get("module_wait") or []:
        lines.append("* module, FINALIZING %s s, %s: poll intervals %s s." % (
            wait["finalizing_delay"], wait.get("poll_options") or "defaults", wait["intervals"]))
    lines.append("")
    return lines


def _module(res):
    cmp_ = res["module_vs_uri"]
    lines = ["## 5. One module task against `ansible.builtin.uri`, and memory", "",
             "Interleaved pairs of tasks in one play: `cloudwire.atlas.atlas_container_info` (region given, project by id) and "
             "`ansible.builtin.uri` doing the same single GET of the project's containers with digest auth.", "",
             "| task | median s per task | Atlas calls | digest challenges | HTTP round trips |", "|---|---|---|---|---|"]
    for kind, label in (("module", "atlas_container_info"), ("uri", "ansible.builtin.uri (open_url)")):
        lines.append("| %s | %s | %s | %s | %s |" % (label, _f(cmp_[kind]["seconds"], 3), cmp_[kind]["calls"], cmp_[kind]["challenges"],
                                                     cmp_[kind]["round_trips"]))
    lines += ["", "Ratio module / uri: **%.2fx** (per-task seconds: module %s, uri %s)." % (
        cmp_["ratio"], cmp_["module"]["all_seconds"], cmp_["uri"]["all_seconds"]), ""]
    lines += ["Digest challenges side by side: this collection's client (one `requests.Session`) pays one challenge per module "
              "process and then reuses the nonce, so a module making k calls does k + 1 round trips; a module built on "
              "`fetch_url`/`open_url` (like `uri`) pays one challenge per call, 2k round trips. In the no-op run above that is "
              "%s round trips instead of %s." % (_noop_trips(res)), ""]
    if res.get("rss"):
        lines += ["Peak RSS of one module process (the AnsiballZ payload runs the module in its own Python process; measured by "
                  "starting it through a wrapper interpreter that reads `RUSAGE_CHILDREN`):", "",
                  "| module | peak RSS MiB |", "|---|---|"]
        for kind, value in res["rss"].items():
            lines.append("| %s | %s |" % (kind, _f(value["max_mib"])))
        lines.append("")
    return lines


def _noop_trips(res):
    single = res.get("single")
    if not single:
        return ("n/a", "n/a")
    atlas = single["noop"]["atlas"]
    return (atlas["round_trips"], 2 * atlas["calls"])


def _notes():
    return ["## What was changed for speed, and what is left", "", NOTES.strip(), ""]


# Kept by hand: what the figures above led to. The figures themselves are always the ones of this run.
NOTES = """
How the role is built now (issue 13, plan then apply), and what that does to the figures above:

* **One plan, made once.** `cloudwire.atlas.vpc_peering_plan` reads both clouds once per AWS account, region and Atlas
  project (one DescribeVpcs and one DescribeRouteTables for all the VPCs, the DNS attributes side by side, the caller
  identity only when a VPC does not exist yet; each Atlas list once) and plans every VPC in `plugins/module_utils/plan.py`:
  findings, problems, the ordered actions with their ids. A no-op or a drift check is the plan and the report; nothing else
  runs.
* **Every step on the controller.** The plan, the Atlas step (`vpc_peering_atlas`: the container, every access-list entry
  in one POST, the peering requests) and the AWS step (`vpc_peering_aws`: acceptances, routes, DNS through amazon.aws's EC2
  helpers, the VPCs side by side) are action plugins, run in ansible-playbook's worker process; a converge of existing VPCs
  starts no module process at all (`amazon.aws.cloudformation` runs per host only where a stack is to be deployed). No write
  step re-reads what the plan read. The plan as a module process spent about 0.8 s building, unpacking and importing its
  payload before its first read; on the controller its task takes about 0.55 s for 10 VPCs, reads included.
  ansible-playbook imports the plan's code (amazon.aws's EC2 helpers, botocore) once, when it loads the action (0.16 s,
  between the tasks), and the workers it forks afterwards start with it. Four interleaved rounds of a converge of 10
  existing VPCs: median 7.78 s as a module, 6.29 s on the controller (the script 3.23 s).
* **The waits inside the AWS step.** The step polls each VPC's peering (one GET of that one peering, from one thread of the
  worker process, one Atlas session) until Atlas gives its `pcx-` id, the first poll one `vpc_peering_poll_seconds` after the
  Atlas step requested it; accepts that connection at once, routes and turns on DNS (a pool of threads); then polls until
  AVAILABLE, the first poll one interval after the VPC's writes, and in the same polls its access-list entry until ACTIVE
  when nothing is added between (the plan folds the two waits). Each poll's status is printed as it is made and recorded in
  the step's result. Its EC2 client is made while the first poll is still an interval away.
* **A task goes only where it is needed.** Ansible runs each task on every host, a skipped one too: a worker process and the
  host's variables each time, about 0.12 to 0.15 s a task on 10 hosts here. A shared step needed by one group only (one AWS
  account, region and Atlas project: the usual case) is sent to its first host alone, and a task that no host needs (the
  role assumption, the stack, the phases after AVAILABLE, the whole apply in a run in sync or a check run) is skipped once
  for the play: `run_once` decided in the controller from the run's index (filters `vpc_peering_runs_once`,
  `vpc_peering_assuming`; the index's `planned`, every action some host's plan has). Four interleaved rounds, 10 VPCs:
  median 6.29 s before, 5.72 s after. A no-op of one VPC went from 2.0 s to 1.5 s with the two changes.
* **Bookkeeping once per run.** After the plan, one `run_once` task indexes the run (filter `vpc_peering_index`: each
  host's plan, for each shared step the hosts it runs for, and every planned action); every host reads its own copy. The
  role's filters read each host's variables once per worker process (a `hostvars[host]` read recomputes every variable of
  that host) and import nothing but `ids.py`. A broken input is one of the plan's problems, so preflight ends in one check
  per host.

What is left:

* Where a converge of 10 existing VPCs spends its time now (ansible.posix.json task times, medians of three rounds in which
  the converge took 5.7 s and the script about 3.2 s): ansible-playbook's start 0.5 s and exit 0.25 s; the argument check
  0.17 s, each host's wants 0.37 s; the grouping and the skipped assumption 0.04 s; loading the plan's code 0.16 s and the
  plan 0.53 s; the index, the per-host check and the include 0.34 s; the Atlas step 0.17 s (its requests) and its per-host
  check 0.21 s (while the simulator's 1 s INITIATING runs); the AWS step 2.36 s (the two waits, one acceptance, three routes
  and a DNS change per VPC); its check 0.19 s, the report 0.18 s and the summary 0.07 s. The script pays the two 1 s delays,
  its start and its calls, nothing else.
* The per-host tasks that remain each keep a promise: the argument check, each host's wants (its input rules), the check of
  the plan's problems (each host's own failure before any write), the include (a no-op skips every phase), the checks after
  each step (each host's own failure and change in the recap) and the report (each host's findings as facts, for AWX).
* Tried and not kept, each measured against the same code without it:
  * importing the role's filters in ansible-playbook before it forks (each worker then skips compiling them: 12 loads of the
    filter file in a converge instead of 66): no measurable difference in six interleaved rounds;
  * one Jinja expression for the wants instead of a YAML mapping of one-line templates: about 0.1 s, and it reads worse;
  * the wants without the input rules: 0.05 s less, and bad input would reach the plan.
* The waits poll at a fixed `vpc_peering_poll_seconds` so that each poll prints its status (default 10 s; 1 s here).
* The wait for the `pcx-` id and the wait for AVAILABLE poll first one interval after the change they follow (the request;
  the VPC's writes), as the script's loops do, instead of at once, which is too early to see it: one read less per VPC and
  wait against a per-project rate limit (with real Atlas and the default 10 s interval, the same time).
"""
