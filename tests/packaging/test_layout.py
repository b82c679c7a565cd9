"""The layout of tests/: tests/README.md maps every suite, `make test` runs every suite, pytest collects every test from the
root, module names are unique, and the unit tests mirror plugins/."""

import configparser
import glob
import importlib
import os
import re
import subprocess
import sys

from support.paths import REPO_ROOT, TESTS_DIR

README = os.path.join(TESTS_DIR, "README.md")
# Run by `make test` outside pytest.ini's testpaths: ansible-test units and ansible-test integration.
ANSIBLE_TEST_SUITES = {"unit", "integration"}
# Not suites: the helper package, and what the suites write.
NOT_SUITES = {"support", "output", "__pycache__"}
MIRRORED = ("module_utils", "filter", "action", "plugin_utils")


def readme_text():
    with open(README, encoding="utf-8") as handle:
        return handle.read()


def table_rows(first_cell):
    """The rows of the README's tables whose first cell matches `first_cell` (a regex with one group): group -> cells."""
    rows = {}
    for line in readme_text().splitlines():
        found = re.match(r"\| " + first_cell + r" \|", line)
        if found:
            rows[found.group(1)] = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return rows


def suite_rows():
    """tests/<name> -> the cells of its row in the README's table of suites."""
    return table_rows(r"`tests/([a-z0-9_]+)/`")


def make_targets():
    with open(os.path.join(REPO_ROOT, "Makefile"), encoding="utf-8") as handle:
        return set(re.findall(r"^([a-z][a-z0-9_-]*):", handle.read(), re.M))


def directories():
    return {name for name in os.listdir(TESTS_DIR) if os.path.isdir(os.path.join(TESTS_DIR, name)) and name not in NOT_SUITES}


def python_files():
    for folder, dirs, files in os.walk(TESTS_DIR):
        dirs[:] = [d for d in dirs if d not in ("output", "__pycache__")]
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def test_the_readme_has_one_row_per_suite_directory():
    rows = suite_rows()
    assert set(rows) == directories(), "tests/README.md's table of suites and the directories of tests/ differ"
    targets = make_targets()
    for name, cells in rows.items():
        assert len(cells) == 5 and all(cells), (name, cells)  # suite, what it proves, servers, time, make target
        assert re.search(r"\d+ (s|min)\b", cells[3]), (name, "a time in seconds or minutes", cells[3])
        named = re.findall(r"`make ([a-z][a-z0-9_-]*)", cells[4])
        assert named and set(named) <= targets, (name, "make targets of the Makefile", cells[4])
    assert "`tests/support/`" in readme_text()


def test_the_readme_lists_every_module_of_tests_support_and_what_it_holds():
    rows = table_rows(r"`support\.([a-z_]+)`")
    present = {name[:-3] for name in os.listdir(os.path.join(TESTS_DIR, "support")) if name.endswith(".py") and name != "__init__.py"}
    assert set(rows) == present, "tests/README.md's table of tests/support and the package's modules differ"
    for name, cells in rows.items():
        module = importlib.import_module("support." + name)
        absent = [word for word in re.findall(r"`([A-Za-z_]\w*)`", cells[1]) if not hasattr(module, word)]
        assert absent == [], ("support." + name, "names the README gives it but it has not")


def test_every_file_the_readme_names_exists():
    """A path in backquotes (tests/..., or a helper file's name such as `bench/bench_lib.py`) names something of the tree."""
    missing = []
    for token in set(re.findall(r"`([^`\s]+)`", readme_text())):
        token = re.sub(r"<\w+>", "*", token.rstrip("/"))  # test_play_<module>.py: any module
        if not re.fullmatch(r"[\w*./-]+/[\w*./-]*|[\w*-]+\.py", token) or token.startswith("."):
            continue  # not a path (a function, a variable, .ansible/collections made by make venv)
        # From the root (tests/unit, hack/...), or a helper's name inside its suite (bench/bench_lib.py, fake_atlas.py).
        if not glob.glob(os.path.join(REPO_ROOT, token)) and not glob.glob(os.path.join(TESTS_DIR, "**", token), recursive=True):
            missing.append(token)
    assert sorted(missing) == []


def test_make_test_runs_every_suite():
    """Every directory holding test files is in pytest.ini's testpaths (make pytest) or runs under ansible-test."""
    config = configparser.ConfigParser()
    config.read(os.path.join(REPO_ROOT, "pytest.ini"))
    testpaths = {path.split("/", 1)[1] for path in config["pytest"]["testpaths"].split()}
    with_tests = {os.path.relpath(path, TESTS_DIR).split(os.sep)[0] for path in python_files() if os.path.basename(path).startswith("test_")}
    assert with_tests - ANSIBLE_TEST_SUITES <= testpaths, with_tests - ANSIBLE_TEST_SUITES - testpaths
    assert testpaths <= directories()


def test_file_names_are_unique_across_tests():
    """pytest imports a test file (and the helpers beside it) by its basename: two with one name make `import file mismatch`.
    A package's modules (tests/support, the simulator's) could share one, but unique names also say where a thing is."""
    seen = {}
    for path in python_files():
        name = os.path.basename(path)
        if name not in ("conftest.py", "__init__.py"):
            seen.setdefault(name, []).append(os.path.relpath(path, TESTS_DIR))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}


def test_unit_tests_mirror_plugins():
    """tests/unit/plugins/<type>/test_<file>.py for each file of plugins/module_utils, filter and action, and no unit test
    file named after a plugin file that does not exist."""
    plugins = os.path.join(REPO_ROOT, "plugins")
    unit = os.path.join(TESTS_DIR, "unit", "plugins")
    missing = ["%s/%s" % (kind, name) for kind in MIRRORED for name in os.listdir(os.path.join(plugins, kind))
               if name.endswith(".py") and name != "__init__.py" and not os.path.exists(os.path.join(unit, kind, "test_" + name))]
    assert missing == [], "plugin files without their unit test file"
    stray = ["%s/%s" % (kind, name) for kind in os.listdir(unit) if os.path.isdir(os.path.join(unit, kind))
             for name in os.listdir(os.path.join(unit, kind))
             if name.startswith("test_") and not os.path.exists(os.path.join(plugins, kind, name[len("test_"):]))]
    assert stray == [], "unit test files named after no plugin file"


def test_pytest_collects_every_test_from_the_root():
    """`pytest tests` (tests/unit too) collects with no error: no import mismatch, no helper missing from the path."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    assert re.search(r"^\d+ tests collected", done.stdout, re.M), done.stdout[-2000:]


def test_no_test_code_edits_the_import_path():
    """Helpers come from tests/support through pytest.ini's pythonpath (scripts: PYTHONPATH=tests), never from sys.path edits."""
    edits = re.compile(r"sys\.path\.(insert|append)\(|sys\.path\[:0\]")
    found = []
    for path in python_files():
        with open(path, encoding="utf-8") as handle:
            found += ["%s:%d" % (os.path.relpath(path, TESTS_DIR), number) for number, line in enumerate(handle, 1) if edits.search(line)]
    assert found == []
