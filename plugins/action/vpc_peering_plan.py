# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.vpc_peering_plan: the plan of the vpc_peering role (both clouds read, every VPC planned), on the controller.

Why an action plugin: the plan is on the path of every run, a no-op and a drift check included. A module process first builds
its payload (amazon.aws's module code and this collection's), unpacks it and imports Ansible's module code: about 0.8 s here
before the first read. The worker process already has Ansible's code and reads at once. The plan itself is
module_utils/plan_step.py; the module of the same name runs it as a module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils import plan_step
from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepAction, WorkerAWSModule, run_step


class ActionModule(StepAction):
    def step(self, result):
        return run_step(result, lambda: WorkerAWSModule(self._task, "cloudwire.atlas.vpc_peering_plan", **plan_step.module_kwargs()),
                        plan_step.run)
