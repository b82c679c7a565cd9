# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudwire.atlas.vpc_peering_aws: the AWS step of a vpc_peering plan, with its waits, on the controller.

Why an action plugin: the step waits on Atlas around its writes (for the pcx- id before it accepts, for AVAILABLE after), and a
long wait must show its progress, which only the controller can print. Doing it here also takes the module process off the path
of every converge: the step's EC2 client is made while the first wait's first poll is still an interval away, so each VPC is
accepted as soon as Atlas gives its pcx- id. The step itself is module_utils/aws_step.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.utils.display import Display

from ansible_collections.cloudwire.atlas.plugins.module_utils import aws_step
from ansible_collections.cloudwire.atlas.plugins.plugin_utils.worker import StepAction, WorkerAWSModule, run_step

display = Display()


def say(name, line):
    """A wait's status at one poll, printed as the poll is made (a line of the run's output)."""
    display.display("%s: %s" % (name, line))


class ActionModule(StepAction):
    def step(self, result):
        return run_step(result, lambda: WorkerAWSModule(self._task, "cloudwire.atlas.vpc_peering_aws", **aws_step.module_kwargs()),
                        lambda module: aws_step.apply(module, say))
