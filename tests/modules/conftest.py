"""Fixtures of the module suites: `play` runs module tasks in a real ansible-playbook against the simulator and moto."""

import functools

import pytest

from support.playbooks import run_tasks


@pytest.fixture
def play(atlas_env, tmp_path):
    """play(tasks, **options) -> PlaybookRun; see support.playbooks.run_tasks for the options."""
    return functools.partial(run_tasks, atlas_env, tmp_path)
