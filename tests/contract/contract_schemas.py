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


class Correction:
    """One place where the validator departs from the spec: why, on whose word, and the change to the extract."""

    def __init__(self, why, source, apply):
        self.why = why
        self.source = source  # "FACTS.md ..." or "recorded: <file in tests/contract/recorded>"
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
}


def corrected_extract(skip=()):
    extract = copy.deepcopy(EXTRACT)
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
    assert mimetype in content, f"{operation['operationId']} {status}: Content-Type {content_type} not in {sorted(content)}"
    if "schema" not in content[mimetype]:
        # 204 of the DELETEs: the spec names the media type but no schema; HTTP forbids a body.
        assert status == 204 and body_bytes in (b"", None), f"{operation['operationId']} {status} has no schema but a body {body_bytes[:200]!r}"
        return operation["operationId"], status, True
    body = json.loads(body_bytes)
    errors = _errors(content[mimetype]["schema"], body, extract)
    assert not errors, f"{operation['operationId']} {status} body {body} violates the spec: {errors}"
    return operation["operationId"], status, True
