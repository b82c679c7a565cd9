"""Write the description-free extract of the Atlas Admin API spec that the contract tests validate against.

    PYTHONPATH=tests python tests/contract/extract_schemas.py          # read ../shared/atlas-openapi/..., write atlas_schemas.json
    PYTHONPATH=tests python tests/contract/extract_schemas.py --check  # exit 1 when the committed extract is out of date

Keeps the operations of the paths the collection uses and every component they reference (transitively); drops
prose (description, summary, example(s), externalDocs, x-* extensions) so the file stays small and stable.
"""

import argparse
import json
import os
import sys

import yaml

from support.paths import REPO_ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(os.path.dirname(REPO_ROOT), "shared", "atlas-openapi", "atlas-admin-v2-2023-01-01.yaml")
DEFAULT_OUTPUT = os.path.join(HERE, "atlas_schemas.json")
PATHS = (
    "/api/atlas/v2/groups/byName/{groupName}",
    "/api/atlas/v2/groups/{groupId}/containers",
    "/api/atlas/v2/groups/{groupId}/containers/all",
    "/api/atlas/v2/groups/{groupId}/containers/{containerId}",
    "/api/atlas/v2/groups/{groupId}/peers",
    "/api/atlas/v2/groups/{groupId}/peers/{peerId}",
    "/api/atlas/v2/groups/{groupId}/accessList",
    "/api/atlas/v2/groups/{groupId}/accessList/{entryValue}",
    "/api/atlas/v2/groups/{groupId}/accessList/{entryValue}/status",
    "/api/atlas/v2/groups/{groupId}/databaseUsers",
    "/api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}",
)
METHODS = ("get", "post", "patch", "put", "delete")
# Paths of which the simulator serves only some operations: only those are extracted.
SOME_METHODS = {
    "/api/atlas/v2/groups/{groupId}": ("get",),  # getProject; updating or deleting a project is no operation of the collection
    # listClusters and getCluster (their 2023-01-01 version here); creating or changing clusters is no operation of the collection
    "/api/atlas/v2/groups/{groupId}/clusters": ("get",),
    "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}": ("get",),
}
# Components no extracted operation names in this file, kept for the later resource versions contract_schemas.py describes:
# the 2024-08-05 clusters answer's region configs (the file holds these schemas for other operations).
EXTRA_SCHEMAS = ("CloudRegionConfig20240805",)
PROSE = ("description", "summary", "example", "examples", "externalDocs", "tags")


def strip(node, in_properties=False):
    """Drop prose keys; under `properties` every key is a property name and is kept."""
    if isinstance(node, dict):
        kept = {}
        for key, value in node.items():
            if not in_properties and (key in PROSE or key.startswith("x-")):
                continue
            kept[key] = strip(value, in_properties=(key == "properties" and not in_properties))
        return kept
    if isinstance(node, list):
        return [strip(item) for item in node]
    return node


def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key == "mapping" and isinstance(value, dict):
                yield from (v for v in value.values() if isinstance(v, str))
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def extract(spec):
    paths = {}
    for path in PATHS + tuple(SOME_METHODS):
        item = spec["paths"][path]
        paths[path] = {method: strip(item[method]) for method in SOME_METHODS.get(path, METHODS) if method in item}
        if "parameters" in item:
            paths[path]["parameters"] = strip(item["parameters"])
    components = {}
    pending = list(references(paths)) + ["#/components/schemas/%s" % name for name in EXTRA_SCHEMAS]
    while pending:
        ref = pending.pop()
        _hash, _components, kind, name = ref.split("/", 3)
        if name in components.get(kind, {}):
            continue
        component = strip(spec["components"][kind][name])
        components.setdefault(kind, {})[name] = component
        pending.extend(references(component))
    return {
        "source": {"file": os.path.basename(DEFAULT_SPEC), "openapi": spec["openapi"], "info.version": spec["info"]["version"],
                   "x-xgen-sha": spec["info"].get("x-xgen-sha")},
        "paths": paths,
        "components": components,
    }


def render(document):
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def load_spec(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as spec_file:
        return yaml.load(spec_file, Loader=loader)  # nosec - SafeLoader


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=DEFAULT_SPEC)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed extract instead of writing it")
    args = parser.parse_args(argv)
    text = render(extract(load_spec(args.spec)))
    if args.check:
        with open(args.output, encoding="utf-8") as current:
            if current.read() != text:
                print(f"{args.output} is out of date: run PYTHONPATH=tests python tests/contract/extract_schemas.py", file=sys.stderr)
                return 1
        return 0
    with open(args.output, "w", encoding="utf-8") as output:
        output.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
