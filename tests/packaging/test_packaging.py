"""The collection installs like any other: a tarball without test bulk, an empty collections path, ansible-doc, an EE."""

import json
import os
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from support.aws import create_existing_vpc
from support.paths import BIN, REPO_ROOT
from support.servers import fresh_atlas_env

AWS_ONLY_MODULES = ("vpc_peering_routes",)
MODULES = ["atlas_container_info", "atlas_container", "atlas_vpc_peering", "atlas_access_list", "atlas_cluster_info", "atlas_database_user",
           "vpc_peering_plan", "vpc_peering_atlas", "vpc_peering_aws", "vpc_peering_status", "vpc_peering_routes"]
# What a user's install must never carry: local state, caches, the venvs.
NEVER_SHIPPED = (".venv/", ".venv-importer/", ".ansible/", ".build/", ".git/", "tests/output/", "__pycache__/", ".pytest_cache/",
                 ".hypothesis/")
# Development-only files (galaxy.yml build_ignore): tooling, and the pytest suites that need a checkout (hack/, the simulator).
DEVELOPMENT_ONLY = ("Makefile", "hack/", "ansible.cfg", ".ansible-lint", "pytest.ini", "requirements-dev.txt", ".ci/", ".gitignore",
                    "tests/README.md", "tests/awx/", "tests/bench/", "tests/contract/", "tests/e2e/", "tests/modules/",
                    "tests/packaging/", "tests/policy/", "tests/reliability/", "tests/simulator/", "tests/support/",
                    "tests/integration/integration_config.yml", "docs/docsite/build/")
# Everything a tarball may hold at its top level, and under tests/ (what ansible-test runs on an installed collection).
SHIPPED_TOP_LEVEL = {"MANIFEST.json", "FILES.json", "README.md", "COPYING", "CHANGELOG.rst", "requirements.txt", "awx", "changelogs",
                     "docs", "inventories", "meta", "playbooks", "plugins", "roles", "tests"}
SHIPPED_TESTS = {"unit", "integration"}


def run(argv, **kwargs):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    env.update(kwargs.pop("env", {}))
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300, check=False, **kwargs)
    assert done.returncode == 0, "%s failed (rc %s)\n%s\n%s" % (" ".join(argv), done.returncode, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


@pytest.fixture(scope="module")
def clean_config(tmp_path_factory):
    """An empty ansible.cfg: nothing of this checkout's config (which links the working tree as the collection) applies."""
    path = tmp_path_factory.mktemp("config") / "ansible.cfg"
    path.write_text("[defaults]\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(out), REPO_ROOT])
    (path,) = out.glob("cloudwire-atlas-*.tar.gz")
    return path


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory, clean_config):
    """The tarball installed into an empty collections path (amazon.aws comes from the venv's ansible package)."""
    root = tmp_path_factory.mktemp("collections")
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(root), str(tarball)],
        env={"ANSIBLE_CONFIG": clean_config, "ANSIBLE_COLLECTIONS_PATH": str(root)})
    assert os.path.isfile(os.path.join(str(root), "ansible_collections", "cloudwire", "atlas", "MANIFEST.json"))
    return root


def test_tarball_has_the_collection_and_none_of_the_local_state(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    for needed in ["MANIFEST.json", "meta/runtime.yml", "roles/vpc_peering/meta/argument_specs.yml",
                   "playbooks/peer.yml", "playbooks/unpeer.yml"] + ["plugins/modules/%s.py" % m for m in MODULES]:
        assert needed in names, needed
    # What Galaxy, the docs site and a user of the tarball read: the license, the release notes, the role's README, the
    # docs site's links, the EE definition, AWX as code, and the ansible-test integration targets.
    for needed in ["COPYING", "CHANGELOG.rst", "changelogs/changelog.yaml", "roles/vpc_peering/README.md", "docs/docsite/links.yml",
                   "docs/docsite/extra-docs.yml", "meta/execution-environment.yml", "awx/configure.yml", "awx/credential_type.yml",
                   "awx/requirements.yml", "tests/unit/requirements.txt"] + \
            ["tests/integration/targets/%s/tasks/main.yml" % m for m in MODULES]:
        assert needed in names, needed
    leaked = [n for n in names if any(n.startswith(p) or ("/" + p) in n for p in NEVER_SHIPPED)]
    assert leaked == []
    development = [n for n in names if any(n == p.rstrip("/") or n.startswith(p) for p in DEVELOPMENT_ONLY)]
    assert development == []
    assert {n.split("/")[0] for n in names} <= SHIPPED_TOP_LEVEL, sorted({n.split("/")[0] for n in names} - SHIPPED_TOP_LEVEL)
    tests = {n.split("/")[1] for n in names if n.startswith("tests/") and n.count("/") >= 2}
    assert tests <= SHIPPED_TESTS, sorted(tests - SHIPPED_TESTS)
    assert os.path.getsize(tarball) < 2 * 1024 * 1024, "tarball grew past 2 MiB: %d bytes" % os.path.getsize(tarball)


def test_ansible_doc_renders_every_module_and_the_role_from_the_install(installed, clean_config, tmp_path):
    env = {"ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_CONFIG": clean_config}
    listed = run([os.path.join(BIN, "ansible-doc"), "-t", "module", "-l", "cloudwire.atlas"], env=env, cwd=str(tmp_path))
    for module in MODULES:
        assert "cloudwire.atlas." + module in listed
        text = run([os.path.join(BIN, "ansible-doc"), "-t", "module", "cloudwire.atlas." + module], env=env, cwd=str(tmp_path))
        assert "EXAMPLES" in text and "RETURN VALUES" in text
        assert ("project_id" in text) == (module not in AWS_ONLY_MODULES), module
    alias = run([os.path.join(BIN, "ansible-doc"), "-t", "module", "cloudwire.atlas.atlas_whitelist"], env=env, cwd=str(tmp_path))
    assert "atlas_access_list" in alias
    role = run([os.path.join(BIN, "ansible-doc"), "-t", "role", "cloudwire.atlas.vpc_peering"], env=env, cwd=str(tmp_path))
    assert re.search(r"ENTRY POINT: \W*main", role) and "vpc_peering_aws_region" in role


def test_execution_environment_context_builds_offline(tmp_path):
    context = tmp_path / "context"
    run([os.path.join(BIN, "ansible-builder"), "create", "-f", os.path.join(REPO_ROOT, "meta", "execution-environment.yml"),
         "-c", str(context)], cwd=REPO_ROOT)
    with open(context / "_build" / "requirements.txt", encoding="utf-8") as handle:
        python = handle.read()
    with open(os.path.join(REPO_ROOT, "requirements.txt"), encoding="utf-8") as handle:
        assert python == handle.read()
    with open(context / "_build" / "requirements.yml", encoding="utf-8") as handle:
        galaxy = {c["name"] for c in yaml.safe_load(handle)["collections"]}
    assert galaxy == {"amazon.aws", "cloudwire.atlas"}
    dockerfile = (context / "Dockerfile").read_text(encoding="utf-8")
    # Nothing pinned to this machine: no path of this checkout, the venv or this user's home in the build context.
    for local in (REPO_ROOT, sys.prefix, os.path.expanduser("~")):
        assert local not in dockerfile and local not in python


def test_the_manifest_names_the_license_file_and_the_dependencies(tarball):
    with tarfile.open(tarball) as archive:
        info = json.load(archive.extractfile("MANIFEST.json"))["collection_info"]
        copying = archive.extractfile("COPYING").read().decode("utf-8")
    assert info["license_file"] == "COPYING" and "GNU GENERAL PUBLIC LICENSE" in copying and "Version 3, 29 June 2007" in copying
    assert "amazon.aws" in info["dependencies"]


def _collections_used(paths):
    """Collection names of every FQCN action, module_defaults group and role in these YAML files."""
    used = set()
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        used.update(m.group(2) for m in re.finditer(r"^\s*-?\s*(group/)?([a-z0-9_]+\.[a-z0-9_]+)\.[a-z0-9_]+:", text, re.M))
        used.update(m.group(1) for m in re.finditer(r"(?:role|name):\s+([a-z0-9_]+\.[a-z0-9_]+)\.[a-z0-9_]+\s*$", text, re.M))
    return used


def _yaml_files(*folders):
    return [os.path.join(root, name) for folder in folders for root, _dirs, files in os.walk(os.path.join(REPO_ROOT, folder))
            for name in files if name.endswith((".yml", ".yaml"))]


def test_every_collection_the_role_and_playbooks_use_is_declared():
    """Galaxy's importer and ansible-lint resolve nothing else: an undeclared collection fails a user's install."""
    with open(os.path.join(REPO_ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        declared = set(yaml.safe_load(handle)["dependencies"]) | {"ansible.builtin", "cloudwire.atlas"}
    used = _collections_used(_yaml_files("roles", "playbooks"))
    assert "amazon.aws" in used and used <= declared, sorted(used - declared)
    with open(os.path.join(REPO_ROOT, "awx", "requirements.yml"), encoding="utf-8") as handle:
        awx_declared = {c["name"] for c in yaml.safe_load(handle)["collections"]} | {"ansible.builtin"}
    awx_used = _collections_used(_yaml_files("awx"))
    assert "awx.awx" in awx_used and awx_used <= awx_declared, sorted(awx_used - awx_declared)


def test_meta_requirements_is_the_root_requirements():
    with open(os.path.join(REPO_ROOT, "requirements.txt"), encoding="utf-8") as root, \
            open(os.path.join(REPO_ROOT, "meta", "requirements.txt"), encoding="utf-8") as meta:
        assert meta.read() == root.read()


def test_introspection_of_the_installed_collection_finds_its_python_requirements(installed, tmp_path):
    """What ansible-builder runs inside the image: it must list this collection's runtime requirements."""
    context = tmp_path / "context"
    run([os.path.join(BIN, "ansible-builder"), "create", "-f", os.path.join(REPO_ROOT, "meta", "execution-environment.yml"),
         "-c", str(context)], cwd=REPO_ROOT)
    out = run([sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect", str(installed)])
    found = yaml.safe_load(out)["python"]
    for requirement in ("requests", "boto3", "botocore"):
        assert any(line.startswith(requirement) and "cloudwire.atlas" in line for line in found), (requirement, found)


@pytest.mark.slow
def test_installed_collection_converges_the_local_inventory_by_fqcn(installed, clean_config, tmp_path, moto_server, atlas_simulator):
    """No checkout involved: the installed tarball's playbook `cloudwire.atlas.peer` and inventory, run from elsewhere."""
    collection = os.path.join(str(installed), "ansible_collections", "cloudwire", "atlas")
    moto, sim = moto_server, atlas_simulator
    atlas = fresh_atlas_env(moto, sim, "cloudwire-packaged")
    env = dict(atlas["env"], CLOUDWIRE_LOCAL_EXISTING_VPC_ID=create_existing_vpc(moto.url),
               ANSIBLE_CONFIG=clean_config, ANSIBLE_COLLECTIONS_PATH=str(installed))
    argv = [os.path.join(BIN, "ansible-playbook"), "cloudwire.atlas.peer", "-i", os.path.join(collection, "inventories", "local")]
    out = run(argv, env=env, cwd=str(tmp_path))
    assert "failed=0" in out and "local-legacy-east" in out
    assert len(sim.state()["access_lists"][atlas["project_id"]]) == 3
    again = run(argv, env=env, cwd=str(tmp_path))
    for host in ("local-app-east", "local-app-west", "local-legacy-east"):
        assert re.search(r"^%s\s+: ok=\d+\s+changed=0\s" % host, again, re.M), again[-3000:]
