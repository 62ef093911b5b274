"""The building blocks of the OpenAPI document's component schemas: references, timestamps, objects, and an
entity's three schemas (input, patch, response). Below the schema modules, which all build with them."""

import copy
from typing import Any

from pydantic import BaseModel

from kairos.domain.shared.fields import UUID_SCHEMA

REF = "#/components/schemas/{model}"
# What Kairos writes: RFC 3339 with an offset, whole seconds (a buffer may start before the years input
# accepts, so responses carry no pattern).
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
METADATA = {"type": ["object", "null"], "description": "Any JSON object the client stored"}
READ_ONLY = {
    "id": {**UUID_SCHEMA, "readOnly": True},
    "created_at": {**TIMESTAMP, "readOnly": True},
    "updated_at": {**TIMESTAMP, "readOnly": True},
}


def ref(model: str) -> dict[str, str]:
    return {"$ref": REF.format(model=model)}


def nullable(model: str) -> dict[str, Any]:
    return {"anyOf": [ref(model), {"type": "null"}]}


def object_of(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with these properties, all of them present unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


def entity_schemas(
    name: str,
    model: type[BaseModel] | None,
    schema: dict[str, Any],
    defs: dict[str, Any],
    shown: dict[str, Any] | None = None,
) -> None:
    """`<name>Input` (POST, PUT), `<name>Patch` (PATCH) and `<name>` (the response: the input's fields,
    the read-only ones, and the embedded entities in `shown`)."""
    if model is not None:
        schema = model.model_json_schema(ref_template=REF)
    defs.update(schema.pop("$defs", {}))
    defs[f"{name}Input"] = schema
    defs[f"{name}Patch"] = patch_of(schema, defs)
    defs[name] = {"allOf": [ref(f"{name}Input"), object_of({**READ_ONLY, **(shown or {})})]}


def patch_of(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The input with every field optional. A union (services) stays one: a PATCH is applied to the
    stored entity, whose type decides which fields count (the others are ignored, as on POST)."""
    description = "Every field is optional; the ones sent replace the stored values."
    variants = [defs[r["$ref"].rsplit("/", 1)[-1]] for r in schema.get("oneOf", [])]
    if not variants:
        return {
            "type": "object",
            "properties": copy.deepcopy(schema["properties"]),
            "description": description,
        }
    optional = [{"type": "object", "properties": copy.deepcopy(v["properties"])} for v in variants]
    return {"anyOf": optional, "description": description}
