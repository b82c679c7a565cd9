"""Fixtures of the module suites: `play` runs module tasks in a real ansible-playbook against the simulator and moto."""

import functools

import pytest

from module_playbook import run_playbook


@pytest.fixture
def play(atlas_env, tmp_path):
    """play(tasks, **options) -> PlaybookRun; see module_playbook.run_playbook for the options."""
    return functools.partial(run_playbook, atlas_env, tmp_path)
