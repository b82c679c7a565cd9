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

from ansible_collections.cloudwire.atlas.plugins.module_utils import atlas_step
from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepAction, WorkerAtlasModule, run_step


class ActionModule(StepAction):
    def step(self, result):
        return run_step(result, lambda: WorkerAtlasModule(self._task, "cloudwire.atlas.vpc_peering_atlas", atlas_step.argument_spec()),
                        atlas_step.apply)
