"""Turns pydantic's errors into Hapio's 422 shape: `{"field": ["The field field is required."]}`.

Messages follow Laravel's wording, which Hapio's clients show to people.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from kairos.errors import ValidationFailed

_TEMPLATES: Mapping[str, str] = {
    "missing": "The {field} field is required.",
    "string_type": "The {field} field must be a string.",
    "string_too_short": "The {field} field is required.",
    "string_too_long": "The {field} field must not be greater than {max_length} characters.",
    "bool_type": "The {field} field must be true or false.",
    "int_type": "The {field} field must be an integer.",
    "int_parsing": "The {field} field must be an integer.",
    "greater_than_equal": "The {field} field must be at least {ge}.",
    "less_than_equal": "The {field} field must not be greater than {le}.",
    "dict_type": "The {field} field must be an object.",
    "list_type": "The {field} field must be an array.",
    "too_long": "The {field} field must not have more than {max_length} items.",
    "literal_error": "The selected {field} is invalid.",
    "enum": "The selected {field} is invalid.",
    "uuid_type": "The {field} field must be a valid UUID.",
    "uuid_parsing": "The {field} field must be a valid UUID.",
    "union_tag_invalid": "The selected {field} is invalid.",
    "union_tag_not_found": "The {field} field is required.",
    "model_attributes_type": "The {field} field must be an object.",
    "model_type": "The {field} field must be an object.",
    "extra_forbidden": "The {field} field is not allowed.",
}

Model = TypeVar("Model", bound=BaseModel)
_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


def field_name(error: ErrorDetails, tags: frozenset[str] = frozenset()) -> str:
    """The dotted field path of an error, without its discriminator tag (`fixed.duration` -> `duration`),
    which leads the path (a field named like a tag, `booking_limits.per_resource.day`, stays)."""
    loc = error["loc"]
    parts = [str(p) for p in (loc[1:] if loc and str(loc[0]) in tags else loc)]
    if error["type"] in _TAG_ERRORS:
        parts.append(str((error.get("ctx") or {}).get("discriminator", "type")).strip("'"))
    return ".".join(parts) or "body"


def message(error: ErrorDetails, field: str) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        reason = str(ctx.get("error", error["msg"])).rstrip(".")
        return f"The {field} field {reason}."
    template = _TEMPLATES.get(kind)
    if template is None:
        return f"The {field} field is invalid."
    return template.format(field=field, **ctx)


def to_validation_failed(exc: ValidationError, tags: frozenset[str] = frozenset()) -> ValidationFailed:
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        name = field_name(error, tags)
        text = message(error, name)
        if text not in errors.setdefault(name, []):
            errors[name].append(text)
    return ValidationFailed(errors)


def parse(model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise to_validation_failed(exc) from None


def parse_union(adapter: TypeAdapter[Any], data: Any, tags: frozenset[str], common: type[BaseModel]) -> Any:
    """A tagged union (a service's `type`). When the tag is missing or unknown, pydantic stops there; the
    fields every variant shares (`common`) are then checked too, so the 422 lists every failing field."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        failed = to_validation_failed(exc, tags)
        untagged = any(e["type"] in _TAG_ERRORS for e in exc.errors(include_url=False))
    if untagged and isinstance(data, dict):
        try:
            common.model_validate(data)
        except ValidationError as shared:
            failed.errors.update(to_validation_failed(shared).errors)
    raise failed
