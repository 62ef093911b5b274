"""What every body must be (`kairos.api.body`), stated in the OpenAPI documents' request schemas, so that a
body the schemas call valid is one Kairos reads: no text anywhere holds a NUL character, in a field, in a
field's name or in the fields Kairos ignores (unknown ones, and metadata, which is any JSON); and every
name (a field typed `kairos.domain.shared.fields.Name`) follows the one name rule, stated once as the `Name`
schema (`kairos.values.text.name_pattern`). Both documents (the API's and the admin API's) apply
`state_text_rules` to their request bodies.

The API's document (not the admin API's) also states how PHP's `[]` is read (`kairos.api.body`):
`state_php_arrays` lets `metadata` and `protected_metadata` be an empty array, and every PATCH body (where
`{}` is valid) is `anyOf` its schema or an empty array (`kairos.api.openapi`).

JSON text cannot hold the other things the reader refuses (unpaired surrogates, numbers that are not
finite); the nesting limit and the size limit are in the operations' descriptions.
"""

from collections.abc import Iterable
from typing import Any

from kairos.api.body import OBJECT_FIELDS
from kairos.domain.shared.fields import NAME_MARK, NAME_MAX
from kairos.values.formats import TRIMMED
from kairos.values.text import name_pattern

NO_NUL = "^[^\\u0000]*$"
JSON_VALUE = "JsonValue"
NAME = "Name"
EMPTY_ARRAY = "EmptyArray"
_VALUE_REF = {"$ref": f"#/components/schemas/{JSON_VALUE}"}
_NAMES = {"pattern": NO_NUL}
_COMBINATORS = ("anyOf", "oneOf", "allOf")
_ANNOTATIONS = {"title", "description", "default"}


def json_value_schema() -> dict[str, Any]:
    """Any JSON value whose text holds no NUL (metadata, unknown fields)."""
    return {
        "description": "Any JSON value; no text in it (keys included) holds a NUL character.",
        "anyOf": [
            {"type": "string", "pattern": NO_NUL},
            {"type": ["number", "boolean", "null"]},
            {"type": "array", "items": _VALUE_REF},
            {"type": "object", "propertyNames": _NAMES, "additionalProperties": _VALUE_REF},
        ],
    }


def empty_array_schema() -> dict[str, Any]:
    return {
        "type": "array",
        "maxItems": 0,
        "description": "An empty array, read as an empty object (PHP encodes both as `[]`).",
    }


def state_php_arrays(defs: dict[str, Any], request_bodies: Iterable[str]) -> None:
    """Adds `[]` as an alternative of OBJECT_FIELDS in the named schemas; defines `EmptyArray`."""
    defs[EMPTY_ARRAY] = empty_array_schema()
    for name in request_bodies:
        _allow_empty_arrays(defs[name])


def _allow_empty_arrays(schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties", {})
    for key, value in properties.items():
        if key in OBJECT_FIELDS:  # a new schema: a field's may be shared with the response schemas
            empty = {"$ref": f"#/components/schemas/{EMPTY_ARRAY}"}
            if set(value) <= {"anyOf", *_ANNOTATIONS}:
                properties[key] = {**value, "anyOf": [*value["anyOf"], empty]}
            else:
                properties[key] = {"anyOf": [value, empty]}
        else:
            _allow_empty_arrays(value)
    _allow_empty_arrays(schema.get("items"))
    for combinator in _COMBINATORS:
        for variant in schema.get(combinator, []):
            _allow_empty_arrays(variant)


def name_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": NAME_MAX,
        "pattern": f"^[{TRIMMED}]*{name_pattern()}[{TRIMMED}]*$",  # trimmed first (the Name field)
        "description": "Something visible; no control, bidirectional or invisible characters (trimmed).",
    }


def state_text_rules(defs: dict[str, Any], request_bodies: Iterable[str]) -> None:
    """Adds the rules to the named schemas (and the schemas they hold); defines `JsonValue` and `Name`."""
    defs[JSON_VALUE] = json_value_schema()
    defs[NAME] = name_schema()
    for name in request_bodies:
        _state(defs[name])


def _state(schema: Any) -> None:
    if not isinstance(schema, dict) or "$ref" in schema:
        return  # a referenced schema is stated where it is defined
    if schema.get(NAME_MARK):
        schema.clear()
        schema["$ref"] = f"#/components/schemas/{NAME}"
        return
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "object" in kinds or "properties" in schema:
        schema.setdefault("propertyNames", _NAMES)
        if schema.get("additionalProperties", True) is True:  # any value: any value without NUL
            schema["additionalProperties"] = _VALUE_REF
        for value in schema.get("properties", {}).values():
            _state(value)
    if "string" in kinds and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = NO_NUL  # a pattern, a format or a list of values already rules NUL out
    if "array" in kinds:
        _state(schema.get("items"))
    for combinator in _COMBINATORS:
        for variant in schema.get(combinator, []):
            _state(variant)
