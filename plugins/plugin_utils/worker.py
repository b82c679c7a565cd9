# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the role's steps done in the controller's worker process share: the Atlas step, the AWS step and the polls are action
plugins, with no module process (the Atlas step is HTTP calls only, a poll would otherwise start a process each time, and the
AWS step waits on Atlas around its writes and prints the status at each poll, which a module cannot).

``StepAction`` is the action plugin of such a step. ``WorkerModule`` is the part of AnsibleModule a step uses: the task's
arguments validated against the step's spec (aliases, defaults, environment fallbacks, the no_log values they carry), check
mode, warnings, and ``exit_json``/``fail_json``, which end the step with the task's result, every no_log value removed from
it. ``WorkerAtlasModule`` adds what AtlasModule gives this collection's modules: the Atlas connection and project options, the
client and the project id. ``WorkerAWSModule`` adds what amazon.aws's AnsibleAWSModule gives its modules: the AWS connection
options, ``region`` and ``client``, through amazon.aws's own connection functions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common._collections_compat import Mapping
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.botocore import boto3_conn, get_aws_connection_info, get_aws_region
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.cloudwire.atlas.plugins.module_utils.atlas_options import atlas_module_kwargs
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModuleMixin


class StepEnded(Exception):
    """A step's exit_json or fail_json: ``result`` is the task's result."""

    def __init__(self, result):
        super(StepEnded, self).__init__()
        self.result = result


def plain(value):
    """``value`` in the plain types a module gets its arguments in (JSON's). Task arguments carry ansible-core's tagged
    subclasses of str, dict and list; libyaml's loader, for one, refuses a str subclass."""
    if isinstance(value, Mapping):
        return dict((plain(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


class WorkerModule:
    """AnsibleModule's interface to a step, in the worker process of the task that runs it."""

    def __init__(self, task, name, argument_spec, supports_check_mode=False, mutually_exclusive=None, required_together=None,
                 required_one_of=None, required_if=None, required_by=None):
        self._name = name
        self.check_mode = bool(task.check_mode)
        self._diff = bool(task.diff)
        self._warnings = []
        validator = ArgumentSpecValidator(argument_spec, mutually_exclusive=mutually_exclusive, required_together=required_together,
                                          required_one_of=required_one_of, required_if=required_if, required_by=required_by)
        validation = validator.validate(plain(task.args))
        # pylint: disable-next=protected-access
        self.no_log_values = set(validation._no_log_values)
        self.params = validation.validated_parameters
        if validation.error_messages:
            self.fail_json(msg=validation.errors.msg)
        if self.check_mode and not supports_check_mode:
            self._end(dict(skipped=True, msg="%s writes; it does not run in check mode" % name))

    def warn(self, warning):
        self._warnings.append(warning)

    def _end(self, result):
        if self._warnings:
            result.setdefault("warnings", list(self._warnings))
        raise StepEnded(remove_values(result, self.no_log_values))

    def exit_json(self, **kwargs):
        self._end(dict(kwargs, changed=bool(kwargs.get("changed", False))))

    def fail_json(self, msg, exception=None, **kwargs):
        failure = dict(kwargs, failed=True, msg=msg)
        if isinstance(exception, str):
            failure["exception"] = exception  # a traceback, as a module returns it (shown at -vvv)
        self._end(failure)


class WorkerAtlasModule(AtlasModuleMixin, WorkerModule):
    """AtlasModule's interface to a step: the Atlas connection and project options, a client made on first use, the project id,
    the one handler of Atlas errors."""

    def __init__(self, task, name, argument_spec, supports_check_mode=False, **rules):
        WorkerModule.__init__(self, task, name, supports_check_mode=supports_check_mode, **atlas_module_kwargs(argument_spec, **rules))
        self._init_atlas(project=True)

    @property
    def client(self):
        return self.atlas_client


class WorkerAWSModule(WorkerModule):
    """AnsibleAWSModule's interface to a step: amazon.aws's connection options (its spec wins where both name an option, as in
    AnsibleAWSModule), the region and clients."""

    def __init__(self, task, name, argument_spec, **rules):
        spec = dict(argument_spec)
        spec.update(aws_argument_spec())
        WorkerModule.__init__(self, task, name, spec, **rules)

    @property
    def region(self):
        return get_aws_region(self)

    def client(self, service, retry_decorator=None):
        region, endpoint_url, connect_kwargs = get_aws_connection_info(self)
        conn = boto3_conn(self, conn_type="client", resource=service, region=region, endpoint=endpoint_url, **connect_kwargs)
        return conn if retry_decorator is None else RetryingBotoClientWrapper(conn, retry_decorator)

    def fail_json_aws(self, exception, msg=None, **kwargs):
        """As AnsibleAWSModule's (boto3_conn calls it): the message and AWS's error."""
        error = str(getattr(exception, "message", None) or exception)
        self.fail_json(msg="%s: %s" % (msg, error) if msg else error, **kwargs)

    def fail_json_aws_error(self, exception):
        """As AnsibleAWSModule's: the failure of an amazon.aws helper (AnsibleAWSError), with AWS's error when it carries one."""
        if exception.exception:
            self.fail_json_aws(exception.exception, msg=exception.message)
        self.fail_json(msg=exception.message)


class StepAction(ActionBase):
    """The action plugin of a step done in the worker process: no module process, no connection, no files to transfer."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(StepAction, self).run(tmp, task_vars)
        del tmp  # no longer has any effect
        return self.step(result)

    def step(self, result):
        """The task's result: ``result`` (ActionBase's) completed by the step."""
        raise NotImplementedError


def run_step(result, build, step):
    """``step(build())``, which ends with exit_json or fail_json: ``result`` updated with that ending."""
    try:
        step(build())
    except StepEnded as ended:
        result.update(ended.result)
        return result
    raise RuntimeError("the step returned without exit_json or fail_json")
