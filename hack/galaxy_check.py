"""`make galaxy-check`: build the tarball and put it through what Galaxy and Automation Hub run on an upload.

1. `ansible-galaxy collection build` of the checkout (build_ignore in galaxy.yml decides what ships).
2. galaxy-importer on the tarball as Galaxy runs it: its own venv, no collection installed but the uploaded one, ansible-doc,
   ansible-lint (offline) and flake8 on (hack/galaxy-importer.cfg). It must end with "Importer processing completed
   successfully", log no ERROR line, return the docs of every module and the role, and log no WARNING line that is not in
   KNOWN_WARNINGS below (each explained, with its upstream issue, in docs/development.md).
3. The importer's ansible-lint once more with the collections galaxy.yml and awx/requirements.yml declare (amazon.aws,
   awx.awx from the development venv) on its path: no warning at all. So the known warnings of step 2 are only Galaxy not
   installing dependencies, and nothing else hides behind them.
4. `ansible-test sanity` on the extracted tarball, in place of the importer's ansible-test step (that one runs in a
   container; this machine and CI have no container engine).

Usage: galaxy_check.py --importer-venv DIR [--skip-sanity]. Output stays in .build/galaxy/ (tarball, importer logs,
importer_result.json) and .build/output/galaxy-sanity/.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV_BIN = os.path.dirname(os.path.abspath(sys.executable))
OUT = os.path.join(REPO_ROOT, ".build", "galaxy")
CONFIG = os.path.join(REPO_ROOT, "hack", "galaxy-importer.cfg")
SUCCESS = "Importer processing completed successfully"

# Warnings Galaxy's importer logs for this collection that are not ours to fix here; docs/development.md explains each.
# (pattern, why). A warning that matches none fails the check.
KNOWN_WARNINGS = [
    (r"^WARNING: awx/configure\.yml:\d+:\d+: syntax-check\[unknown-module\]: couldn't resolve module/action 'awx\.awx\.",
     "awx/configure.yml needs awx.awx (declared in awx/requirements.yml, not a dependency of the collection); the importer "
     "installs no collection (ansible/galaxy-dev#115)"),
    (r"^WARNING: roles/vpc_peering/tasks/\w+\.yml:\d+:\d+: syntax-check\[unknown-module\]: couldn't resolve module/action "
     r"'amazon\.aws\.",
     "the role's amazon.aws modules (sts_assume_role, cloudformation) cannot resolve: the importer installs no dependency "
     "(ansible/galaxy-dev#115)"),
]


def log(text):
    print(text, flush=True)


def run(argv, **kwargs):
    log("$ " + " ".join(argv))
    return subprocess.run(argv, check=False, **kwargs)


def importer_env(importer_bin, tmp, extra_python_path=None):
    """The environment Galaxy gives the importer: its venv first, no ansible.cfg of this checkout, no development venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "GALAXY_IMPORTER_", "PYTHON", "VIRTUAL_ENV"))}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and os.path.abspath(p) != DEV_BIN]
    env.update(PATH=os.pathsep.join([importer_bin] + path), GALAXY_IMPORTER_CONFIG=CONFIG, HOME=env.get("HOME", tmp),
               GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=os.path.join(tmp, "ansible-tmp"), TMPDIR=tmp, ANSIBLE_NOCOLOR="1")
    if extra_python_path:
        env["PYTHONPATH"] = extra_python_path
    return env


def run_importer(importer_bin, tarball, workdir, env):
    os.makedirs(workdir)
    for tool in ("ansible-doc", "ansible-lint", "flake8"):
        found = shutil.which(tool, path=env["PATH"])
        if not found or os.path.dirname(found) != importer_bin:
            raise SystemExit(f"galaxy-check: {tool} must come from the importer venv {importer_bin}, found {found}")
    done = run([os.path.join(importer_bin, "python"), "-m", "galaxy_importer.main", tarball], cwd=workdir, env=env,
               capture_output=True, text=True, timeout=900)
    output = (done.stdout + done.stderr).splitlines()
    result_path = os.path.join(workdir, "importer_result.json")
    result = None
    if os.path.exists(result_path):
        with open(result_path, encoding="utf-8") as handle:
            result = json.load(handle)
    return done.returncode, output, result


def judge_galaxy_run(rc, lines, result, problems):
    """Step 2: the verdict Galaxy shows, every warning accounted for, the docs Galaxy would render."""
    errors = [line for line in lines if line.startswith("ERROR")]
    warnings = [line for line in lines if line.startswith("WARNING")]
    problems += ["importer logged: " + line for line in errors]
    if rc != 0 or not lines or lines[-1].strip() != SUCCESS:
        problems.append(f"importer did not end with {SUCCESS!r} (rc {rc}, last line {lines[-1] if lines else None!r})")
    used = set()
    for line in warnings:
        known = [i for i, (pattern, _why) in enumerate(KNOWN_WARNINGS) if re.search(pattern, line)]
        if known:
            used.update(known)
        else:
            problems.append("unexplained importer warning (fix it, or explain it in docs/development.md and "
                            "hack/galaxy_check.py KNOWN_WARNINGS): " + line)
    for i, (_pattern, why) in enumerate(KNOWN_WARNINGS):
        log(f"  known warning {'seen' if i in used else 'NOT SEEN (remove the entry?)'}: {why}")
    if result is None:
        problems.append("importer wrote no importer_result.json")
        return
    blob = result.get("docs_blob") or {}
    docs = {(c.get("content_type"), c.get("content_name")): c for c in blob.get("contents", [])}
    modules = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO_ROOT, "plugins", "modules", "*.py")))
    for module in modules:
        doc_strings = (docs.get(("module", module)) or {}).get("doc_strings") or {}
        if not (doc_strings.get("doc") and doc_strings.get("return") is not None):
            problems.append(f"Galaxy would show no documentation for module {module} (ansible-doc failed in the importer)")
    roles = [c for c in blob.get("contents", []) if c.get("content_type") == "role"]
    if not any(r.get("content_name") == "vpc_peering" and (r.get("readme_html") or "").strip() for r in roles):
        problems.append("Galaxy would show no README for the role vpc_peering")
    if not (blob.get("collection_readme") or {}).get("html"):
        problems.append("Galaxy would show no collection README")


def dependency_path(tmp):
    """A sys.path entry holding the declared collections (from the development venv's `ansible` package)."""
    import ansible_collections.amazon.aws as amazon_aws  # pylint: disable=import-outside-toplevel
    import ansible_collections.awx.awx as awx_awx  # pylint: disable=import-outside-toplevel
    root = os.path.join(tmp, "deps")
    for namespace, package in (("amazon", amazon_aws), ("awx", awx_awx)):
        os.makedirs(os.path.join(root, "ansible_collections", namespace), exist_ok=True)
        os.symlink(list(package.__path__)[0], os.path.join(root, "ansible_collections", namespace, package.__name__.split(".")[-1]))
    return root


def sanity(tarball, tmp, problems):
    """Step 4: ansible-test sanity on exactly what ships, amazon.aws beside it, as the importer's container step would."""
    import ansible_collections.amazon.aws as amazon_aws  # pylint: disable=import-outside-toplevel
    root = os.path.join(tmp, "sanity", "ansible_collections")
    collection = os.path.join(root, "cloudwire", "atlas")
    os.makedirs(collection)
    with tarfile.open(tarball) as archive:
        archive.extractall(collection, filter="data")
    os.makedirs(os.path.join(root, "amazon"))
    os.symlink(list(amazon_aws.__path__)[0], os.path.join(root, "amazon", "aws"))
    # ansible-test lists content with git from the nearest repository up the tree: without its own it would see this checkout.
    # ansible-test's own output (tests/output, its delegation venv among it) is not content; the checkout's .gitignore says
    # so, but .gitignore does not ship.
    subprocess.run(["git", "init", "-q"], cwd=collection, check=True)
    with open(os.path.join(collection, ".git", "info", "exclude"), "a", encoding="utf-8") as handle:
        handle.write("/tests/output/\n")
    env = dict(os.environ)
    env.pop("ANSIBLE_CONFIG", None)
    done = run([os.path.join(DEV_BIN, "ansible-test"), "sanity", "--venv", "--python", "3.11", "--color", "no"], cwd=collection, env=env)
    output = os.path.join(REPO_ROOT, ".build", "output", "galaxy-sanity")
    shutil.rmtree(output, ignore_errors=True)
    if os.path.isdir(os.path.join(collection, "tests", "output")):
        shutil.move(os.path.join(collection, "tests", "output"), output)
    if done.returncode != 0:
        problems.append(f"ansible-test sanity failed on the extracted tarball (rc {done.returncode}); see .build/output/galaxy-sanity")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--importer-venv", required=True)
    parser.add_argument("--skip-sanity", action="store_true", help="steps 1-3 only")
    args = parser.parse_args()
    importer_bin = os.path.join(os.path.abspath(args.importer_venv), "bin")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="galaxy-run.", dir=os.path.dirname(OUT))
    problems = []
    started = time.monotonic()
    try:
        log("== 1/4 ansible-galaxy collection build")
        built = run([os.path.join(DEV_BIN, "ansible-galaxy"), "collection", "build", "--output-path", tmp, REPO_ROOT],
                    env={k: v for k, v in os.environ.items() if k != "ANSIBLE_CONFIG"})
        if built.returncode != 0:
            raise SystemExit("galaxy-check: ansible-galaxy collection build failed")
        (tarball,) = glob.glob(os.path.join(tmp, "cloudwire-atlas-*.tar.gz"))

        log("== 2/4 galaxy-importer as Galaxy runs it (no other collection installed)")
        rc, lines, result = run_importer(importer_bin, tarball, os.path.join(tmp, "import"), importer_env(importer_bin, tmp))
        log("\n".join("  | " + line for line in lines if not line.startswith("INFO")))
        judge_galaxy_run(rc, lines, result, problems)

        log("== 3/4 the importer's ansible-lint with the declared collections installed (amazon.aws, awx.awx)")
        env = importer_env(importer_bin, tmp, dependency_path(tmp))
        env.update(GALAXY_IMPORTER_RUN_FLAKE8="false", GALAXY_IMPORTER_RUN_ANSIBLE_DOC="false")
        rc2, lines2, _result = run_importer(importer_bin, tarball, os.path.join(tmp, "import-deps"), env)
        log("\n".join("  | " + line for line in lines2 if not line.startswith("INFO")))
        noisy = [line for line in lines2 if line.startswith(("WARNING", "ERROR"))]
        problems += ["with the declared collections installed, the importer logged: " + line for line in noisy]
        if rc2 != 0 or not lines2 or lines2[-1].strip() != SUCCESS:
            problems.append("with the declared collections installed, the importer did not complete successfully")

        if not args.skip_sanity:
            log("== 4/4 ansible-test sanity on the extracted tarball (instead of the importer's container step)")
            sanity(tarball, tmp, problems)

        shutil.rmtree(OUT, ignore_errors=True)
        os.makedirs(OUT)
        shutil.copy(tarball, OUT)
        with open(os.path.join(OUT, "importer.log"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        with open(os.path.join(OUT, "importer-with-dependencies.log"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines2) + "\n")
        if result is not None:
            with open(os.path.join(OUT, "importer_result.json"), "w", encoding="utf-8") as handle:
                json.dump(result, handle, indent=1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    took = time.monotonic() - started
    if problems:
        log(f"galaxy-check FAILED after {took:.0f} s:\n  - " + "\n  - ".join(problems))
        return 1
    log(f"galaxy-check OK after {took:.0f} s: {os.path.basename(tarball)} imports ({SUCCESS!r}, no ERROR, only the known "
        f"warnings), lints clean with its dependencies{'' if args.skip_sanity else ', passes ansible-test sanity'}; "
        f"logs in .build/galaxy/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
