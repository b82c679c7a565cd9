"""The setup step of `make integration`: start moto server and the Atlas simulator, write their endpoints and keys to
tests/integration/integration_config.yml (of the current directory, the staged collection), run the command given after
`--` (ansible-test integration ...), then stop both servers and remove the file. Exits with the command's status.

ansible-test removes AWS_* and most other variables from the environment of the tests; integration_config.yml is what it
hands every target (as extra vars), so the keys travel there. The file holds only the keys of the servers started here
and lives as long as they do.

    cd <collection root> && python hack/integration_servers.py -- ansible-test integration --local --python 3.11
"""

import os
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests"))

from support.servers import (  # noqa: E402  pylint: disable=wrong-import-position
    CUSTOMER_ACCESS_KEY_ID, CUSTOMER_ACCOUNT_ID, CUSTOMER_SECRET_ACCESS_KEY, AtlasSimulator, MotoServer, seed_project)

CONFIG = os.path.join("tests", "integration", "integration_config.yml")
# Short Atlas delays (seconds): every wait of the modules still polls through INITIATING, FINALIZING and PENDING states.
DELAYS = {"initiating_delay": 1.0, "finalizing_delay": 1.0, "terminating_delay": 1.0, "access_list_delay": 1.0}
# A cluster for atlas_cluster_info and the database users' scopes: a shared tier, which touches no network container, so the
# targets' containers and CIDRs stay theirs alone.
CLUSTER = {"name": "integration-shared", "regionName": "AP_NORTHEAST_1", "instanceSize": "M0"}


def config_text(atlas, moto_url):
    values = {
        "atlas_cluster_name": CLUSTER["name"],
        "atlas_base_url": atlas["base_url"],
        "atlas_public_key": atlas["public_key"],
        "atlas_private_key": atlas["private_key"],
        "atlas_readonly_public_key": atlas["readonly_public_key"],
        "atlas_readonly_private_key": atlas["readonly_private_key"],
        "atlas_project_id": atlas["project_id"],
        "atlas_project_name": atlas["project_name"],
        "aws_endpoint_url": moto_url,
        "aws_access_key": CUSTOMER_ACCESS_KEY_ID,
        "aws_secret_key": CUSTOMER_SECRET_ACCESS_KEY,
        "aws_region": "us-east-1",
        "aws_account_id": CUSTOMER_ACCOUNT_ID,
    }
    lines = ["# Written by hack/integration_servers.py for one `make integration` run; removed when it ends."]
    lines += ['%s: "%s"' % (key, value) for key, value in values.items()]
    return "\n".join(lines) + "\n"


def main(argv):
    if "--" not in argv or not argv[argv.index("--") + 1:]:
        sys.exit("usage: integration_servers.py -- COMMAND [ARG...]")
    command = argv[argv.index("--") + 1:]
    if not os.path.isdir(os.path.join("tests", "integration", "targets")):
        sys.exit("integration_servers.py: run it from a collection root with tests/integration/targets")
    started = time.monotonic()
    with MotoServer() as moto, AtlasSimulator(moto.url, **DELAYS) as sim:
        atlas = seed_project(sim, "cloudwire-integration")
        sim.add_cluster(atlas["project_id"], **CLUSTER)
        with open(CONFIG, "w", encoding="utf-8") as handle:
            handle.write(config_text(atlas, moto.url))
        print(f"integration: moto server {moto.url}, Atlas simulator {sim.url} (project {atlas['project_id']}); "
              f"endpoints and keys in {CONFIG}", flush=True)
        try:
            status = subprocess.run(command, check=False).returncode
        finally:
            os.remove(CONFIG)
    print(f"integration: servers stopped after {time.monotonic() - started:.0f} s; {' '.join(command[:2])} exited {status}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
