"""Module documentation: the pages in docs/modules are current, ansible-doc renders every module, and the EXAMPLES
use real options and run against the simulator and moto."""

import os
import subprocess

import boto3
import pytest
import yaml

import module_docs
from support.paths import ANSIBLE_CONFIG, REPO_ROOT
from support.playbooks import run_tasks, task

EXAMPLE_PROJECT_ID = "5f3a556351db42631e16f33a"
EXAMPLE_PROJECT_NAME = "payments-dev"
EXAMPLE_VPC_ID = "vpc-0a1b2c3d4e5f60718"
CONNECTION_OPTIONS = {"public_key", "private_key", "client_id", "client_secret", "base_url", "validate_certs", "timeout"}


@pytest.fixture(scope="module")
def docs():
    return module_docs.load_docs()


def test_pages_in_docs_modules_are_current(docs):
    wanted = dict(("%s.md" % name, module_docs.render(name, docs["cloudwire.atlas." + name])) for name in module_docs.MODULES)
    wanted["README.md"] = module_docs.index(docs)
    for filename, content in wanted.items():
        path = os.path.join(module_docs.DOCS_DIR, filename)
        with open(path, encoding="utf-8") as handle:
            assert handle.read() == content, "%s is out of date: run PYTHONPATH=tests .venv/bin/python tests/modules/module_docs.py" % path


@pytest.mark.parametrize("name", list(module_docs.MODULES) + ["atlas_whitelist"])
def test_ansible_doc_renders(name):
    env = dict(os.environ, ANSIBLE_CONFIG=ANSIBLE_CONFIG, ANSIBLE_NOCOLOR="1")
    done = subprocess.run([module_docs.ANSIBLE_DOC, "-t", "module", "cloudwire.atlas." + name], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for heading in ("OPTIONS", "ATTRIBUTES", "EXAMPLES", "RETURN VALUES"):
        assert heading in done.stdout, (name, heading)
    assert "[WARNING]" not in done.stderr and "[ERROR]" not in done.stderr, done.stderr


def _options(doc):
    names = set()
    for option, spec in doc.get("options", {}).items():
        names.add(option)
        names.update(spec.get("aliases", []))
    return names


def test_examples_use_real_options_and_every_required_one(docs):
    aliases = {"cloudwire.atlas.atlas_whitelist": "cloudwire.atlas.atlas_access_list"}
    for name in module_docs.MODULES:
        data = docs["cloudwire.atlas." + name]
        tasks = yaml.safe_load(data["examples"])
        assert tasks and all("name" in t for t in tasks), name
        assert any(("cloudwire.atlas." + name) in t or aliases.get(next(iter(set(t) - {"name", "register"}))) == "cloudwire.atlas." + name
                   for t in tasks), "%s's EXAMPLES do not use it" % name
        for example in tasks:
            module = [key for key in example if key.startswith("cloudwire.atlas.")]
            if not module:
                continue
            target = aliases.get(module[0], module[0])
            doc = docs.get(target) or module_docs.load_docs([target.split(".")[-1]])[target]
            args = example[module[0]]
            unknown = set(args) - _options(doc["doc"])
            assert not unknown, "%s example %r uses unknown options %s" % (name, example["name"], unknown)
            required = set(o for o, spec in doc["doc"]["options"].items() if spec.get("required"))
            assert required <= set(args), "%s example %r lacks %s" % (name, example["name"], required - set(args))
            if "project_id" in doc["doc"]["options"]:
                assert ("project_id" in args) != ("project_name" in args), "%s example %r: give exactly one project option" % (name, example["name"])
            assert not CONNECTION_OPTIONS & set(args), "examples take credentials from MONGODB_ATLAS_* (no secrets in playbooks)"


def _examples(docs, name, vpc_id):
    """The module's EXAMPLES as tasks, with the example VPC id replaced by a VPC that exists in moto."""
    return yaml.safe_load(docs["cloudwire.atlas." + name]["examples"].replace(EXAMPLE_VPC_ID, vpc_id))


def test_examples_run(docs, atlas_env, tmp_path):
    """Every example task, in a sensible order, against a project seeded with the examples' id and name."""
    sim = atlas_env["sim"]
    made = sim.seed({
        "projects": [{"name": EXAMPLE_PROJECT_NAME, "id": EXAMPLE_PROJECT_ID}],
        "api_keys": [{"roles": {EXAMPLE_PROJECT_NAME: "owner"}}],
        "containers": [{"project": EXAMPLE_PROJECT_NAME, "regionName": "EU_WEST_1", "atlasCidrBlock": "10.8.0.0/21"}],
    })
    key = made["api_keys"][0]
    ec2 = boto3.client("ec2", endpoint_url=atlas_env["aws_endpoint"], region_name="us-east-1",
                       aws_access_key_id=atlas_env["aws_access_key_id"], aws_secret_access_key=atlas_env["aws_secret_access_key"])
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    env = dict(atlas_env, env=dict(atlas_env["env"], MONGODB_ATLAS_PUBLIC_KEY=key["public_key"], MONGODB_ATLAS_PRIVATE_KEY=key["private_key"],
                                   AWS_URL=atlas_env["aws_endpoint"]))

    peering = _examples(docs, "atlas_vpc_peering", vpc_id)
    assert peering[-1]["cloudwire.atlas.atlas_vpc_peering"]["state"] == "absent"
    tasks = (_examples(docs, "atlas_container_info", vpc_id) + _examples(docs, "atlas_container", vpc_id)
             + [task("set-up: the container the peering examples use", "atlas_container",
                     {"project_name": EXAMPLE_PROJECT_NAME, "region": "us-east-1", "atlas_cidr_block": "192.168.248.0/21"})]
             + peering[:-1] + _examples(docs, "atlas_access_list", vpc_id) + peering[-1:])
    run = run_tasks(env, tmp_path, tasks, module_defaults=False)
    assert run.returncode == 0, run.stdout[-5000:]
    names = [t["name"] for t in tasks]
    assert [t[0] for t in run.tasks] == names
    for name, result, _duration in run.tasks:
        assert not result.get("failed"), (name, result.get("msg"))
    in_region = run["Read the container of the VPC's region (credentials from MONGODB_ATLAS_* environment variables)"]
    assert in_region["container"]["atlas_cidr_block"] == "10.8.0.0/21"
    assert run["Wait until Atlas reports it AVAILABLE"]["peering"]["status_name"] == "AVAILABLE"
    assert [e["aws_security_group"] for e in run["Make the access list exactly these entries"]["entries"]] == ["sg-0123456789abcdef0"]
    assert run["Delete it and wait until it is gone"]["changed"] is True
    assert sim.state()["peerings"] == []
