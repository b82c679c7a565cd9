# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The AWS connection options of the modules built on amazon.aws's AnsibleAWSModule, documented here instead of with the
    # amazon.aws.common.modules, amazon.aws.region.modules and amazon.aws.boto3 fragments: Galaxy's importer runs ansible-doc
    # with only this collection installed, so a fragment of another collection makes every module of this one lose its docs
    # (see docs/development.md). The options must match AnsibleAWSModule's argument spec (names, aliases, types, defaults):
    # ansible-test's validate-modules checks it, and tests/unit/plugins/doc_fragments/test_aws.py compares this fragment
    # with amazon.aws's own where amazon.aws is installed.

    # cloudwire.atlas.aws: credentials, endpoint, TLS and botocore settings, and the Python requirements.
    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - AWS access key id.
      - If not set, the environment variable E(AWS_ACCESS_KEY_ID) is used, then E(AWS_ACCESS_KEY), then the AWS SDK's own
        configuration (shared credentials file, instance or container role).
      - Mutually exclusive with O(profile).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key of O(access_key).
      - If not set, the environment variable E(AWS_SECRET_ACCESS_KEY) is used, then E(AWS_SECRET_KEY).
      - Mutually exclusive with O(profile).
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS STS session token, for temporary credentials.
      - If not set, the environment variable E(AWS_SESSION_TOKEN) is used.
      - Mutually exclusive with O(profile).
    type: str
    aliases: [aws_session_token]
  profile:
    description:
      - Named profile of the AWS shared configuration files to authenticate with.
      - If not set, the environment variable E(AWS_PROFILE) is used, then E(AWS_DEFAULT_PROFILE).
      - Mutually exclusive with O(access_key), O(secret_key) and O(session_token).
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - URL of the AWS API to use instead of the default endpoints, for example an emulator.
      - If not set, the environment variable E(AWS_URL) is used.
    type: str
    aliases: [aws_endpoint_url]
  aws_ca_bundle:
    description:
      - Path of a CA bundle to verify the AWS endpoints' TLS certificates with.
      - If not set, the environment variable E(AWS_CA_BUNDLE) is used.
    type: path
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the AWS endpoints. Prefer O(aws_ca_bundle) to turning this off.
    type: bool
    default: true
  aws_config:
    description:
      - Settings for botocore's client configuration (C(botocore.config.Config)), for example C(retries) or C(connect_timeout).
    type: dict
  debug_botocore_endpoint_logs:
    description:
      - Whether to return the AWS API actions the task called, as C(resource_actions).
      - If not set, the environment variable E(ANSIBLE_DEBUG_BOTOCORE_LOGS) is used.
    type: bool
    default: false
requirements:
  - boto3 >= 1.34.0
  - botocore >= 1.34.0
notes:
  - Environment variables and AWS configuration files are read where the module runs (the managed host), not on the
    controller.
"""

    # cloudwire.atlas.aws.region: the AWS region.
    REGION = r"""
options:
  region:
    description:
      - The AWS region.
      - If not set, the environment variable E(AWS_REGION) is used, then E(AWS_DEFAULT_REGION), then the region of the AWS
        configuration files.
    type: str
    aliases: [aws_region]
"""
