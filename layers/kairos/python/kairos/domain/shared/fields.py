"""Reusable field types for input models: each validates one Hapio wire format (and Kairos' bounds on it),
keeps its text, and describes itself in the OpenAPI document, so the rule and its documentation are one.

Bounds (docs/api.md, "limits"): lengths of a booking and its slot grid (`duration`, `min_duration`,
`max_duration`, `default_duration`, `duration_step`, `bookable_interval`) lie between PT1M and P366D, buffers
up to P366D, the booking window and the cancelation threshold up to P10Y (nominal lengths: a year is 365
days, a month 30). Counts have an upper bound, metadata a size.
"""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, StringConstraints
from pydantic_core import PydanticCustomError

from kairos.values import formats
from kairos.values.bounds import MAX_LEAD, MAX_LENGTH, MIN_LENGTH, check_duration
from kairos.values.text import check_name

MAX_DAYS = 366
MAX_CAPACITY = 1_000_000
MAX_INTERVAL_WEEKS = 52
MAX_METADATA_BYTES = 16_384

# Patterns the OpenAPI document gives (the parsers below are the rule; these describe it to clients).
_YEAR = "(19[7-9][0-9]|20[0-9]{2}|21[0-9]{2}|2200)"
_INSTANT_YEAR = "(19[6-9][0-9]|2[01][0-9]{2}|220[01])"  # an instant in range, written with any offset
_DAY = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
TIMESTAMP_SCHEMA = {
    "type": "string",
    "format": "date-time",
    "pattern": f"^{_INSTANT_YEAR}-{_DAY}T{_CLOCK}[+-]([01][0-9]|2[0-3]):[0-5][0-9]$",
    "description": f"YYYY-MM-DDThh:mm:ss±hh:mm, from {formats.FIRST_INSTANT.isoformat()}"
    f" to {formats.LAST_INSTANT.isoformat()}",
    "example": "2030-08-28T08:00:00+02:00",
}
DATE_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": f"^{_YEAR}-{_DAY}$",
    "description": f"YYYY-MM-DD, years {formats.FIRST_YEAR} to {formats.LAST_YEAR}",
}
TIME_SCHEMA = {"type": "string", "pattern": f"^{_CLOCK}$", "example": "08:00:00"}
_END_TIME_SCHEMA = {**TIME_SCHEMA, "pattern": f"^({_CLOCK}|24:00:00)$", "description": "24:00:00: midnight"}
_PART = "[0-9]{1,4}"
DURATION_PATTERN = f"^P(({_PART}W)|({_PART}Y)?({_PART}M)?({_PART}D)?(T({_PART}H)?({_PART}M)?({_PART}S)?)?)$"
UUID_SCHEMA = {"type": "string", "format": "uuid"}


def _duration_schema(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": DURATION_PATTERN, "description": description}


def _duration(longest: timedelta, shortest: timedelta | None = None) -> Callable[[str], str]:
    """A duration in Hapio's grammar, at most `longest`; with `shortest`, non-zero and at least that."""

    def check(value: str) -> str:
        check_duration(formats.parse_duration(value), longest, shortest)
        return value

    return check


def _text_of(parse: Callable[[str], object]) -> Callable[[str], str]:
    """A validator that checks the text with a wire-format parser and keeps it as written."""

    def check(value: str) -> str:
        parse(value)
        return value

    return check


def _uuid(value: str) -> str:
    from kairos.values.ids import is_uuid

    if not is_uuid(value):
        raise ValueError("must be a valid UUID")
    return value.lower()


def _present(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("missing", "Field required")
    return value


def _metadata_size(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Metadata is stored inside its entity's item (DynamoDB: 400 KB at most), so it has a size."""
    if value is not None:
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        if size > MAX_METADATA_BYTES:
            raise ValueError(f"must not be greater than {MAX_METADATA_BYTES} bytes as JSON")
    return value


# Laravel's `required`: an explicit null is reported as missing ("The x field is required.").
Required = BeforeValidator(_present)
NAME_MAX = 255
# Marks a name in a schema: the OpenAPI documents put the rule there (`kairos.api.openapi_bodies`).
NAME_MARK = "x-kairos-name"
Name = Annotated[  # the rule of every name, here and in the Portal (kairos.values.text)
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(check_name),
    Field(json_schema_extra={NAME_MARK: True}),
]
Text = Annotated[str, Field(strict=True)]
Metadata = Annotated[
    dict[str, Any] | None,
    AfterValidator(_metadata_size),
    Field(description=f"Any JSON object, at most {MAX_METADATA_BYTES} bytes as compact UTF-8 JSON"),
]
Enabled = StrictBool
Buffer = Annotated[
    Text,
    AfterValidator(_duration(MAX_LENGTH)),
    Field(json_schema_extra=_duration_schema("ISO 8601 duration, PT0S to P366D")),
]
Length = Annotated[
    Text,
    AfterValidator(_duration(MAX_LENGTH, MIN_LENGTH)),
    Field(json_schema_extra=_duration_schema("ISO 8601 duration, PT1M to P366D")),
]
Lead = Annotated[
    Text,
    AfterValidator(_duration(MAX_LEAD)),
    Field(json_schema_extra=_duration_schema("ISO 8601 duration, PT0S to P10Y")),
]
NonZeroLead = Annotated[
    Text,
    AfterValidator(_duration(MAX_LEAD, timedelta(seconds=1))),
    Field(json_schema_extra=_duration_schema("ISO 8601 duration, greater than zero, at most P10Y")),
]
Price = Annotated[
    Text,
    AfterValidator(_text_of(formats.parse_price)),
    Field(json_schema_extra={"pattern": "^[0-9]{1,12}\\.[0-9]{3}$", "example": "149.000"}),
]


def _zone_schema(schema: dict[str, Any]) -> None:
    """Every name the parser accepts, listed (only when the document is made: not at a cold start)."""
    schema.update(
        description="An IANA time zone", example="Europe/Stockholm", enum=sorted(formats.time_zone_names())
    )


TimeZoneName = Annotated[
    Text, AfterValidator(_text_of(formats.parse_time_zone)), Field(json_schema_extra=_zone_schema)
]
TimeOfDay = Annotated[
    Text, AfterValidator(_text_of(formats.parse_time)), Field(json_schema_extra=TIME_SCHEMA)
]
EndTime = Annotated[  # a weekly block's end: 24:00:00 is the end of the day
    Text,
    AfterValidator(_text_of(lambda text: formats.parse_time(text, allow_end_of_day=True))),
    Field(json_schema_extra=_END_TIME_SCHEMA),
]
Timestamp = Annotated[
    Text, AfterValidator(_text_of(formats.parse_timestamp)), Field(json_schema_extra=TIMESTAMP_SCHEMA)
]
DateText = Annotated[Text, AfterValidator(_text_of(formats.parse_date)), Field(json_schema_extra=DATE_SCHEMA)]
Uuid = Annotated[Text, AfterValidator(_uuid), Field(json_schema_extra=UUID_SCHEMA)]


def _whole(value: Any) -> Any:
    """A JSON number with no fraction is an integer (JSON Schema's `integer`, and Laravel's rule: `19.0`
    is 19); `19.5`, `true` and `"19"` are still refused by the strict check that follows."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Whole = BeforeValidator(_whole)
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_CAPACITY), Whole]
Days = Annotated[StrictInt, Field(ge=1, le=MAX_DAYS), Whole]
IntervalWeeks = Annotated[StrictInt, Field(ge=1, le=MAX_INTERVAL_WEEKS), Whole]
