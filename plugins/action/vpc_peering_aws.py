# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.vpc_peering_aws: the AWS step of the vpc_peering role, on the controller.

Why an action plugin: the step sits between the two waits of every converge. As a module it spent about 1 s before its first
call on building its payload, starting Python, importing Ansible's module code and boto3; in the worker process those are
done (plugin_utils/worker.py). The step itself is module_utils/aws_step.py, every call through amazon.aws's EC2 helpers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudwire.atlas.plugins.module_utils import aws_step
from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepAction, WorkerAWSModule, run_step


class ActionModule(StepAction):
    def step(self, result):
        return run_step(result, lambda: WorkerAWSModule(self._task, "cloudwire.atlas.vpc_peering_aws", aws_step.argument_spec()),
                        aws_step.apply)
