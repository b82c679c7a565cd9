# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options of every module: cloudwire.atlas.atlas (matches module_utils/atlas_options.py atlas_argument_spec).
    DOCUMENTATION = r"""
options:
  public_key:
    description:
      - Public half of an Atlas programmatic API key, used with O(private_key) for HTTP Digest authentication.
      - If not set, the environment variable E(MONGODB_ATLAS_PUBLIC_KEY) is used.
      - Give either an API key (O(public_key) and O(private_key)) or a service account (O(client_id) and O(client_secret)).
    type: str
  private_key:
    description:
      - Private half of the Atlas API key named by O(public_key).
      - If not set, the environment variable E(MONGODB_ATLAS_PRIVATE_KEY) is used.
    type: str
  client_id:
    description:
      - Client id of an Atlas service account (V(mdb_sa_id_...)), used with O(client_secret) to obtain one OAuth 2.0
        access token per module run.
      - If not set, the environment variable E(MONGODB_ATLAS_CLIENT_ID) is used.
      - Mutually exclusive with O(public_key) and O(private_key).
    type: str
  client_secret:
    description:
      - Client secret of the service account named by O(client_id).
      - If not set, the environment variable E(MONGODB_ATLAS_CLIENT_SECRET) is used.
    type: str
  base_url:
    description:
      - Base URL of the Atlas Administration API, without C(/api/atlas/v2), as an C(https://) (or C(http://)) URL naming a host.
        Any other value fails before the first request, naming this option.
      - Credentials before the host (C(https://user:password@host)) are refused too, and hidden from the failure and its
        invocation. Atlas takes none in the URL, give the API key as O(public_key) and O(private_key) instead.
      - If not set, the environment variable E(MONGODB_ATLAS_BASE_URL) is used, and if that is not set either,
        V(https://cloud.mongodb.com).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(base_url).
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer, a whole number greater than 0.
      - Throttled (429) and failed (500, 502, 503, 504) calls are retried with backoff for up to 300 seconds per call;
        no single attempt waits past that deadline.
    type: int
    default: 30
requirements:
  - requests
notes:
  - The API key or service account needs its own API access list to include the address this module runs from (Organization
    Access Manager); this is not the project IP access list.
  - Calls that Atlas throttles (HTTP 429) or fails with 500, 502, 503 or 504 are retried with exponential backoff, honouring
    C(Retry-After). A write whose connection drops after it was sent is never re-sent; the module re-reads instead.
"""

    # project_id / project_name: cloudwire.atlas.atlas.project
    PROJECT = r"""
options:
  project_id:
    description:
      - Id of the Atlas project (24 hex digits).
      - Exactly one of O(project_id) and O(project_name) is required.
    type: str
  project_name:
    description:
      - Name of the Atlas project, looked up with C(GET /groups/byName/{name}).
      - Exactly one of O(project_id) and O(project_name) is required.
    type: str
"""

    # check mode, diff mode and the action group: cloudwire.atlas.atlas.attributes
    ATTRIBUTES = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  action_group:
    description: Use C(group/cloudwire.atlas.atlas) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudwire.atlas.atlas
"""
