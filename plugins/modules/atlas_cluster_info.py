#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudwire.atlas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: atlas_cluster_info
short_description: Read the clusters of a MongoDB Atlas project and their connection strings
version_added: 0.1.0
description:
  - Reads the clusters of an Atlas project (every page), or one cluster by name, with their state, MongoDB version, regions and
    connection strings, including the private ones an application in a peered VPC uses.
  - Uses the clusters API's resource version C(2024-08-05) (the 2023-01-01 one is deprecated).
  - Read-only; never writes to Atlas.
options:
  name:
    description:
      - The name of one cluster. When given, only that cluster is read; RV(cluster) is it, or V(null) when the project has no
        cluster of that name.
    type: str
extends_documentation_fragment:
  - cloudwire.atlas.atlas
  - cloudwire.atlas.atlas.project
  - cloudwire.atlas.atlas.attributes
attributes:
  check_mode:
    support: full
    details: Read-only; check mode changes nothing.
  diff_mode:
    support: N/A
    details: Read-only; there is nothing to diff.
notes:
  - Atlas gives the network peering connection strings (RV(clusters[].connection_strings.private),
    RV(clusters[].connection_strings.private_srv)) only once the project has a peering C(AVAILABLE) in a region of the cluster; until
    then they are V(null). Hosts in the peered VPC resolve their hostnames to private addresses.
  - The connection strings carry no credentials; add the database user's name and password in the application.
seealso:
  - module: cloudwire.atlas.atlas_database_user
  - module: cloudwire.atlas.atlas_vpc_peering
author:
  - cloudwire platform engineering (@cloudwire)
"""

EXAMPLES = r"""
- name: Read every cluster of the project
  cloudwire.atlas.atlas_cluster_info:
    project_name: payments-dev
  register: atlas_clusters

- name: Read the shared cluster (credentials from the MONGODB_ATLAS_* environment variables)
  cloudwire.atlas.atlas_cluster_info:
    project_id: 5f3a556351db42631e16f33a
    name: shared-dev
  register: shared

- name: Hand the application its private SRV connection string (it resolves only over the peering)
  ansible.builtin.copy:
    dest: /etc/payments/mongodb-uri
    content: "{{ shared.cluster.connection_strings.private_srv }}\n"
    mode: "0644"
  when: shared.cluster and shared.cluster.connection_strings.private_srv
"""

RETURN = r"""
clusters:
  description: The project's clusters; with O(name), that one cluster (or none).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Atlas id of the cluster.
      type: str
      sample: 6a793f7fc0eb9e7a17716153
    name:
      description: Name of the cluster.
      type: str
      sample: shared-dev
    state_name:
      description: What Atlas is doing with the cluster (V(IDLE), V(CREATING), V(UPDATING), V(DELETING), V(REPAIRING)).
      type: str
      sample: IDLE
    paused:
      description: Whether the cluster is paused.
      type: bool
      sample: false
    cluster_type:
      description: V(REPLICASET), V(SHARDED) or V(GEOSHARDED).
      type: str
      sample: REPLICASET
    mongodb_version:
      description: The MongoDB version the cluster runs.
      type: str
      sample: 8.0.4
    mongodb_major_version:
      description: The MongoDB major version, when Atlas gives it.
      type: str
      sample: "8.0"
    create_date:
      description: When Atlas created the cluster (UTC).
      type: str
      sample: "2026-08-10T03:04:31Z"
    regions:
      description: Each region the cluster has nodes in, once.
      type: list
      elements: dict
      contains:
        region_name:
          description: The region in the Atlas form.
          type: str
          sample: US_EAST_1
        aws_region:
          description: The region in the AWS form, for an AWS region; otherwise V(null).
          type: str
          sample: us-east-1
        provider_name:
          description: The cloud of the region (V(AWS), V(AZURE), V(GCP)).
          type: str
          sample: AWS
        instance_size:
          description: The instance size of the electable nodes.
          type: str
          sample: M10
        node_count:
          description: The electable nodes in the region (all shards).
          type: int
          sample: 3
        priority:
          description: The region's election priority (7 is the highest).
          type: int
          sample: 7
    connection_strings:
      description: How applications connect; no string carries a credential.
      type: dict
      contains:
        standard:
          description: The public C(mongodb://) connection string.
          type: str
          sample: mongodb://shared-dev-shard-00-00.ab1cd.mongodb.net:27017,.../?ssl=true&authSource=admin&replicaSet=atlas-8dhkjj-shard-0
        standard_srv:
          description: The public C(mongodb+srv://) connection string.
          type: str
          sample: mongodb+srv://shared-dev.ab1cd.mongodb.net
        private:
          description: The network peering C(mongodb://) connection string, V(null) until the project has a peering AVAILABLE in a
            region of the cluster.
          type: str
          sample: mongodb://shared-dev-shard-00-00-pri.ab1cd.mongodb.net:27017,.../?ssl=true&authSource=admin&replicaSet=atlas-8dhkjj-shard-0
        private_srv:
          description: The network peering C(mongodb+srv://) connection string, V(null) until then.
          type: str
          sample: mongodb+srv://shared-dev-pri.ab1cd.mongodb.net
        private_endpoint:
          description: The connection strings of the cluster's private endpoints (PrivateLink), one element per endpoint.
          type: list
          elements: dict
cluster:
  description:
    - The cluster named by O(name), with the same keys as an element of RV(clusters).
    - V(null) when O(name) is not given or the project has no cluster of that name.
  returned: always
  type: dict
"""

from ansible_collections.cloudwire.atlas.plugins.module_utils import clusters, validators
from ansible_collections.cloudwire.atlas.plugins.module_utils.module import AtlasModule


def read(module, name):
    if name is None:
        found = clusters.list_all(module.client, module.project_id)
        module.exit_json(changed=False, clusters=[clusters.cluster_result(c) for c in found], cluster=None)
    raw = clusters.get(module.client, module.project_id, name)
    result = clusters.cluster_result(raw) if raw else None
    module.exit_json(changed=False, clusters=[result] if result else [], cluster=result)


def main():
    module = AtlasModule(argument_spec=dict(name=dict(type="str")), supports_check_mode=True)
    name = module.params["name"]
    if name is not None:
        name = module.validated("name", validators.cluster_name, name)
    module.run(read, module, name)


if __name__ == "__main__":
    main()
