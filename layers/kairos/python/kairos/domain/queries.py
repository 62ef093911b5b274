"""Reading the plain query parameters that several endpoints share (time windows, dates, ids, flags),
with Hapio-style 422 errors naming the parameter."""

from collections.abc import Mapping
from datetime import date, datetime

from kairos.domain.errors import ValidationFailed
from kairos.domain.formats import parse_date, parse_timestamp

Errors = dict[str, list[str]]


def timestamp_param(
    query: Mapping[str, str], name: str, errors: Errors, *, required: bool
) -> datetime | None:
    raw = query.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    try:
        return parse_timestamp(raw)
    except ValueError as exc:
        errors[name] = [f"The {name} field {exc}."]
        return None


def date_param(query: Mapping[str, str], name: str, errors: Errors) -> date | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        errors[name] = [f"The {name} field {exc}."]
        return None


def required_param(query: Mapping[str, str], name: str, errors: Errors) -> str | None:
    raw = query.get(name)
    if raw is None or raw == "":
        errors[name] = [f"The {name} field is required."]
        return None
    return raw


def bool_param(query: Mapping[str, str], name: str, errors: Errors) -> bool:
    raw = query.get(name, "false").lower()
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0", ""):
        return False
    errors[name] = [f"The {name} field must be true or false."]
    return False


def choice_param(query: Mapping[str, str], name: str, choices: tuple[str, ...], errors: Errors) -> str:
    raw = query.get(name, choices[0])
    if raw not in choices:
        errors[name] = [f"The selected {name} is invalid."]
        return choices[0]
    return raw


def window(
    query: Mapping[str, str], errors: Errors, *, required: bool = True
) -> tuple[datetime | None, datetime | None]:
    """`from` and `to` timestamps; `from` must come before `to`."""
    start = timestamp_param(query, "from", errors, required=required)
    end = timestamp_param(query, "to", errors, required=required)
    if start is not None and end is not None and end <= start:
        errors["to"] = ["The to field must be a date after from."]
    return start, end


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors)
