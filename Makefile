# cloudwire.atlas: every entry point a person or CI needs. `make demo` and `make test` do their own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# galaxy-importer pins attrs<24 and flake8<7 and must see no collection but ours, so it gets a venv of its own.
IMPORTER_VENV := .venv-importer
IMPORTER_STAMP := $(IMPORTER_VENV)/.installed
# ansible-test wants the collection at ansible_collections/<ns>/<name> with its dependencies beside it.
BUILD := .build/ansible_collections
STAGE := $(BUILD)/cloudwire/atlas
PYTEST_ARGS ?=

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help venv demo test sanity units integration pytest e2e lint galaxy-check docs-lint docs bench stage _stage_run changelog release-notes clean

help:
	@echo "make demo   - set up, start moto + the Atlas simulator, run playbooks/peer.yml against them, stop them"
	@echo "make test   - set up, then sanity, units, integration, lint, changelog and docs lint, the Galaxy import check and the pytest suites"
	@echo "make sanity | units | integration | pytest | e2e | lint | changelog | docs-lint | galaxy-check | bench | clean"
	@echo "make docs   - build the docs site (.build/docs/build/html); make release-notes - fold the changelog fragments into galaxy.yml's version"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt hack/setup_env.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	bash hack/setup_env.sh
	touch $@

$(IMPORTER_STAMP): hack/requirements-galaxy-importer.txt
	$(PYTHON) -m venv $(IMPORTER_VENV)
	$(IMPORTER_VENV)/bin/pip install --quiet --upgrade pip
	$(IMPORTER_VENV)/bin/pip install --quiet -r hack/requirements-galaxy-importer.txt
	touch $@

# A copy of the tracked tree where ansible-test wants it; amazon.aws from the venv goes next to it.
AMAZON_AWS = $$($(PY) -c 'import ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')
# ansible-test lists content with git from the nearest repository up the tree; without its own, a staged copy would
# see this checkout (where .build is ignored) and skip everything.
define stage_into
	mkdir -p $(1)/cloudwire/atlas $(1)/amazon
	git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C $(1)/cloudwire/atlas
	git -C $(1)/cloudwire/atlas init -q
	ln -sfn "$(AMAZON_AWS)" $(1)/amazon/aws
endef

stage: $(STAMP)
	rm -rf $(BUILD)
	$(call stage_into,$(BUILD))

# sanity, units and integration stage a private copy per run (engineers share one checkout and run them at the same time)
# and keep ansible-test's output in .build/output/<target>. $(3), when given, wraps the ansible-test command.
define ansible_test
	@set -euo pipefail; mkdir -p "$(CURDIR)/.build"; run=$$(mktemp -d "$(CURDIR)/.build/run-$(1).XXXXXX"); trap 'rm -rf "$$run"' EXIT; \
	$(MAKE) --no-print-directory _stage_run RUN_DIR="$$run/ansible_collections"; \
	status=0; (cd "$$run/ansible_collections/cloudwire/atlas" && $(3) "$(CURDIR)/$(BIN)/ansible-test" $(1) $(2)) || status=$$?; \
	rm -rf "$(CURDIR)/.build/output/$(1)"; mkdir -p "$(CURDIR)/.build/output"; \
	if [ -d "$$run/ansible_collections/cloudwire/atlas/tests/output" ]; then \
	  mv "$$run/ansible_collections/cloudwire/atlas/tests/output" "$(CURDIR)/.build/output/$(1)"; fi; \
	exit $$status
endef

_stage_run:
	@$(call stage_into,$(RUN_DIR))

sanity: $(STAMP)
	$(call ansible_test,sanity,--venv --python 3.11 --color no)

units: $(STAMP)
	$(call ansible_test,units,--venv --python 3.11 --color no --requirements)

# tests/integration/targets, one per module, against moto server and the Atlas simulator that hack/integration_servers.py
# starts for the run (their endpoints and keys in tests/integration/integration_config.yml of the staged copy).
INTEGRATION_ARGS ?=
integration: $(STAMP)
	$(call ansible_test,integration,--local --python 3.11 --color no $(INTEGRATION_ARGS),"$(CURDIR)/$(PY)" "$(CURDIR)/hack/integration_servers.py" --)

# antsibull-docs on a staged copy (amazon.aws beside it, nothing else): plugin and role docs, docs/docsite/links.yml,
# extra-docs.yml and the RST guides, every M()/O()/:ansplugin: reference resolved.
DOCS_ENV = ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_COLLECTIONS_PATH="$$run/ansible_collections" ANSIBLE_CONFIG="$$run/empty-ansible.cfg"
docs-lint: $(STAMP)
	@set -euo pipefail; mkdir -p "$(CURDIR)/.build"; run=$$(mktemp -d "$(CURDIR)/.build/run-docs.XXXXXX"); trap 'rm -rf "$$run"' EXIT; \
	$(MAKE) --no-print-directory _stage_run RUN_DIR="$$run/ansible_collections"; touch "$$run/empty-ansible.cfg"; \
	cd "$$run/ansible_collections/cloudwire/atlas"; \
	for attempt in 1 2; do \
	  if out=$$($(DOCS_ENV) "$(CURDIR)/$(BIN)/antsibull-docs" lint-collection-docs --plugin-docs \
	      --validate-collection-refs all --disallow-unknown-collection-refs --check-extra-docs-refs . 2>&1); then \
	    echo "$$out"; echo "docs-lint: OK"; exit 0; \
	  fi; \
	  echo "$$out"; \
	  grep -q 'Unknown target name: "antsibull-docs-' <<< "$$out" || exit 1; \
	  echo "docs-lint: antsibull-docs named its temporary directory with a trailing _ (an RST reference to nothing); once more"; \
	done; exit 1

# The docs site (Sphinx, Ansible theme) of the collection: .build/docs/build/html/index.html. Offline, so links into
# docs.ansible.com (amazon.aws, ansible-core) stay unresolved; hack/check_docsite.py fails on any other warning or a bad page.
docs: $(STAMP)
	@set -euo pipefail; mkdir -p "$(CURDIR)/.build"; run=$$(mktemp -d "$(CURDIR)/.build/run-docs.XXXXXX"); trap 'rm -rf "$$run"' EXIT; \
	$(MAKE) --no-print-directory _stage_run RUN_DIR="$$run/ansible_collections"; touch "$$run/empty-ansible.cfg"; \
	rm -rf "$(CURDIR)/.build/docs"; mkdir -m 700 "$(CURDIR)/.build/docs"; \
	$(DOCS_ENV) "$(CURDIR)/$(BIN)/antsibull-docs" sphinx-init --use-current --squash-hierarchy --fail-on-error \
	  --title "cloudwire.atlas" --dest-dir "$(CURDIR)/.build/docs" cloudwire.atlas >/dev/null; \
	cd "$(CURDIR)/.build/docs"; chmod 700 rst; \
	$(DOCS_ENV) "$(CURDIR)/$(BIN)/antsibull-docs" --config-file antsibull-docs.cfg collection --cleanup everything --use-current \
	  --squash-hierarchy --fail-on-error --dest-dir rst cloudwire.atlas; \
	"$(CURDIR)/$(BIN)/sphinx-build" -M html rst build -c . -q -w sphinx-warnings.txt || true; \
	"$(CURDIR)/$(PY)" "$(CURDIR)/hack/check_docsite.py" build/html sphinx-warnings.txt

pytest: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ansible-lint --offline

# Scripts under tests/ import the harness package tests/support as `support` (pytest.ini's pythonpath for pytest).
BENCH_ARGS ?=
bench: $(STAMP)
	PYTHONPATH="$(CURDIR)/tests" $(PY) tests/bench/run_bench.py $(BENCH_ARGS)

demo: $(STAMP)
	$(PY) hack/demo.py

changelog: $(STAMP)
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# Release notes for galaxy.yml's version: a version already in changelogs/changelog.yaml (not yet published) takes the
# fragments added since and the current plugin list; a new version is released from the fragments. CHANGELOG.rst follows.
VERSION = $$(sed -n 's/^version: *//p' galaxy.yml)
release-notes: $(STAMP)
	@version=$(VERSION); \
	if grep -q "^  $$version:$$" changelogs/changelog.yaml; then \
	  $(BIN)/antsibull-changelog release --version "$$version" --update-existing --reload-plugins --refresh-plugins allow-removal; \
	else $(BIN)/antsibull-changelog release --version "$$version" --reload-plugins; fi
	$(MAKE) --no-print-directory changelog

# The tarball through Galaxy's importer (ansible-doc, ansible-lint, flake8), then ansible-test sanity on the extracted
# tarball in place of the importer's container step (hack/galaxy_check.py; known warnings: docs/development.md).
galaxy-check: $(STAMP) $(IMPORTER_STAMP)
	$(PY) hack/galaxy_check.py --importer-venv $(IMPORTER_VENV)

# Every stage runs even when an earlier one fails, so one run shows every problem; pytest goes last so its summary
# line closes the output, and the exit status is non-zero if any stage failed.
TEST_STAGES := sanity units integration lint changelog docs-lint galaxy-check pytest
test: $(STAMP)
	@failed=""; for stage in $(TEST_STAGES); do \
	  echo "=== make $$stage"; $(MAKE) --no-print-directory $$stage || failed="$$failed $$stage"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: failed stage(s):$$failed" >&2; exit 1; fi

clean:
	rm -rf .build tests/output .pytest_cache
