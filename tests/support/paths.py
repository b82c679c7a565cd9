"""Where things are in the checkout: the one place that knows the repository root."""

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS_DIR = os.path.join(REPO_ROOT, "tests")
# `python -m atlas_simulator` needs this on PYTHONPATH.
SIMULATOR_DIR = os.path.join(TESTS_DIR, "simulator")
# Answers recorded from a running Atlas (tests/contract/recorded/README.md).
RECORDED_DIR = os.path.join(TESTS_DIR, "contract", "recorded")
# What the suites write: reports and summaries (git-ignored, build-ignored).
OUTPUT_DIR = os.path.join(TESTS_DIR, "output")
ANSIBLE_CONFIG = os.path.join(REPO_ROOT, "ansible.cfg")
# inventories/local: moto server and the Atlas simulator (support.aws describes its hosts).
LOCAL_INVENTORY = os.path.join(REPO_ROOT, "inventories", "local")
# moto plus the one fix real AWS does not need (CloudFormation deletes the route tables it made): see the launcher.
MOTO_LAUNCHER = os.path.join(REPO_ROOT, "hack", "moto_server.py")
# The venv's console scripts (ansible-playbook, ansible-doc, ...), next to the interpreter running the tests.
BIN = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN, "ansible-playbook")
ANSIBLE_DOC = os.path.join(BIN, "ansible-doc")
