"""Validate simulator responses against the extract of the official Atlas spec (atlas_schemas.json).

OpenAPI 3.0 dialect (openapi-schema-validator's OAS30ReadValidator: readOnly allowed, writeOnly refused in responses),
`$ref`s resolved inside the extract, and `discriminator` honoured: the mapped schema is the one validated, the oneOf
beside it is not tried (it would recurse, since each mapped schema includes its base through allOf).

Where the spec is known to be wrong (FACTS.md section 8 and 1.3) the validator uses a corrected copy; every correction is
listed in SPEC_CORRECTIONS with its reason, and test_contract.py proves each one is needed.
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


def _drop_route_table_pattern(components):
    del components["schemas"]["AwsNetworkPeeringConnectionSettings"]["properties"]["routeTableCidrBlock"]["pattern"]


def _accepter_region_optional(components):
    components["schemas"]["AwsNetworkPeeringConnectionSettings"]["required"].remove("accepterRegionName")


def _error_parameters_any(components):
    components["schemas"]["ApiError"]["properties"]["parameters"]["items"] = {}


SPEC_CORRECTIONS = {
    "routeTableCidrBlock pattern": (
        "FACTS.md 8: the pattern is an IP-address pattern and rejects every CIDR such as 10.15.0.0/16, which is what Atlas takes and returns",
        _drop_route_table_pattern),
    "accepterRegionName required": (
        "FACTS.md 8 / 2.3: required in the shared request/response schema, but Atlas leaves it out when the VPC is in the container's region",
        _accepter_region_optional),
    "ApiError.parameters items are objects": (
        "FACTS.md 1.3/3: declared as objects, but Atlas sends the template arguments as strings and numbers (e.g. [\"179.154.226.68\", \"68b5...\"])",
        _error_parameters_any),
}


def corrected_components(skip=()):
    components = copy.deepcopy(EXTRACT["components"])
    for name, (_why, apply) in SPEC_CORRECTIONS.items():
        if name not in skip:
            apply(components)
    return components


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


def schema_errors(schema_name, instance, skip_corrections=()):
    """Every way `instance` violates components.schemas[schema_name] (corrected, unless told to skip corrections)."""
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": corrected_components(skip_corrections)}
    validator = ResponseValidator(root, format_checker=oas30_format_checker)
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}" for error in validator.iter_errors(instance)]


def _template_pattern(template):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


# Fewer path parameters first, so /containers/all is not taken for /containers/{containerId}.
_TEMPLATES = sorted(((t.count("{"), t, _template_pattern(t)) for t in EXTRACT["paths"]), key=lambda item: item[0])


def operation_for(method, url_path):
    """(template, operation) for a request path as sent (percent-encoded)."""
    for _count, template, pattern in _TEMPLATES:
        if pattern.match(url_path):
            operation = EXTRACT["paths"][template].get(method.lower())
            if operation is not None:
                return template, operation
    raise AssertionError(f"{method} {url_path} is not an operation of the extract")


def declared_response(operation, status):
    """The spec's response object for a status, resolving components.responses refs; None when not declared."""
    declared = operation["responses"].get(str(status))
    if declared and "$ref" in declared:
        declared = EXTRACT["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
    return declared


def check_response(method, url_path, status, content_type, body_bytes):
    """Validate one response; returns (operationId, status, declared?) or raises AssertionError naming every violation."""
    _template, operation = operation_for(method, url_path)
    declared = declared_response(operation, status)
    mimetype = (content_type or "").split(";")[0].strip()
    if declared is None:
        # Errors every operation can give though the 2023-01-01 spec does not list them (406 version, 429 rate limit, 503):
        # Atlas answers them with an ApiError too (FACTS.md 1.1, 5; S-HEAD adds 429 everywhere).
        assert status >= 400, f"{method} {url_path}: {status} is not a declared response of {operation['operationId']}"
        assert mimetype == "application/json", f"{status} error must be application/json, got {content_type}"
        errors = schema_errors("ApiError", json.loads(body_bytes))
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
    schema = content[mimetype]["schema"]
    body = json.loads(body_bytes)
    root = dict(schema, components=corrected_components())
    validator = ResponseValidator(root, format_checker=oas30_format_checker)
    errors = [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, f"{operation['operationId']} {status} body {body} violates the spec: {errors}"
    return operation["operationId"], status, True
