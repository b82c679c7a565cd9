"""The AWX credential type injects exactly what the modules read, and a module authenticates with nothing else.

AWX renders each injector template with the credential's inputs and sets the result in the job's environment, for
empty inputs too. These tests render the injectors the same way and run a real module with that environment only.
"""

import os
import secrets

import jinja2.sandbox
import pytest
import yaml

from support.paths import REPO_ROOT
from support.playbooks import run_tasks, task

CREDENTIAL_TYPE = os.path.join(REPO_ROOT, "awx", "credential_type.yml")


def load_credential_type():
    with open(CREDENTIAL_TYPE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def render_injectors(inputs):
    """What AWX puts in the job environment for a credential with these inputs (undefined inputs render through default)."""
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.Undefined)
    return {name: environment.from_string(template).render(**inputs)
            for name, template in load_credential_type()["injectors"]["env"].items()}


def module_env_fallbacks():
    """Every variable the connection options fall back to, from the argument spec every Atlas module uses (the checkout as
    cloudwire.atlas: .ansible/collections, on pytest.ini's pythonpath, as ansible-playbook finds it)."""
    from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import (  # pylint: disable=import-outside-toplevel
        atlas_argument_spec)
    return set(name for option in atlas_argument_spec().values() if "fallback" in option for name in option["fallback"][1])


def test_injectors_cover_every_connection_fallback():
    injected = set(load_credential_type()["injectors"]["env"])
    assert injected == module_env_fallbacks()


def test_secret_inputs_are_marked_secret():
    fields = {field["id"]: field for field in load_credential_type()["inputs"]["fields"]}
    assert fields["private_key"].get("secret") is True
    assert fields["client_secret"].get("secret") is True
    assert not fields["public_key"].get("secret")


def _run_with_injected_env(atlas_env, tmp_path, injected):
    # Only what the credential injects: drop whatever the harness put in MONGODB_ATLAS_*.
    clean = {name: value for name, value in os.environ.items() if not name.startswith("MONGODB_ATLAS_")}
    atlas_env = dict(atlas_env, env={k: v for k, v in atlas_env["env"].items() if not k.startswith("MONGODB_ATLAS_")})
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(clean)
    try:
        return run_tasks(atlas_env, tmp_path, [
            task("read containers", "atlas_container_info", {"project_id": atlas_env["project_id"]}),
        ], module_defaults=False, extra_env=injected)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_api_key_credential_authenticates(atlas_env, tmp_path):
    injected = render_injectors({"public_key": atlas_env["public_key"], "private_key": atlas_env["private_key"],
                                 "base_url": atlas_env["base_url"]})
    assert injected["MONGODB_ATLAS_CLIENT_ID"] == ""  # AWX sets unused inputs to empty strings
    run = _run_with_injected_env(atlas_env, tmp_path, injected)
    result = run["read containers"]
    assert not result.get("failed"), result.get("msg")
    assert result["containers"] == []
    assert any(r["principal"] == atlas_env["public_key"] for r in run.api_requests("read containers"))


def test_service_account_credential_authenticates(atlas_env, tmp_path):
    client_secret = secrets.token_hex(16)
    made = atlas_env["sim"].seed({"service_accounts": [{"client_secret": client_secret,
                                                        "roles": {atlas_env["project_name"]: "read_only"}}]})
    client_id = made["service_accounts"][0]["client_id"]
    injected = render_injectors({"client_id": client_id, "client_secret": client_secret, "base_url": atlas_env["base_url"]})
    assert injected["MONGODB_ATLAS_PUBLIC_KEY"] == ""
    run = _run_with_injected_env(atlas_env, tmp_path, injected)
    result = run["read containers"]
    assert not result.get("failed"), result.get("msg")
    assert client_secret not in run.stdout + run.stderr
    assert any(r["principal"] == client_id for r in run.api_requests("read containers"))


@pytest.mark.parametrize("inputs, missing", [
    ({}, "No Atlas credentials"),
])
def test_empty_credential_fails_clearly(atlas_env, tmp_path, inputs, missing):
    injected = render_injectors(dict(inputs, base_url=atlas_env["base_url"]))
    run = _run_with_injected_env(atlas_env, tmp_path, injected)
    result = run["read containers"]
    assert result.get("failed")
    assert missing in result["msg"]
