# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plan's and the AWS step's unit tests share: a real botocore EC2 client answered by botocore's Stubber (each call
checked against the expected operation and parameters, no HTTP), and a module whose exit_json/fail_json end the step."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import boto3
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper


class Ended(Exception):
    def __init__(self, result):
        super(Ended, self).__init__()
        self.result = result


class StubbedModule:
    """The part of amazon.aws's AnsibleAWSModule the steps use, with stubbed clients (``stubs[service]``)."""

    def __init__(self, params, check_mode=False, region="us-east-1"):
        self.params = params
        self.check_mode = check_mode
        self.region = region
        self.no_log_values = set()
        self.clients = {}
        self.stubs = {}

    def stub(self, service):
        if service not in self.stubs:
            client = boto3.session.Session().client(service, region_name=self.region, aws_access_key_id="AKIAUNIT",
                                                    aws_secret_access_key="unit-secret")
            self.clients[service] = client
            self.stubs[service] = Stubber(client)
            self.stubs[service].activate()
        return self.stubs[service]

    def client(self, service, retry_decorator=None):
        self.stub(service)
        client = self.clients[service]
        # As AnsibleAWSModule.client: the wrapper takes the aws_retry=True of the calls that retry.
        return client if retry_decorator is None else RetryingBotoClientWrapper(client, retry_decorator)

    def exit_json(self, **kwargs):
        raise Ended(kwargs)

    def fail_json(self, msg, **kwargs):
        raise Ended(dict(kwargs, failed=True, msg=msg))

    def fail_json_aws(self, exception, msg=None, **kwargs):
        self.fail_json(msg="%s: %s" % (msg, exception) if msg else str(exception), **kwargs)

    def fail_json_aws_error(self, exception):
        self.fail_json(msg=exception.message)
