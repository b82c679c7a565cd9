# cloudwire.atlas: every entry point a person or CI needs. `make demo` and `make test` do their own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# ansible-test wants the collection at ansible_collections/<ns>/<name> with its dependencies beside it.
BUILD := .build/ansible_collections
STAGE := $(BUILD)/cloudwire/atlas
PYTEST_ARGS ?=

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help venv demo test sanity units pytest e2e lint bench stage changelog clean

help:
	@echo "make demo   - set up, start moto + the Atlas simulator, run playbooks/peer.yml against them, stop them"
	@echo "make test   - set up, then sanity, units and the pytest suites (contract, simulator, modules, end to end)"
	@echo "make sanity | units | pytest | e2e | lint | bench | changelog | clean"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt hack/setup_env.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	bash hack/setup_env.sh
	touch $@

# A copy of the tracked tree where ansible-test wants it; amazon.aws from the venv goes next to it.
stage: $(STAMP)
	rm -rf $(STAGE) && mkdir -p $(STAGE) $(BUILD)/amazon
	git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C $(STAGE)
	@# ansible-test lists content with git from the nearest repository up the tree; without its own, it would see
	@# this checkout (where .build is ignored) and skip everything.
	git -C $(STAGE) init -q
	ln -sfn "$$($(PY) -c 'import ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')" $(BUILD)/amazon/aws

sanity: stage
	cd $(STAGE) && $(CURDIR)/$(BIN)/ansible-test sanity --venv --python 3.11 --color no

units: stage
	cd $(STAGE) && $(CURDIR)/$(BIN)/ansible-test units --venv --python 3.11 --color no --requirements

pytest: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ansible-lint --offline

bench: $(STAMP)
	$(PY) tests/bench/run_bench.py

demo: $(STAMP)
	$(PY) hack/demo.py

changelog: $(STAMP)
	$(BIN)/antsibull-changelog lint

test: $(STAMP)
	$(MAKE) sanity
	$(MAKE) units
	$(MAKE) changelog
	$(MAKE) pytest

clean:
	rm -rf .build tests/output .pytest_cache
