# -*- coding: utf-8 -*-
# Copyright (c) cloudwire.atlas contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every layer of the Atlas client shares: the collection's name and version, the API version it speaks and the
environment variables of the connection options; and how an API path is written.

The one place the version is written in code (galaxy.yml holds it for packaging; a unit test keeps the two equal), as
amazon.aws keeps AMAZON_AWS_COLLECTION_VERSION in its module_utils/common.py. Imports only the standard library: every other
file may use it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

COLLECTION_NAME = "cloudwire.atlas"
COLLECTION_VERSION = "0.1.0"

DEFAULT_BASE_URL = "https://cloud.mongodb.com"
API_PREFIX = "/api/atlas/v2"
# The resource version of every network, access-list, project and database-user endpoint (their only one); the default of a call.
API_VERSION = "2023-01-01"
# The clusters endpoints (listClusters, getCluster) have three: 2023-01-01 (LegacyAtlasCluster, sunset 2026-11-30), 2023-02-01
# (sunset 2026-03-01) and 2024-08-05 (ClusterDescription20240805, current). The resource files name the version per call.
CLUSTERS_API_VERSION = "2024-08-05"
MEDIA_TYPE = "application/vnd.atlas.%s+json"
ACCEPT = MEDIA_TYPE % API_VERSION

# The variables the connection options fall back to: the names the Atlas CLI and the Terraform provider read.
CREDENTIAL_ENV = dict(
    public_key="MONGODB_ATLAS_PUBLIC_KEY",
    private_key="MONGODB_ATLAS_PRIVATE_KEY",
    client_id="MONGODB_ATLAS_CLIENT_ID",
    client_secret="MONGODB_ATLAS_CLIENT_SECRET",
)
BASE_URL_ENV = "MONGODB_ATLAS_BASE_URL"


def accept(version=None):
    """The versioned media type of a resource version (API_VERSION when None)."""
    return MEDIA_TYPE % (version or API_VERSION)


def api_path(template, **values):
    """A path relative to API_PREFIX from one of the resource files' templates, every value quoted whole.

    ``api_path("/groups/{project_id}/accessList/{entry}", project_id=p, entry="10.0.0.0/16")`` ->
    ``/groups/p/accessList/10.0.0.0%2F16`` (Atlas wants a CIDR's slash as %2F).
    """
    return template.format(**dict((name, quote(str(value), safe="")) for name, value in values.items()))
