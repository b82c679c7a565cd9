#!/usr/bin/env bash
# One-time set-up that `make venv` runs after installing the Python packages:
#  - links this checkout as cloudwire.atlas so `ansible-playbook playbooks/peer.yml` works from the repo root;
#  - places the pip bootstrap that ansible-test would otherwise download from a host this network cannot reach.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$root/.ansible/collections/ansible_collections/cloudwire"
ln -sfn "$root" "$root/.ansible/collections/ansible_collections/cloudwire/atlas"

cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
cat > "$cache/get_pip_24_2.py" <<'PY'
"""Offline stand-in for get-pip.py: bootstrap pip from the interpreter's bundled wheel, then install what was asked."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], check=True)
if args:
    subprocess.run([sys.executable, "-m", "pip", "install"] + args, check=True)
PY
