"""Validate simulator responses against the extract of the official Atlas spec (atlas_schemas.json).

OpenAPI 3.0 dialect (openapi-schema-validator's OAS30ReadValidator: readOnly allowed, writeOnly refused in responses),
`$ref`s resolved inside the extract, and `discriminator` honoured: the mapped schema is the one validated, the oneOf
beside it is not tried (it would recurse, since each mapped schema includes its base through allOf).

Where the spec is known to be wrong the validator uses a corrected copy. Every correction is listed in SPEC_CORRECTIONS
with its reason and its source: a recorded Atlas answer (tests/contract/recorded/<file>), whose body or status the
uncorrected spec refuses, wins over the spec; otherwise FACTS.md. test_contract.py proves each one is needed.
"""

import copy
import json
import os
import re
import threading

from jsonschema import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

EXTRACT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "atlas_schemas.json")
PREFIX = "/api/atlas/v2"

with open(EXTRACT_PATH, encoding="utf-8") as _extract_file:
    EXTRACT = json.load(_extract_file)


def _schemas(extract):
    return extract["components"]["schemas"]


def _drop_route_table_pattern(extract):
    del _schemas(extract)["AwsNetworkPeeringConnectionSettings"]["properties"]["routeTableCidrBlock"]["pattern"]


def _accepter_region_optional(extract):
    _schemas(extract)["AwsNetworkPeeringConnectionSettings"]["required"].remove("accepterRegionName")


def _error_parameters_any(extract):
    _schemas(extract)["ApiError"]["properties"]["parameters"]["items"] = {}


def _access_list_post_is_201(extract):
    responses = extract["paths"][f"{PREFIX}/groups/{{groupId}}/accessList"]["post"]["responses"]
    responses["201"] = copy.deepcopy(responses["200"])


def _aws_container_vpc_id_nullable(extract):
    aws = _schemas(extract)["AWSCloudProviderContainer"]["allOf"][1]["properties"]
    aws["vpcId"]["nullable"] = True


def _group_returns_default_alerts_setting(extract):
    del _schemas(extract)["Group"]["properties"]["withDefaultAlertsSettings"]["writeOnly"]


def _azure_vnet_name_pattern(extract):
    del _schemas(extract)["AzureCloudProviderContainer"]["allOf"][1]["properties"]["vnetName"]["pattern"]


def _region_name_is_a_string(extract):
    del _schemas(extract)["CloudRegionConfig20240805"]["properties"]["regionName"]["type"]


def _hardware_spec_one_of_is_any_of(extract):
    for name in ("HardwareSpec20240805", "DedicatedHardwareSpec20240805"):
        schema = _schemas(extract)[name]
        schema["anyOf"] = schema.pop("oneOf")


class Correction:
    """One place where the validator departs from the spec: why, on whose word, and the change to the extract."""

    def __init__(self, why, source, apply):
        self.why = why
        self.source = source  # "FACTS.md ...", "recorded: <file in tests/contract/recorded>" or "spec: <how it contradicts itself>"
        self.apply = apply

    @property
    def recorded_file(self):
        return self.source[len("recorded: "):] if self.source.startswith("recorded: ") else None


SPEC_CORRECTIONS = {
    "routeTableCidrBlock pattern": Correction(
        "the pattern is an IP-address pattern and rejects every CIDR such as 10.15.0.0/16, which is what Atlas takes and returns",
        "FACTS.md 8", _drop_route_table_pattern),
    "accepterRegionName required": Correction(
        "required in the shared request/response schema, but Atlas leaves it out when the VPC is in the container's region",
        "FACTS.md 8 / 2.3", _accepter_region_optional),
    "ApiError.parameters items are objects": Correction(
        "declared as objects, but Atlas sends the template arguments as strings (two of them here)",
        "recorded: other-clusters-get-404-1.json", _error_parameters_any),
    "POST accessList answers 201": Correction(
        "the spec declares 200 only; Atlas answers 201 Created with the same body", "recorded: accessList-create-1.json",
        _access_list_post_is_201),
    "AWS container vpcId is null until provisioned": Correction(
        "vpcId is a plain string in the spec; an unprovisioned AWS container has \"vpcId\": null", "recorded: containers-list-7.json",
        _aws_container_vpc_id_nullable),
    "Group.withDefaultAlertsSettings is writeOnly": Correction(
        "declared writeOnly (never in a response), yet Atlas returns it on GET /groups/{groupId}", "recorded: groups-get-1.json",
        _group_returns_default_alerts_setting),
    "Azure vnetName pattern": Correction(
        "the pattern ^([-\\w._()])$ admits one character only; Atlas's names are like vnet_<container id>_<8 characters>",
        "recorded: containers-list-9.json", _azure_vnet_name_pattern),
    "CloudRegionConfig20240805.regionName is declared an object": Correction(
        "regionName is `type: object` with a oneOf of string enums, so no region name (US_EAST_1 among them) validates",
        "spec: its own enum values are refused", _region_name_is_a_string),
    "HardwareSpec20240805 oneOf is ambiguous": Correction(
        "(Dedicated)HardwareSpec20240805 is a oneOf of the AWS, Azure, GCP and tenant hardware specs without a discriminator; they "
        "share their properties, so an AWS spec matches three of them and fails oneOf; validated as anyOf",
        "spec: an AWS hardware spec of its own shape is refused", _hardware_spec_one_of_is_any_of),
}


# ---- resource versions the 2023-01-01 file does not hold -----------------------------------------------------------------
# getCluster and listClusters answer 2024-08-05 (the version the collection asks for) with ClusterDescription20240805, declared in
# mongodb/openapi openapi/v2.yaml (commit 0002f827, the merged spec of every version), not in ../shared. Its top-level
# properties are written here as that file declares them; its region configs use the spec's own CloudRegionConfig20240805 and
# its connection strings ClusterConnectionStrings, both of which the 2023-01-01 file holds (extract_schemas.EXTRA_SCHEMAS).
# additionalProperties false: a property the simulator invents is refused.
_HEX24 = {"type": "string", "pattern": "^([a-f0-9]{24})$"}
_CLUSTER_DESCRIPTION_20240805 = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "acceptDataRisksAndForceReplicaSetReconfig": {"type": "string", "format": "date-time"},
        "advancedConfiguration": {"$ref": "#/components/schemas/ApiAtlasClusterAdvancedConfigurationView"},
        "backupEnabled": {"type": "boolean"},
        "biConnector": {"$ref": "#/components/schemas/BiConnector"},
        "clusterType": {"type": "string", "enum": ["REPLICASET", "SHARDED", "GEOSHARDED"]},
        "configServerManagementMode": {"type": "string", "enum": ["ATLAS_MANAGED", "FIXED_TO_DEDICATED"]},
        "configServerType": {"type": "string", "enum": ["DEDICATED", "EMBEDDED"], "readOnly": True},
        "connectionStrings": {"$ref": "#/components/schemas/ClusterConnectionStrings"},
        "createDate": {"type": "string", "format": "date-time", "readOnly": True},
        "diskWarmingMode": {"type": "string", "enum": ["FULLY_WARMED", "VISIBLE_EARLIER"]},
        "encryptionAtRestProvider": {"type": "string", "enum": ["NONE", "AWS", "AZURE", "GCP"]},
        "featureCompatibilityVersion": {"type": "string", "readOnly": True},
        "featureCompatibilityVersionExpirationDate": {"type": "string", "format": "date-time", "readOnly": True},
        "globalClusterSelfManagedSharding": {"type": "boolean"},
        "groupId": dict(_HEX24, readOnly=True),
        "id": dict(_HEX24, readOnly=True),
        "labels": {"type": "array", "items": {"$ref": "#/components/schemas/ComponentLabel"}},
        "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}, "readOnly": True},
        "mongoDBEmployeeAccessGrant": {"type": "object"},
        "mongoDBMajorVersion": {"type": "string"},
        "mongoDBVersion": {"type": "string", "pattern": "([\\d]+\\.[\\d]+\\.[\\d]+)", "readOnly": True},
        "name": {"type": "string", "pattern": "^[a-zA-Z0-9][a-zA-Z0-9-]*$"},
        "paused": {"type": "boolean"},
        "pitEnabled": {"type": "boolean"},
        "redactClientLogData": {"type": "boolean"},
        "replicaSetScalingStrategy": {"type": "string", "enum": ["SEQUENTIAL", "WORKLOAD_TYPE", "NODE_TYPE"]},
        "replicationSpecs": {"type": "array", "items": {"$ref": "#/components/schemas/ReplicationSpec20240805"}},
        "rootCertType": {"type": "string", "enum": ["ISRGROOTX1"]},
        "stateName": {"type": "string", "enum": ["IDLE", "CREATING", "UPDATING", "DELETING", "REPAIRING"], "readOnly": True},
        "tags": {"type": "array", "items": {"$ref": "#/components/schemas/ResourceTag"}},
        "terminationProtectionEnabled": {"type": "boolean"},
        "versionReleaseSystem": {"type": "string", "enum": ["LTS", "CONTINUOUS"]},
    },
}
# ReplicationSpec20240805 (the same file): one per shard, its region configs, the zone's id and name.
_REPLICATION_SPEC_20240805 = {
    "type": "object", "additionalProperties": False,
    "properties": {"id": dict(_HEX24, readOnly=True), "regionConfigs": {"type": "array", "items": {"$ref": "#/components/schemas/CloudRegionConfig20240805"}},
                   "zoneId": dict(_HEX24, readOnly=True), "zoneName": {"type": "string"}},
}
_PAGINATED_CLUSTER_DESCRIPTION_20240805 = {
    "type": "object",
    "properties": {"links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}, "readOnly": True},
                   "results": {"type": "array", "items": {"$ref": "#/components/schemas/ClusterDescription20240805"}, "readOnly": True},
                   "totalCount": {"type": "integer", "format": "int32", "minimum": 0, "readOnly": True}},
}
LATER_SCHEMAS = {"ClusterDescription20240805": _CLUSTER_DESCRIPTION_20240805, "ReplicationSpec20240805": _REPLICATION_SPEC_20240805,
                 "PaginatedClusterDescription20240805": _PAGINATED_CLUSTER_DESCRIPTION_20240805}
# (operationId, media type) -> the schema of that version's 200 answer.
LATER_VERSIONS = {
    ("getCluster", "application/vnd.atlas.2024-08-05+json"): "ClusterDescription20240805",
    ("listClusters", "application/vnd.atlas.2024-08-05+json"): "PaginatedClusterDescription20240805",
}


def corrected_extract(skip=()):
    extract = copy.deepcopy(EXTRACT)
    for name, schema in LATER_SCHEMAS.items():
        _schemas(extract).setdefault(name, copy.deepcopy(schema))
    for name, correction in SPEC_CORRECTIONS.items():
        if name not in skip:
            correction.apply(extract)
    return extract


CORRECTED = corrected_extract()


_ACTIVE = threading.local()


def _discriminator(validator, discriminator, instance, _schema):
    if not validator.is_type(instance, "object"):
        return
    value = instance.get(discriminator["propertyName"])
    ref = discriminator.get("mapping", {}).get(value)
    if ref is None:
        yield ValidationError(f"{discriminator['propertyName']}={value!r} is not one of the discriminator's mapped values")
        return
    active = getattr(_ACTIVE, "pairs", None)
    if active is None:
        active = _ACTIVE.pairs = set()
    key = (id(instance), ref)
    if key in active:
        return  # the mapped schema's allOf led back to its base: the mapped schema is already being checked
    active.add(key)
    try:
        yield from list(validator.descend(instance, {"$ref": ref}))
    finally:
        active.discard(key)


def _python_pattern(pattern):
    # ECMA-262 Unicode classes Python's re lacks; the only use here is Group.name's [\p{L}\p{N}...] (letters and digits).
    translated = pattern.replace("\\p{L}\\p{N}", "\\w")
    if "\\p{" in translated:
        raise NotImplementedError(f"pattern {pattern!r} uses a Unicode class this validator does not translate")
    return translated


def _pattern(validator, pattern, instance, _schema):
    if validator.is_type(instance, "string") and re.search(_python_pattern(pattern), instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _one_of(validator, one_of, instance, schema):
    if "discriminator" in schema:
        return
    yield from OAS30ReadValidator.VALIDATORS["oneOf"](validator, one_of, instance, schema)


ResponseValidator = extend(OAS30ReadValidator, validators={"discriminator": _discriminator, "oneOf": _one_of, "pattern": _pattern})


def _errors(schema, instance, extract):
    validator = ResponseValidator(dict(schema, components=extract["components"]), format_checker=oas30_format_checker)
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}" for error in validator.iter_errors(instance)]


def schema_errors(schema_name, instance, skip_corrections=()):
    """Every way `instance` violates components.schemas[schema_name] (corrected, unless told to skip corrections)."""
    extract = corrected_extract(skip_corrections) if skip_corrections else CORRECTED
    return _errors({"$ref": f"#/components/schemas/{schema_name}"}, instance, extract)


def _template_pattern(template):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


# Fewer path parameters first, so /containers/all is not taken for /containers/{containerId}.
_TEMPLATES = sorted(((t.count("{"), t, _template_pattern(t)) for t in EXTRACT["paths"]), key=lambda item: item[0])


def operation_for(method, url_path, extract=None):
    """(template, operation) for a request path as sent (percent-encoded)."""
    extract = extract or CORRECTED
    for _count, template, pattern in _TEMPLATES:
        if pattern.match(url_path):
            operation = extract["paths"][template].get(method.lower())
            if operation is not None:
                return template, operation
    raise AssertionError(f"{method} {url_path} is not an operation of the extract")


def declared_response(operation, status, extract=None):
    """The spec's response object for a status, resolving components.responses refs; None when not declared."""
    declared = operation["responses"].get(str(status))
    if declared and "$ref" in declared:
        declared = (extract or CORRECTED)["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    return declared


def check_response(method, url_path, status, content_type, body_bytes, skip_corrections=()):
    """Validate one response; returns (operationId, status, declared?) or raises AssertionError naming every violation."""
    extract = corrected_extract(skip_corrections) if skip_corrections else CORRECTED
    _template, operation = operation_for(method, url_path, extract)
    declared = declared_response(operation, status, extract)
    mimetype = (content_type or "").split(";")[0].strip()
    if declared is None:
        # Errors every operation can give though the 2023-01-01 spec does not list them (406 version, 429 rate limit, 503):
        # Atlas answers them with an ApiError too (FACTS.md 1.1, 5; S-HEAD adds 429 everywhere).
        assert status >= 400, f"{method} {url_path}: {status} is not a declared response of {operation['operationId']}"
        assert mimetype == "application/json", f"{status} error must be application/json, got {content_type}"
        errors = schema_errors("ApiError", json.loads(body_bytes), skip_corrections)
        assert not errors, f"{operation['operationId']} {status}: {errors}"
        return operation["operationId"], status, False
    content = declared.get("content")
    if not content:
        assert body_bytes in (b"", None), f"{operation['operationId']} {status} declares no body, got {body_bytes[:200]!r}"
        return operation["operationId"], status, True
    later = LATER_VERSIONS.get((operation["operationId"], mimetype)) if status == 200 else None
    if later is not None:
        content = {mimetype: {"schema": {"$ref": f"#/components/schemas/{later}"}}}
    assert mimetype in content, f"{operation['operationId']} {status}: Content-Type {content_type} not in {sorted(content)}"
    if "schema" not in content[mimetype]:
        # 204 of the DELETEs: the spec names the media type but no schema; HTTP forbids a body.
        assert status == 204 and body_bytes in (b"", None), f"{operation['operationId']} {status} has no schema but a body {body_bytes[:200]!r}"
        return operation["operationId"], status, True
    body = json.loads(body_bytes)
    errors = _errors(content[mimetype]["schema"], body, extract)
    assert not errors, f"{operation['operationId']} {status} body {body} violates the spec: {errors}"
    return operation["operationId"], status, True
