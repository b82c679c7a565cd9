"""Run real ansible-playbook with module tasks against the simulator and moto, and read back every task's result.

Results come from the ansible.posix.json stdout callback; each task's start and end times let a test attribute the
simulator's logged requests to the task that made them (e.g. "this check-mode task wrote nothing").
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
PLAY_TIMEOUT = 600


def _epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class PlaybookRun:
    """The outcome of one ansible-playbook run: results by task name, and the API requests each task made."""

    def __init__(self, output, returncode, stdout, stderr, api_log):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = []
        for play in output.get("plays", []):
            for task in play.get("tasks", []):
                result = task["hosts"].get("localhost", {})
                self.tasks.append((task["task"]["name"], result, task["task"]["duration"]))
        self.stats = output.get("stats", {})
        self.api_log = api_log

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
                return [r for r in self.api_log
                        if start <= r["time"] <= end and r["path"].startswith("/api/atlas/") and not r.get("challenge")]
        raise KeyError(name)

    def writes(self, name):
        return [r for r in self.api_requests(name) if r["method"] in WRITE_METHODS]


def run_playbook(atlas_env, workdir, tasks, module_defaults=True, play_vars=None, extra_env=None, check=False, diff=False, terminal=False):
    """Write `tasks` into a localhost playbook under `workdir`, run it, return a PlaybookRun.

    Credentials and base URL come from the MONGODB_ATLAS_* environment (the modules' env fallbacks); with
    module_defaults=True the Atlas action group also gets project_id. With terminal=True the default callback
    prints what a person sees and the finished process is returned instead.
    """
    play = {
        "name": "cloudwire.atlas module test",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": dict({"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, **(play_vars or {})),
        "tasks": tasks,
    }
    if module_defaults:
        play["module_defaults"] = {"group/cloudwire.atlas.atlas": {"project_id": atlas_env["project_id"]}}
    # A unique file per run: tests run plays from several threads at once in one workdir.
    handle, path = tempfile.mkstemp(prefix="play-", suffix=".yml", dir=str(workdir))
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump([play], stream, indent=1)  # JSON is YAML

    env = dict(os.environ)
    env.update(atlas_env["env"])
    env.update({
        "ANSIBLE_CONFIG": os.path.join(REPO_ROOT, "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "default" if terminal else "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
    })
    env.update(extra_env or {})
    argv = [ANSIBLE_PLAYBOOK, "-i", "localhost,", path]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    atlas_env["sim"].clear_requests()
    done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=PLAY_TIMEOUT, check=False)
    for secret in (atlas_env["private_key"], atlas_env["readonly_private_key"], atlas_env["aws_secret_access_key"]):
        # "testing" (moto's key) is too common a word to search for; the Atlas private keys are random.
        if secret != "testing":
            assert secret not in done.stdout and secret not in done.stderr, "a secret leaked into ansible-playbook output"
    if terminal:
        return done
    try:
        # The JSON document starts at the first line that opens it (some tasks print to the terminal first).
        start = done.stdout.find("\n{")
        output = json.loads(done.stdout if done.stdout.startswith("{") or start < 0 else done.stdout[start + 1:])
    except ValueError:
        raise AssertionError("ansible-playbook printed no JSON (rc %s)\nstdout: %s\nstderr: %s"
                             % (done.returncode, done.stdout[-3000:], done.stderr[-3000:])) from None
    return PlaybookRun(output, done.returncode, done.stdout, done.stderr, atlas_env["sim"].requests())


def task(name, module, args, **keywords):
    """One task: `module` short name in cloudwire.atlas (or a FQCN), with task keywords such as register, check_mode."""
    fqcn = module if "." in module else "cloudwire.atlas." + module
    entry = {"name": name, fqcn: args}
    entry.update(keywords)
    return entry


def expect_failure(name, module, args, **keywords):
    """A task expected to fail: the play goes on."""
    return task(name, module, args, ignore_errors=True, **keywords)
