"""Inventories written by a test for playbooks/peer.yml and unpeer.yml runs (support.playbooks), and what the runs did on
the reliability servers."""

import json

import yaml

GROUP_VARS = {
    "ansible_connection": "local",
    "ansible_python_interpreter": "{{ ansible_playbook_python }}",
    "vpc_peering_atlas_project_name": "{{ lookup('ansible.builtin.env', 'MONGODB_ATLAS_PROJECT_NAME') }}",
    "vpc_peering_atlas_cidr_block": "192.168.248.0/21",
    "vpc_peering_aws_endpoint_url": "{{ lookup('ansible.builtin.env', 'AWS_ENDPOINT_URL') }}",
    "vpc_peering_poll_seconds": 1,
    "vpc_peering_wait_timeout": 120,
}


def write_inventory(path, hosts, **group_vars):
    """hosts: name -> host vars; every host gets GROUP_VARS (overridable per host) plus group_vars."""
    variables = dict(GROUP_VARS, **group_vars)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"all": {"vars": variables, "hosts": hosts}}, handle, default_flow_style=False)
    return path


def host_failures(run_result):
    """host -> (task name, msg, assertion) of the task that failed on it."""
    failures = {}
    for play in (run_result.result or {}).get("plays", []):
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                if result.get("failed") and not result.get("ignore_errors") and host not in failures:
                    failures[host] = (task["task"]["name"], str(result.get("msg", "")), str(result.get("assertion", "")),
                                      json.dumps(result.get("results", ""))[:2000])
    return failures


def accepted_atlas_writes(sim):
    """Atlas writes the simulator carried out (or may have: a dropped answer) — refused ones left out."""
    return [r for r in sim.writes() if r["status"] is None or r["status"] < 400]


def accepted_aws_writes(proxy):
    return [c for c in proxy.writes() if c["status"] < 400]
