# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.vpc_peering_atlas: the Atlas step of a vpc_peering plan, on the controller.

Why an action plugin: the step is HTTP calls to Atlas and nothing else. A module process first builds and unpacks its payload
and imports Ansible's module code and requests (about 0.6 s here, on the path of every converge and teardown); the worker
process already has them. The step itself is module_utils/atlas_step.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.cloudwire.atlas.plugins.module_utils import atlas_step
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModuleMixin


class _Ended(Exception):
    """The step's exit_json or fail_json: the task's result."""

    def __init__(self, result):
        super(_Ended, self).__init__()
        self.result = result


class WorkerAtlasContext(AtlasModuleMixin):
    """What the step needs of a module (params, client, project id, the Atlas error handler), in the worker process."""

    def __init__(self, params):
        self.params = params
        self._init_atlas(project=True)

    @property
    def client(self):
        return self.atlas_client

    def fail_json(self, msg, **kwargs):
        raise _Ended(dict(kwargs, failed=True, msg=msg))

    def exit_json(self, **kwargs):
        raise _Ended(kwargs)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # no longer has any effect
        if self._task.check_mode:
            # As for a module without check mode support: the role runs it only in a normal run.
            return dict(result, skipped=True, msg="cloudwire.atlas.vpc_peering_atlas writes; it does not run in check mode")
        try:
            _validation, args = self.validate_argument_spec(**atlas_module_kwargs(atlas_step.argument_spec()))
        except AnsibleActionFail as exc:
            return dict(result, failed=True, msg=str(exc))
        try:
            atlas_step.apply(WorkerAtlasContext(args))
        except _Ended as ended:
            result.update(ended.result)
        return result
