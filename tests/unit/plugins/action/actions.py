# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins' tests share: running an action once with task args, as a worker process would, the task args of
a connection to fake_atlas, and the options a docs-only module file documents set beside the options its action takes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import MagicMock

import yaml

GROUP = "5e2211c17a3e5a48f5497de3"
ATLAS_ENV = ("MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET",
             "MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_PROJECT_ID", "MONGODB_ATLAS_PROJECT_NAME")


def run_action(plugin, check_mode=False, **args):
    """The result of ``plugin``'s ActionModule run once with these task args."""
    task = MagicMock(args=args, async_val=0, check_mode=check_mode, action="cloudwire.atlas." + plugin.__name__.rsplit(".", 1)[-1])
    connection = MagicMock()
    connection._shell.tmpdir = "/nonexistent"  # the actions need no remote tmp dir
    action = plugin.ActionModule(task=task, connection=connection, play_context=MagicMock(), loader=None, templar=None,
                                 shared_loader_obj=None)
    return action.run(task_vars={})


def atlas_connection(atlas, **args):
    """Task args with the connection to fake_atlas and the project."""
    return dict(args, base_url=atlas.url, public_key=atlas.public_key, private_key=atlas.private_key, project_id=GROUP)


def _described(options, nested):
    """Each option as its type, required, default, choices, elements and nested options (under ``nested``: "options" in an
    argument spec, "suboptions" in DOCUMENTATION)."""
    return dict((name, dict(type=option.get("type", "str"), required=bool(option.get("required")), default=option.get("default"),
                            choices=option.get("choices"), elements=option.get("elements"),
                            options=_described(option[nested], nested) if option.get(nested) else None))
                for name, option in options.items())


def documented_and_taken(doc_module, argument_spec):
    """(the options DOCUMENTATION lists, the options the spec takes), each option as its type, required, default, choices,
    elements and suboptions. A module file that only documents an action plugin has no argument_spec for ansible-test's
    validate-modules to compare with its docs; the connection options come from the doc fragments, checked apart."""
    return _described(yaml.safe_load(doc_module.DOCUMENTATION)["options"], "suboptions"), _described(argument_spec, "options")
