"""Run the real ansible-playbook against the test servers, and read back what it did.

    env = playbook_env(atlas_env["env"], CLOUDWIRE_LOCAL_EXISTING_VPC_ID=vpc_id)  # the one environment builder of a run
    run = run_playbook(env, "peer.yml", "--check", "--diff")                      # playbooks/peer.yml on inventories/local
    run = run_playbook(env, "peer.yml", inventory=path, timeout=1800)            # another inventory
    run = run_tasks(atlas_env, tmp_path, [task("read", "atlas_container_info", {})], check=True)   # module tasks in one play
    path = write_play(workdir, tasks, project_id)                                 # that play's file, for a runner of its own
    run.rc, run.stdout, run.stats, run.drift, run.changed(host), run.failed(host), run.explain()
    run["read"]; run.api_requests("read"); run.writes("read")          # a task of a run_tasks play, and its Atlas requests

Every run gives one PlaybookRun. Its `result` is the document of the ansible.posix.json callback (None when the run printed
none, e.g. json_output=False); each task's start and end times let a test attribute the simulator's logged requests to the
task that made them ("this check-mode task wrote nothing").
"""

import datetime
import json
import os
import subprocess
import tempfile
import time

from support.paths import ANSIBLE_CONFIG, ANSIBLE_PLAYBOOK, LOCAL_INVENTORY, REPO_ROOT

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
PLAY_TIMEOUT = 900


def _epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _json_document(stdout):
    """The json callback's document: from the first line that opens it (some tasks print to the terminal first)."""
    start = 0 if stdout.startswith("{") else stdout.find("\n{") + 1
    if start == 0 and not stdout.startswith("{"):
        return None
    try:
        return json.loads(stdout[start:])
    except ValueError:
        return None


class PlaybookRun:
    """One finished ansible-playbook run: argv, exit code, output, wall time, the json callback's document and the API logs
    of the run's window (`atlas_log`: the simulator's request log, `aws_log`: a proxy's call log) when the caller took them."""

    def __init__(self, argv, proc, seconds, started=None, ended=None):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.started = started
        self.ended = ended
        self.result = _json_document(proc.stdout or "")
        self.stats = (self.result or {}).get("stats", {})
        self.custom = (self.result or {}).get("global_custom_stats", {})
        self.atlas_log = []
        self.aws_log = []

    @property
    def returncode(self):
        return self.rc

    @property
    def ok(self):
        """Exit 0, a json document, and no host failed or unreachable."""
        return self.rc == 0 and self.result is not None and all(s["failures"] == 0 and s["unreachable"] == 0 for s in self.stats.values())

    # ---- per host (playbooks on an inventory) ---------------------------------------------------------------------------
    @property
    def drift(self):
        """host -> findings, as published with set_stats for AWX."""
        return self.custom.get("vpc_peering_drift", {})

    def changed(self, host):
        return self.stats[host]["changed"]

    def failed(self, host):
        return self.stats[host]["failures"] + self.stats[host]["unreachable"]

    def task_results(self, name_part):
        """host -> result of every task whose name contains name_part."""
        found = []
        for play in (self.result or {}).get("plays", []):
            for task_run in play["tasks"]:
                if name_part in task_run["task"]["name"]:
                    found.append(task_run["hosts"])
        return found

    def host_tasks(self):
        """[(task name, host, result, task duration dict)] for every task of every play."""
        rows = []
        for play in (self.result or {}).get("plays", []):
            for task_run in play["tasks"]:
                for host, result in task_run["hosts"].items():
                    rows.append((task_run["task"]["name"], host, result, task_run["task"].get("duration", {})))
        return rows

    def explain(self):
        text = self.stdout if self.result is None else json.dumps(self.stats, indent=1)
        return f"{' '.join(self.argv)} -> rc {self.rc} in {self.seconds:.0f} s\n{text[-6000:]}\n{self.stderr[-3000:]}"

    # ---- by task name (a run_tasks play on localhost) -------------------------------------------------------------------
    @property
    def tasks(self):
        """[(task name, localhost's result, task duration dict)] in the order they ran."""
        return [(name, result, duration) for name, host, result, duration in self.host_tasks() if host == "localhost"]

    def __getitem__(self, name):
        for task_name, result, _duration in self.tasks:
            if task_name == name:
                return result
        raise KeyError("no task named %r ran; tasks: %s\nstderr: %s" % (name, [t[0] for t in self.tasks], self.stderr[-3000:]))

    def __contains__(self, name):
        return any(task_name == name for task_name, _r, _d in self.tasks)

    def api_requests(self, name):
        """Authenticated Atlas API requests (digest challenges left out) made while task `name` ran."""
        for task_name, _result, duration in self.tasks:
            if task_name == name:
                start, end = _epoch(duration["start"]), _epoch(duration["end"])
                return [r for r in self.atlas_log
                        if start <= r["time"] <= end and r["path"].startswith("/api/atlas/") and not r.get("challenge")]
        raise KeyError(name)

    def writes(self, name):
        return [r for r in self.api_requests(name) if r["method"] in WRITE_METHODS]


def playbook_env(variables, json_output=True, **extra):
    """The environment of an ansible-playbook run: this process's, the servers' variables (an `atlas_env["env"]`, see
    support.servers.environment), this checkout's ansible.cfg, no colour, custom stats shown, and the json stdout callback
    unless json_output is False (a person's view: the default callback); then `extra`."""
    env = dict(os.environ)
    env.update(variables)
    env.update({
        "ANSIBLE_CONFIG": ANSIBLE_CONFIG,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_SHOW_CUSTOM_STATS": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if json_output:
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    env.update(extra)
    return env


def playbook_argv(playbook, *args, inventory=LOCAL_INVENTORY):
    """ansible-playbook for `playbook` (a file of playbooks/, or a path) on `inventory`, run from the repository root."""
    return [ANSIBLE_PLAYBOOK, os.path.join("playbooks", playbook), "-i", inventory, *args]


def run_playbook(env, playbook, *args, inventory=LOCAL_INVENTORY, timeout=PLAY_TIMEOUT):
    """Run `playbook` with `env` (playbook_env) to the end; a PlaybookRun."""
    argv = playbook_argv(playbook, *args, inventory=inventory)
    started_wall = time.time()
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return PlaybookRun(argv, proc, time.monotonic() - started, started_wall, time.time())


def write_play(workdir, tasks, project_id=None, play_vars=None):
    """`tasks` as one play on localhost (local connection, the controller's Python) in a new file under `workdir`; its path.
    With project_id the Atlas action group gets it as a module default."""
    play = {
        "name": "cloudwire.atlas tasks",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": dict({"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, **(play_vars or {})),
        "tasks": tasks,
    }
    if project_id:
        play["module_defaults"] = {"group/cloudwire.atlas.atlas": {"project_id": project_id}}
    # A unique file per run: tests run plays from several threads at once in one workdir.
    handle, path = tempfile.mkstemp(prefix="play-", suffix=".yml", dir=str(workdir))
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump([play], stream, indent=1)  # JSON is YAML
    return path


def run_tasks(atlas_env, workdir, tasks, module_defaults=True, play_vars=None, extra_env=None, check=False, diff=False, terminal=False):
    """Write `tasks` into a localhost playbook under `workdir`, run it against the servers of `atlas_env`, return a PlaybookRun
    whose `atlas_log` is the simulator's request log of the run.

    Credentials and base URL come from the MONGODB_ATLAS_* environment (the modules' env fallbacks); with
    module_defaults=True the Atlas action group also gets project_id. With terminal=True the default callback prints what a
    person sees (run.stdout; no json document). No secret of `atlas_env` may show in the output.
    """
    path = write_play(workdir, tasks, atlas_env["project_id"] if module_defaults else None, play_vars)
    args = [arg for arg, wanted in (("--check", check), ("--diff", diff)) if wanted]
    atlas_env["sim"].clear_requests()
    run = run_playbook(playbook_env(atlas_env["env"], json_output=not terminal, **(extra_env or {})), path, *args, inventory="localhost,")
    for secret in (atlas_env["private_key"], atlas_env["readonly_private_key"], atlas_env["aws_secret_access_key"]):
        # "testing" (moto's key) is too common a word to search for; the Atlas private keys are random.
        if secret != "testing":
            assert secret not in run.stdout and secret not in run.stderr, "a secret leaked into ansible-playbook output"
    if terminal:
        return run
    if run.result is None:
        raise AssertionError("ansible-playbook printed no JSON (rc %s)\nstdout: %s\nstderr: %s"
                             % (run.rc, run.stdout[-3000:], run.stderr[-3000:]))
    run.atlas_log = atlas_env["sim"].requests()
    return run


def task(name, module, args, **keywords):
    """One task: `module` short name in cloudwire.atlas (or a FQCN), with task keywords such as register, check_mode."""
    fqcn = module if "." in module else "cloudwire.atlas." + module
    entry = {"name": name, fqcn: args}
    entry.update(keywords)
    return entry


def expect_failure(name, module, args, **keywords):
    """A task expected to fail: the play goes on."""
    return task(name, module, args, ignore_errors=True, **keywords)


def assert_refused_before_any_call(run, cases):
    """Each (task name, args, words) of `cases` failed, its message names every word, and it sent Atlas no request."""
    for name, _args, words in cases:
        result = run[name]
        assert result["failed"] is True, name
        for word in words:
            assert word in result["msg"], (name, word, result["msg"])
        assert run.api_requests(name) == [], name
