"""Input models of the catalogue entities (location, resource, service) and their output field order.

Cross-field rules raise `ValidationFailed` from inside a validator (pydantic lets it through untouched), so
the error names the field at fault rather than the body.

A model validates a whole entity as POST or PUT sends it; a PATCH is applied to the stored entity first and
the merged result validated the same way, so one set of rules serves all three verbs.
"""

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)

from kairos.domain.shared.fields import (
    TIME_SCHEMA,
    Buffer,
    Capacity,
    Days,
    Enabled,
    Lead,
    Length,
    Metadata,
    Name,
    NonZeroLead,
    Price,
    TimeZoneName,
    Uuid,
)
from kairos.errors import ValidationFailed
from kairos.values.bounds import MAX_PRIORITY_IDS
from kairos.values.formats import parse_duration, parse_time

# defer_build: a model's validator is built when it first validates, not at import: a cold start builds
# only the ones its first request uses (docs/infrastructure.md, cold starts).
_INPUT = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class LocationInput(BaseModel):
    model_config = _INPUT

    name: Name
    time_zone: TimeZoneName
    resource_selection_strategy: Literal["randomize", "prioritize", "equalize"]
    resource_selection_priority: Annotated[list[Uuid], Field(max_length=MAX_PRIORITY_IDS)] | None = None
    metadata: Metadata = None
    protected_metadata: Metadata = None
    enabled: Enabled = True

    def document(self) -> dict[str, Any]:
        doc = self.model_dump()
        if self.resource_selection_strategy != "prioritize":
            doc.pop(
                "resource_selection_priority"
            )  # applies to `prioritize` only, like a service's type fields
        return doc


class ResourceInput(BaseModel):
    model_config = _INPUT

    name: Name
    max_simultaneous_bookings: Capacity | None = None
    metadata: Metadata = None
    protected_metadata: Metadata = None
    enabled: Enabled = True

    def document(self) -> dict[str, Any]:
        return self.model_dump()


# A Kairos addition: unknown keys are refused (a misspelt period would otherwise be no limit at all).
_LIMITS = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PerResourceLimits(BaseModel):
    """At most this many bookings of the service per resource in a local day, ISO week or month."""

    model_config = _LIMITS

    day: Capacity | None = None
    week: Capacity | None = None
    month: Capacity | None = None


class BookingLimitsInput(BaseModel):
    model_config = _LIMITS

    per_resource: PerResourceLimits


class ServiceCommon(BaseModel):
    model_config = _INPUT

    name: Name
    price: Price | None = None
    buffer_time_before: Buffer = "PT0S"
    buffer_time_after: Buffer = "PT0S"
    booking_window_start: Lead = "PT0S"
    booking_window_end: NonZeroLead | None = None
    cancelation_threshold: Lead = "PT0S"
    booking_limits: BookingLimitsInput | None = None
    metadata: Metadata = None
    protected_metadata: Metadata = None
    enabled: Enabled = True

    def document(self) -> dict[str, Any]:
        doc = self.model_dump()
        # Stored and shown only when set (a Hapio client never sees it), each period only when limited.
        limits = {p: n for p, n in (doc.pop("booking_limits") or {}).get("per_resource", {}).items() if n}
        return {**doc, "booking_limits": {"per_resource": limits}} if limits else doc


class FixedServiceInput(ServiceCommon):
    type: Literal["fixed"]
    duration: Length
    bookable_interval: Length | None = None


class FlexibleServiceInput(ServiceCommon):
    type: Literal["flexible"]
    min_duration: Length
    max_duration: Length | None = Field(...)
    default_duration: Length | None = None
    duration_step: Length
    bookable_interval: Length | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "FlexibleServiceInput":
        low = parse_duration(self.min_duration).nominal()
        high = parse_duration(self.max_duration).nominal() if self.max_duration else None
        if high is not None and high < low:
            raise ValidationFailed.field(
                "max_duration", "The max_duration must be at least the min_duration."
            )
        if self.default_duration is not None:
            default = parse_duration(self.default_duration).nominal()
            if default < low or (high is not None and default > high):
                raise ValidationFailed.field(
                    "default_duration", "The default_duration must lie between min_duration and max_duration."
                )
        return self


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day_times(value: Any) -> str | dict[str, str]:
    """One `hh:mm:ss` for every day, or an object giving one per weekday (all seven)."""
    if isinstance(value, str):
        parse_time(value)
        return value
    if isinstance(value, dict):
        if set(value) != set(WEEKDAYS):
            raise ValueError("must give a time for every weekday")
        for text in value.values():
            if not isinstance(text, str):
                raise ValueError("must give each weekday a time of the form hh:mm:ss")
            parse_time(text)
        return {day: value[day] for day in WEEKDAYS}
    raise ValueError("must be a time of the form hh:mm:ss, or an object with a time for each weekday")


_DAY_TIMES_SCHEMA = {
    "oneOf": [
        TIME_SCHEMA,
        {"type": "object", "properties": dict.fromkeys(WEEKDAYS, TIME_SCHEMA), "required": list(WEEKDAYS)},
    ]
}
DayTimes = Annotated[str | dict[str, str], PlainValidator(_day_times), WithJsonSchema(_DAY_TIMES_SCHEMA)]


class DayServiceInput(ServiceCommon):
    type: Literal["day"]
    start_time: DayTimes
    end_time: DayTimes
    min_days: Days
    max_days: Days | None = Field(...)
    default_days: Days | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "DayServiceInput":
        if self.max_days is not None and self.max_days < self.min_days:
            raise ValidationFailed.field("max_days", "The max_days must be at least the min_days.")
        if self.default_days is not None and (
            self.default_days < self.min_days
            or (self.max_days is not None and self.default_days > self.max_days)
        ):
            raise ValidationFailed.field(
                "default_days", "The default_days must lie between min_days and max_days."
            )
        return self


ServiceInput = Annotated[
    FixedServiceInput | FlexibleServiceInput | DayServiceInput, Field(discriminator="type")
]
SERVICE_ADAPTER: TypeAdapter[FixedServiceInput | FlexibleServiceInput | DayServiceInput] = TypeAdapter(
    ServiceInput,
    config=_INPUT,  # built at its first use, as the models are
)
SERVICE_TAGS = frozenset({"fixed", "flexible", "day"})
