# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins' tests share: running an action once with task args, as a worker process would, and the task
args of a connection to fake_atlas."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import MagicMock

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
