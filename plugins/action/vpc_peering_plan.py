# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.vpc_peering_plan: the plan of the vpc_peering role, on the controller.

Why an action plugin: the plan is on the path of every run (converge, no-op, drift check, teardown). As a module it spent
about 1 s before its first call on building its payload, starting Python, importing Ansible's module code and boto3; in the
worker process those are done (plugin_utils/worker.py). The plan itself is module_utils/plan_step.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils import plan_step
from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs
from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepAction, WorkerAWSModule, run_step


class ActionModule(StepAction):
    def step(self, result):
        # Both clouds' options: amazon.aws's (WorkerAWSModule) and the Atlas connection's (atlas_module_kwargs).
        return run_step(result, lambda: WorkerAWSModule(self._task, "cloudwire.atlas.vpc_peering_plan", supports_check_mode=True,
                                                        **atlas_module_kwargs(plan_step.argument_spec())), plan_step.run)
