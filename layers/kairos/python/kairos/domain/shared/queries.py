"""Reading the plain query parameters that several endpoints share (time windows, dates, ids, flags),
with Hapio-style 422 errors naming the parameter."""

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TypeVar

from kairos.errors import ValidationFailed
from kairos.values.bounds import check_duration
from kairos.values.formats import Duration, parse_date, parse_duration, parse_timestamp
from kairos.values.ids import normal_id

Errors = dict[str, list[str]]
Value = TypeVar("Value")


def _parsed(
    query: Mapping[str, str], name: str, errors: Errors, parse: Callable[[str], Value], *, required: bool
) -> Value | None:
    """The parameter read by `parse`; absent is None (or an error when required); bad is an error."""
    raw = query.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        errors[name] = [f"The {name} field {exc}."]
        return None


def timestamp_param(
    query: Mapping[str, str], name: str, errors: Errors, *, required: bool
) -> datetime | None:
    return _parsed(query, name, errors, parse_timestamp, required=required)


def date_param(query: Mapping[str, str], name: str, errors: Errors) -> date | None:
    return _parsed(query, name, errors, parse_date, required=False)


def duration_param(query: Mapping[str, str], name: str, errors: Errors) -> Duration | None:
    """A duration of a booking's length: Hapio's grammar and Kairos' bounds (PT1M to P366D)."""

    def parse(text: str) -> Duration:
        duration = parse_duration(text)
        check_duration(duration)
        return duration

    return _parsed(query, name, errors, parse, required=False)


def id_param(query: Mapping[str, str], name: str, errors: Errors, *, required: bool) -> str | None:
    """An entity id (compared as the body's ids are: in lower case)."""
    return _parsed(query, name, errors, normal_id, required=required)


def int_param(
    query: Mapping[str, str], name: str, errors: Errors, *, default: int, low: int, high: int | None
) -> int:
    """A whole number written in ASCII digits (`²` and `٣` are digits to `str.isdigit`, not to `int` or to
    a client), from `low` to `high` (None: up to 9 digits); absent is `default`."""
    raw = query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        errors[name] = [f"The {name} field must be an integer."]
        return default
    value = int(raw)
    if value < low:
        errors[name] = [f"The {name} field must be at least {low}."]
    elif high is not None and value > high:
        errors[name] = [f"The {name} field must not be greater than {high}."]
    return value


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
