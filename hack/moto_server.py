"""moto server with one fix that real AWS does not need: CloudFormation deletes the route tables it created.

moto 5.x never deletes an AWS::EC2::RouteTable when it deletes a stack (RouteTable has no delete_from_cloudformation_json),
so the stack's VPC then refuses deletion with DependencyViolation and moto drops the stack record anyway, leaving the VPC
behind. AWS deletes them. tests/support/servers.py's MotoServer (every test suite, `make demo`, `make bench`) starts moto
through this file, so a teardown can be checked for leftovers.

    python hack/moto_server.py -H 127.0.0.1 -p PORT      (same arguments as moto_server)
"""

import sys

from moto.ec2.models import ec2_backends
from moto.ec2.models.route_tables import RouteTable
from moto.server import main


def _delete_route_table_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name):  # pylint: disable=unused-argument
    backend = ec2_backends[account_id][region_name]
    if resource_name not in backend.route_tables:
        return
    # Associations CloudFormation made are moto-internal; AWS removes them with the stack.
    backend.route_tables[resource_name]._associations.clear()  # pylint: disable=protected-access
    backend.delete_route_table(resource_name)


if not hasattr(RouteTable, "_cloudwire_patched"):
    RouteTable.delete_from_cloudformation_json = classmethod(_delete_route_table_from_cloudformation)
    RouteTable._cloudwire_patched = True  # pylint: disable=protected-access

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
