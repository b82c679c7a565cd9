"""`make demo`: moto server + the Atlas simulator on free 127.0.0.1 ports, then the product against them.

1. converge inventories/local (3 VPCs: 2 regions, 2 AWS accounts, one existing VPC) with playbooks/peer.yml, and the
   application's side: a shared cluster (seeded in the simulator) gives each host its private connection string, and the
   hosts that list database users get them (passwords made up for the run, passed in the environment, never printed);
2. run it again: every host must report changed=0;
3. run it with --check --diff: a read-only drift report, which must find no drift;
then stop both servers. Exits non-zero when a step fails.
"""

import os
import re
import secrets
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests"))  # the test harness package, tests/support

from support.aws import create_existing_vpc  # noqa: E402  pylint: disable=wrong-import-position
from support.servers import AtlasSimulator, MotoServer, environment, seed_project  # noqa: E402  pylint: disable=wrong-import-position

RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def banner(text):
    print(f"\n{'=' * 100}\n== {text}\n{'=' * 100}", flush=True)


def run_playbook(env, *args):
    """ansible-playbook with its output shown live; returns {host: (changed, failed)} from the recap."""
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "playbooks/peer.yml", "-i", "inventories/local", *args]
    print("$ " + " ".join(["ansible-playbook"] + argv[1:]), flush=True)
    started = time.monotonic()
    lines = []
    with subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            sys.stdout.write(line)
            lines.append(line)
    print(f"(ansible-playbook exited {proc.returncode} after {time.monotonic() - started:.0f} s)", flush=True)
    recap = {host: (int(changed), int(unreachable) + int(failed)) for host, changed, unreachable, failed in RECAP.findall("".join(lines))}
    if proc.returncode != 0 or not recap:
        raise SystemExit(f"demo failed: ansible-playbook {' '.join(args)} exited {proc.returncode}")
    return recap


def main():
    with MotoServer() as moto, AtlasSimulator(moto.url, initiating_delay=2.0, finalizing_delay=3.0, terminating_delay=2.0,
                                              access_list_delay=2.0) as sim:
        banner(f"moto server {moto.url}, Atlas simulator {sim.url} (both stop at the end)")
        atlas = seed_project(sim, "cloudwire-demo")
        # The cluster the teams share, made by hand on Atlas: in both regions of the inventory, so its containers get the
        # CIDRs the inventory asks for.
        sim.add_cluster(atlas["project_id"], "shared-local", regions=["US_EAST_1", "EU_WEST_1"])
        env = dict(os.environ, **environment(atlas, moto.url))
        env.update(CLOUDWIRE_LOCAL_CLUSTER_NAME="shared-local", CLOUDWIRE_LOCAL_ORDERS_PASSWORD=secrets.token_urlsafe(18),
                   CLOUDWIRE_LOCAL_PAYMENTS_PASSWORD=secrets.token_urlsafe(18))
        env.update(CLOUDWIRE_LOCAL_EXISTING_VPC_ID=create_existing_vpc(moto.url), ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"),
                   ANSIBLE_FORCE_COLOR=env.get("ANSIBLE_FORCE_COLOR", "0"))

        banner("1/3 converge: playbooks/peer.yml -i inventories/local")
        first = run_playbook(env)
        if any(failed for _changed, failed in first.values()):
            raise SystemExit(f"demo failed: a host failed in the first run: {first}")

        banner("2/3 the same run again: nothing to change")
        second = run_playbook(env)
        if any(changed or failed for changed, failed in second.values()):
            raise SystemExit(f"demo failed: the second run changed something: {second}")

        banner("3/3 drift report: --check --diff (reads both clouds, writes nothing)")
        sim.clear_requests()
        third = run_playbook(env, "--check", "--diff")
        writes = sim.writes()
        if any(changed or failed for changed, failed in third.values()) or writes:
            raise SystemExit(f"demo failed: drift reported or Atlas written in check mode: {third}, {len(writes)} write(s)")

        banner(f"demo OK: {len(first)} VPCs peered; second run changed=0 on every host; check mode found no drift and made "
               f"0 Atlas writes ({len(sim.requests())} read requests); the summary of run 1 shows each host's private connection string")
    return 0


if __name__ == "__main__":
    sys.exit(main())
