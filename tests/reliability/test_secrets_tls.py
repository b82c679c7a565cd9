"""Secrets never reach output or artifacts; validate_certs defaults to true and is honoured.

Secret scans: playbooks/peer.yml converges inventories/local (3 hosts, one reached by sts:AssumeRole) through
ansible-runner at -vvv with --diff, with the database users phase on (a seeded cluster; two users whose passwords come from
the Ansible Vault file), then the drift check runs at -vvv with --diff with a service account, and a failing run with a
wrong key at -vvv. Every byte of output and every file under the runner's private data dir (its job events and set_stats
artifacts included) is searched for the Atlas private keys, the client secret, the AWS secret key, the database users'
passwords and the temporary keys and session tokens moto handed out for the assumed role (captured by the fault proxy), in
clear and base64-encoded.
"""

import base64
import datetime
import os
import secrets
import subprocess

import certifi
import pytest

from support.aws import create_existing_vpc
from support.paths import BIN, LOCAL_INVENTORY, REPO_ROOT
from support.playbooks import playbook_argv, playbook_env, run_tasks, write_play
from support.servers import AtlasSimulator, seed_project


def _needles(values):
    found = set()
    for value in values:
        if value and len(value) >= 8:
            found.add(value.encode())
            found.add(base64.b64encode(value.encode()))
    return found


def scan_bytes(data, needles, where):
    return ["%s contains %s" % (where, needle[:6] + b"...") for needle in needles if needle in data]


def scan_tree(root, needles):
    hits, files = [], 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                hits += scan_bytes(handle.read(), needles, os.path.relpath(path, root))
            files += 1
    return hits, files


@pytest.mark.slow
def test_no_secret_in_any_output_or_artifact(rel, tmp_path, figures):
    import ansible_runner  # pylint: disable=import-outside-toplevel

    sim, proxy = rel["sim"], rel["proxy"]
    service = {"client_id": "mdb_sa_id_" + secrets.token_hex(12), "client_secret": "mdb_sa_sk_" + secrets.token_hex(20)}
    sim.seed({"service_accounts": [dict(service, roles={rel["project_name"]: "read_only"})]})
    vpc_id = create_existing_vpc(rel["moto"].url)
    # The database users phase on: a cluster in both regions (it makes their containers with the inventory's CIDRs).
    sim.add_cluster(rel["project_id"], "shared-local", regions=["US_EAST_1", "EU_WEST_1"])
    env = playbook_env(rel["env"], json_output=False, CLOUDWIRE_LOCAL_EXISTING_VPC_ID=vpc_id, CLOUDWIRE_LOCAL_CLUSTER_NAME="shared-local",
                       PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    fixed = [rel["private_key"], rel["readonly_private_key"], service["client_secret"], rel["aws_secret_access_key"]]

    # 1. Converge through ansible-runner at -vvv with --diff. runner records the job's whole environment in its
    # artifacts/<id>/command file, so no credential travels as an environment variable here: the Atlas key comes from
    # an Ansible Vault file (the playbooks pass vpc_peering_atlas_*_key to the modules), the AWS key from a shared
    # credentials file named by AWS_SHARED_CREDENTIALS_FILE/AWS_PROFILE. Both files live outside the private data dir.
    private_data_dir = tmp_path / "runner"
    private_data_dir.mkdir()
    vault_args = _vault_files(tmp_path / "secrets", rel)
    runner_env = {k: v for k, v in env.items() if os.environ.get(k) != v or k == "PATH"}
    for name in ("MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        runner_env.pop(name, None)
    runner_env.update(AWS_SHARED_CREDENTIALS_FILE=vault_args["aws_credentials"], AWS_PROFILE="reliability")
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("MONGODB_ATLAS_", "AWS_")):
            del os.environ[name]
    try:
        runner = ansible_runner.run(private_data_dir=str(private_data_dir), project_dir=REPO_ROOT, playbook="playbooks/peer.yml",
                                    inventory=LOCAL_INVENTORY, envvars=runner_env, quiet=True, timeout=900, suppress_env_files=True,
                                    cmdline="--diff -vvv -e @%s --vault-password-file %s" % (vault_args["vars"], vault_args["password"]))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert runner.rc == 0, runner.stdout.read()[-5000:]
    assert proxy.captured_secrets, "the run assumed no role: the cross-account host did not run"
    users = {u["username"] for u in sim.state()["database_users"][rel["project_id"]]}
    assert users == {"orders-local", "payments-local"}, users  # the phase ran: its passwords are among the needles
    assert sim.verify_database_user_password(rel["project_id"], "orders-local", vault_args["database_passwords"][0])
    runner_stdout = runner.stdout.read().encode()
    # -vvv really is verbose: each module's invocation and every worker's connection are printed.
    assert len(runner_stdout) > 50000 and b"module_args" in runner_stdout and b"ESTABLISH LOCAL CONNECTION" in runner_stdout, len(runner_stdout)

    # 2. The drift check at -vvv --diff with a service account (the client secret is the one in play).
    sa_env = dict(env, MONGODB_ATLAS_CLIENT_ID=service["client_id"], MONGODB_ATLAS_CLIENT_SECRET=service["client_secret"],
                  MONGODB_ATLAS_PUBLIC_KEY="", MONGODB_ATLAS_PRIVATE_KEY="")
    check = subprocess.run(playbook_argv("peer.yml", "--check", "--diff", "-vvv"), cwd=REPO_ROOT, env=sa_env,
                           capture_output=True, check=False, timeout=900)
    assert check.returncode == 0, check.stdout[-5000:]
    assert not [w for w in sim.writes() if w["principal"] == service["client_id"]]  # the drift check wrote nothing
    assert any(r["principal"] == service["client_id"] for r in sim.requests())

    # 3. A failing run: a wrong private key at -vvv (errors are where secrets like to leak).
    wrong = secrets.token_hex(16)
    bad = subprocess.run(playbook_argv("peer.yml", "--check", "--diff", "-vvv", "--limit", "local-legacy-east"), cwd=REPO_ROOT,
                         env=dict(env, MONGODB_ATLAS_PRIVATE_KEY=wrong), capture_output=True, check=False, timeout=900)
    assert bad.returncode != 0 and b"API key was not accepted" in bad.stdout, bad.stdout[-3000:]

    needles = _needles(fixed + [wrong, vault_args["vault_password"]] + vault_args["database_passwords"] + sorted(proxy.captured_secrets))
    hits = scan_bytes(runner_stdout, needles, "runner stdout")
    tree_hits, files = scan_tree(str(private_data_dir), needles)
    hits += tree_hits
    for name, done in (("check", check), ("wrong-key run", bad)):
        hits += scan_bytes(done.stdout + done.stderr, needles, name + " output")
    searched = len(runner_stdout) + len(check.stdout) + len(check.stderr) + len(bad.stdout) + len(bad.stderr)
    assert files > 10, files
    assert hits == [], hits
    figures.add("secrets", runs=3, secrets_searched=len(fixed) + 4 + len(proxy.captured_secrets), artifact_files=files,
                output_bytes=searched, hits=len(hits))


def test_credentials_in_a_base_url_never_show(rel, tmp_path, figures):
    """A base URL holding a password (https://user:password@host) is refused before any request (by an Atlas module, the poll
    run on the controller, the role's input rules) and the password shows nowhere at -vvv: not in a message, not in a
    module's invocation, not in the plan's failure (on the controller, failing on another option first), not in a fact."""
    sim = rel["sim"]
    password = "url-pw-" + secrets.token_hex(12)
    with_password = rel["env"]["MONGODB_ATLAS_BASE_URL"].replace("://", "://ops:%s@" % password, 1)
    env = playbook_env(rel["env"], json_output=False)
    tasks = [
        {"name": "module", "cloudwire.atlas.atlas_container_info": {"base_url": with_password}, "ignore_errors": True},
        {"name": "plan", "cloudwire.atlas.vpc_peering_plan": {"base_url": with_password, "atlas_cidr_block": "192.168.248.0/21",
                                                              "vpcs": [], "region": "us-east-1"}, "ignore_errors": True},
        {"name": "poll", "cloudwire.atlas.vpc_peering_status": {"base_url": with_password, "peering_id": "5f3a556351db42631e16f33a",
                                                                "wait_for": "connection", "poll": 1, "polls": 1, "poll_seconds": 1},
         "ignore_errors": True},
    ]
    sim.clear_requests()
    tasks_run = subprocess.run(playbook_argv(write_play(tmp_path, tasks, rel["project_id"]), "-vvv", inventory="localhost,"), cwd=REPO_ROOT,
                               env=env, capture_output=True, check=False, timeout=600)
    out = tasks_run.stdout + tasks_run.stderr
    # The plan fails on its empty vpcs before its Atlas check: its answer must hide the password anyway; the module's invocation
    # (printed at -vvv) shows the URL masked.
    assert tasks_run.returncode == 0 and out.count(b"holds credentials before its host") >= 2, out[-5000:]
    assert b"must list at least one VPC" in out and b"base_url: http://ops:********@127.0.0.1:" in out, out[-5000:]
    assert b"ignored=3" in out, out[-3000:]  # each of the three tasks failed
    role_run = subprocess.run(playbook_argv("peer.yml", "-vvv", "--limit", "local-app-east", "-e", "vpc_peering_atlas_base_url=" + with_password),
                              cwd=REPO_ROOT, env=env, capture_output=True, check=False, timeout=600)
    role_out = role_run.stdout + role_run.stderr
    assert role_run.returncode != 0 and b"vpc_peering_atlas_base_url: 'http://***@127.0.0.1:" in role_out, role_out[-5000:]
    assert [r for r in sim.requests() if not r.get("challenge")] == [], "a base URL with a password reached Atlas"
    hits = scan_bytes(out + role_out, _needles([password]), "-vvv output")
    assert hits == [], hits
    figures.add("secrets_in_base_url", runs=2, tasks=len(tasks) + 1, output_bytes=len(out) + len(role_out), hits=len(hits))


def _vault_files(folder, rel):
    """An Ansible Vault vars file with the Atlas API key and the database users' passwords, its password file, and an AWS shared
    credentials file."""
    from ansible.constants import DEFAULT_VAULT_ID_MATCH  # pylint: disable=import-outside-toplevel
    from ansible.parsing.vault import VaultLib, VaultSecret  # pylint: disable=import-outside-toplevel

    folder.mkdir()
    password = secrets.token_hex(16)
    paths = {"vars": str(folder / "vault.yml"), "password": str(folder / "vault-pass"), "aws_credentials": str(folder / "aws-credentials")}
    database_passwords = ["pw-" + secrets.token_hex(12), "pw-" + secrets.token_hex(12)]
    plain = "vpc_peering_atlas_public_key: %s\nvpc_peering_atlas_private_key: %s\n" % (rel["public_key"], rel["private_key"])
    plain += "cloudwire_local_orders_password: %s\ncloudwire_local_payments_password: %s\n" % tuple(database_passwords)
    vault = VaultLib([(DEFAULT_VAULT_ID_MATCH, VaultSecret(password.encode()))])
    with open(paths["vars"], "wb") as handle:
        handle.write(vault.encrypt(plain))
    with open(paths["password"], "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    with open(paths["aws_credentials"], "w", encoding="utf-8") as handle:
        handle.write("[reliability]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (rel["aws_access_key_id"], rel["aws_secret_access_key"]))
    for path in paths.values():
        os.chmod(path, 0o600)
    paths["vault_password"] = password
    paths["database_passwords"] = database_passwords
    return paths


def _certificates(folder):
    """A CA and a server certificate for 127.0.0.1 signed by it (PEM files), made now."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel
    import ipaddress  # pylint: disable=import-outside-toplevel

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cloudwire reliability test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {name: str(folder / name) for name in ("ca.pem", "server.pem", "server.key")}
    with open(paths["ca.pem"], "wb") as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.key"], "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paths


def test_validate_certs_defaults_to_true_and_is_honoured(rel, tmp_path, figures):
    paths = _certificates(tmp_path)
    with AtlasSimulator(aws_endpoint=rel["moto"].url, tls_cert=paths["server.pem"], tls_key=paths["server.key"],
                        ca_bundle=paths["ca.pem"]) as tls_sim:
        assert tls_sim.url.startswith("https://127.0.0.1:")
        atlas = seed_project(tls_sim, "cloudwire-tls")
        tls = dict(rel, sim=tls_sim, **{k: atlas[k] for k in atlas})
        tls["env"] = dict(rel["env"], MONGODB_ATLAS_BASE_URL=atlas["base_url"], MONGODB_ATLAS_PUBLIC_KEY=atlas["public_key"],
                          MONGODB_ATLAS_PRIVATE_KEY=atlas["private_key"], MONGODB_ATLAS_PROJECT_ID=atlas["project_id"])
        tasks = [
            {"name": "default", "cloudwire.atlas.atlas_container_info": {}, "ignore_errors": True},
            {"name": "validate_certs true", "cloudwire.atlas.atlas_container_info": {"validate_certs": True}, "ignore_errors": True},
            {"name": "with the CA bundle", "cloudwire.atlas.atlas_container_info": {}, "environment": {"REQUESTS_CA_BUNDLE": paths["ca.pem"]}},
            # A CA bundle in the environment that does not hold our CA (as on many CI images) must not undo validate_certs=false.
            {"name": "validate_certs false", "cloudwire.atlas.atlas_container_info": {"validate_certs": False},
             "environment": {"REQUESTS_CA_BUNDLE": certifi.where(), "CURL_CA_BUNDLE": certifi.where()}},
        ]
        result = run_tasks(tls, tmp_path, tasks)
        for name in ("default", "validate_certs true"):
            refused = result[name]
            assert refused.get("failed"), refused
            assert "TLS certificate of %s was not trusted" % atlas["base_url"] in refused["msg"], refused["msg"]
            assert "CERTIFICATE_VERIFY_FAILED" in refused["msg"] or "certificate verify failed" in refused["msg"], refused["msg"]
            assert result.api_requests(name) == []  # refused before any request reached the API
        for name in ("with the CA bundle", "validate_certs false"):
            assert not result[name].get("failed") and result[name]["containers"] == [], result[name].get("msg")
            assert result.api_requests(name), name
    figures.add("tls", refused_by_default=2, accepted_with_ca_bundle=1, accepted_with_validate_certs_false=1)
