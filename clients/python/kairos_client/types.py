"""The wire formats as Python values: timestamps are aware datetimes (sent as `YYYY-MM-DDThh:mm:ss±hh:mm`,
the only form Kairos and Hapio accept), durations are timedeltas (sent as ISO 8601, `PT1H30M`).

Years and months have no fixed length: a duration the server writes with them (`P1Y`, `P2M`) reads as an
`IsoDuration`, a timedelta of 365 or 30 days a unit that remembers its text and is sent back unchanged.
"""

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, PlainSerializer

_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W|(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?)"
)
_DAYS = {"weeks": 7, "years": 365, "months": 30, "days": 1}


class IsoDuration(dt.timedelta):
    """A duration read from its ISO 8601 text, which it keeps (`P1M` stays `P1M` when sent back)."""

    text: str

    def __new__(cls, text: str) -> "IsoDuration":
        match = _DURATION.fullmatch(text)
        if not match or text in {"P", "PT"} or text.endswith("T"):
            raise ValueError(f"not an ISO 8601 duration: {text!r}")
        parts = {name: int(value) for name, value in match.groupdict().items() if value is not None}
        days = sum(parts.pop(name, 0) * length for name, length in _DAYS.items())
        value = super().__new__(cls, days=days, **parts)
        value.text = text
        return value


def format_duration(value: dt.timedelta) -> str:
    """ISO 8601 text of a timedelta (days, hours, minutes, seconds): `P1DT2H`, `PT30M`, `PT0S`."""
    if isinstance(value, IsoDuration):
        return value.text
    if value < dt.timedelta(0) or value.microseconds:
        raise ValueError("a duration must be whole seconds, not negative")
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    date = f"{value.days}D" if value.days else ""
    return f"P{date}T{time}" if time else f"P{date}" if date else "PT0S"


def format_timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a timestamp must be aware (carry its offset)")
    return value.replace(microsecond=0).isoformat()


def _read_duration(value: Any) -> Any:
    return IsoDuration(value) if isinstance(value, str) else value


Duration = Annotated[
    dt.timedelta, BeforeValidator(_read_duration), PlainSerializer(format_duration, when_used="json")
]
Timestamp = Annotated[AwareDatetime, PlainSerializer(format_timestamp, when_used="json")]


class Model(BaseModel):
    """Every model keeps the fields it does not know (a newer server's), and is sent as the fields set."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def wire_value(value: Any) -> Any:
    """A value of a body or a query as JSON: models by their set fields, datetimes and timedeltas as text."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, dt.datetime):
        return format_timestamp(value)
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): wire_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire_value(v) for v in value]
    return value
