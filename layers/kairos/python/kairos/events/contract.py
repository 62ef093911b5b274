"""The event contract checked where events are made, without pydantic: each envelope the stream mapper
makes is checked against its family's published JSON Schema (the one `kairos.events.envelope`'s models
generate, docs/events/schemas/), so an object rendered otherwise than the contract fails at the mapper,
not at a consumer, as the models' own validation did.

Why not the models themselves: loading pydantic and building the envelope models took about 60 ms of CPU
of the stream function's first batch, a third of its cold start (docs/infrastructure.md, "Cold starts").
The layer's build writes the schemas next to this module (`write_schemas`, run by `infra/layer.py`); run
from the source tree (the local server, the tests) there is no such folder and they are generated from the
models at the first check.

The checker knows the keywords the generated schemas use (`KEYWORDS`; a test fails on any other) and
accepts what the models accept (tests/unit/events/test_contract_checker.py): the envelope's own fields,
each of its JSON type, pattern, constant or listed value, absent optional fields given their default (the
version), the rest refused. It takes JSON's types as they are where the models would convert (a 1 for
true): the renderers write JSON's own types. A checked envelope is returned in the models' field order, so
its JSON (`envelope_json`) is the text the models wrote."""

import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from kairos.events.definitions import schema_file

SCHEMAS = Path(__file__).with_name("schemas")  # in the layer only
# What the checker reads; the annotations (title, description...) are ignored.
KEYWORDS = frozenset(
    {"$ref", "anyOf", "type", "const", "enum", "pattern", "properties", "required", "additionalProperties",
     "items", "default"}
)  # fmt: skip
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
EventEnvelope = dict[str, Any]
# Event ids are uuid5 names in this namespace, so the same stream record always yields the same id.
EVENT_ID_NAMESPACE = uuid.UUID("6f1c1a8e-2f4e-5b7a-9d3c-4b6e0a1f7c21")
_TYPES: Mapping[str, type | tuple[type, ...]] = {
    "string": str,
    "object": Mapping,
    "array": (list, tuple),
    "boolean": bool,
    "null": type(None),
}


class ContractBroken(ValueError):
    """An envelope its family's schema refuses: what `errors` lists."""

    def __init__(self, family: str, errors: list[str]) -> None:
        super().__init__(f"the {family} event breaks its contract: {'; '.join(errors)}")
        self.errors = errors


def event_id(stream_record_id: str, event_type: str) -> str:
    """Deterministic: a stream record processed twice (a retried batch) yields the same id."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{stream_record_id}/{event_type}"))


def event_time(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(int(epoch_seconds), UTC).isoformat()


def write_schemas(target: Path) -> None:
    """The layer's build: each family's schema as `kairos.events.envelope` generates it."""
    from kairos.events.envelope import json_schemas

    target.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (target / name).write_text(json.dumps(schema), encoding="utf-8")


@cache
def family_schema(family: str) -> dict[str, Any]:
    written = SCHEMAS / schema_file(family)
    if written.is_file():
        loaded: dict[str, Any] = json.loads(written.read_text(encoding="utf-8"))
        return loaded
    from kairos.events.envelope import json_schemas  # the source tree: pydantic, from the models

    return json_schemas()[schema_file(family)]


def checked(family: str, envelope: Mapping[str, Any]) -> EventEnvelope:
    """`envelope` with its defaults, in the contract's field order; ContractBroken when it breaks it."""
    schema = family_schema(family)
    errors: list[str] = []
    value = _checked(schema, envelope, schema.get("$defs", {}), "", errors)
    if errors:
        raise ContractBroken(family, errors)
    return dict(value)


def envelope_json(envelope: Mapping[str, Any]) -> str:
    """The envelope as the models wrote it: compact, non-ASCII kept."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def _checked(
    schema: Mapping[str, Any], value: Any, defs: Mapping[str, Any], at: str, errors: list[str]
) -> Any:
    """`value` as the schema has it (objects with their defaults, in its order); what is wrong goes to
    `errors`, named by its path."""
    if "$ref" in schema:
        return _checked(defs[schema["$ref"].removeprefix("#/$defs/")], value, defs, at, errors)
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            tried: list[str] = []
            result = _checked(option, value, defs, at, tried)
            if not tried:
                return result
        errors.append(f"{at or 'the envelope'} matches none of its types")
        return value
    kind = schema.get("type")
    if kind is not None and not _is_a(value, kind):
        errors.append(f"{at or 'the envelope'} is not of type {kind}")
        return value
    if "const" in schema and value != schema["const"]:
        errors.append(f"{at} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at} is none of its values")
    if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
        errors.append(f"{at} does not match {schema['pattern']}")
    if "items" in schema:
        return [_checked(schema["items"], item, defs, f"{at}[{n}]", errors) for n, item in enumerate(value)]
    if kind == "object":
        return _object(schema, value, defs, at, errors)
    return value


def _object(
    schema: Mapping[str, Any], value: Mapping[str, Any], defs: Mapping[str, Any], at: str, errors: list[str]
) -> dict[str, Any]:
    fields: Mapping[str, Any] = schema.get("properties", {})
    errors += [f"{at}.{name} is missing" for name in schema.get("required", ()) if name not in value]
    extra = schema.get("additionalProperties", True)
    out: dict[str, Any] = {}
    for name, field in fields.items():
        if name in value:
            out[name] = _checked(field, value[name], defs, f"{at}.{name}", errors)
        elif "default" in field:
            out[name] = field["default"]
    for name in value:
        if name in fields:
            continue
        if extra is False:
            errors.append(f"{at}.{name} is not a field of the contract")
        else:
            out[name] = (
                value[name] if extra is True else _checked(extra, value[name], defs, f"{at}.{name}", errors)
            )
    return out


def _is_a(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind]) and (kind == "boolean" or not isinstance(value, bool))


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """JSON Schema's (and pydantic's) `$` is the end of the text, Python's also before a last newline."""
    return re.compile(
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    )


def keywords(schema: Any) -> Iterator[str]:
    """Every keyword a schema uses (the test that keeps the checker complete reads them)."""
    if isinstance(schema, Mapping):
        for name, inner in schema.items():
            yield name
            if name in ("properties", "$defs"):
                for field in inner.values():
                    yield from keywords(field)
            elif name not in ("const", "enum", "default"):
                yield from keywords(inner)
    elif isinstance(schema, list):
        for inner in schema:
            yield from keywords(inner)
