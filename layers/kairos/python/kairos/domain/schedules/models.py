"""Input models of schedules: recurring schedules, their weekly blocks, and one-off schedule blocks."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, model_validator

from kairos.domain.shared.fields import DateText, EndTime, IntervalWeeks, TimeOfDay, Timestamp, Uuid
from kairos.errors import ValidationFailed
from kairos.values.formats import parse_timestamp

# defer_build: a model's validator is built when it first validates, not at import: a cold start builds
# only the ones its first request uses (docs/infrastructure.md, cold starts).
_INPUT = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class RecurringScheduleInput(BaseModel):
    model_config = _INPUT

    location_id: Uuid
    start_date: DateText
    end_date: DateText | None = None
    interval: IntervalWeeks = 1

    @model_validator(mode="after")
    def _ordered(self) -> "RecurringScheduleInput":
        if self.end_date is not None and date.fromisoformat(self.end_date) < date.fromisoformat(
            self.start_date
        ):
            raise ValidationFailed.field(
                "end_date", "The end_date must be a date after or equal to start_date."
            )
        return self

    def document(self) -> dict[str, Any]:
        return self.model_dump()


class RecurringBlockInput(BaseModel):
    model_config = _INPUT

    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    start_time: TimeOfDay
    end_time: EndTime

    @model_validator(mode="after")
    def _ordered(self) -> "RecurringBlockInput":
        if self.end_time <= self.start_time:  # hh:mm:ss text orders as time does, 24:00:00 last
            raise ValidationFailed.field("end_time", "The end_time must be a time after start_time.")
        return self

    def document(self) -> dict[str, Any]:
        return self.model_dump()


class ScheduleBlockInput(BaseModel):
    model_config = _INPUT

    location_id: Uuid
    starts_at: Timestamp
    ends_at: Timestamp
    is_available: StrictBool = True

    @model_validator(mode="after")
    def _ordered(self) -> "ScheduleBlockInput":
        if parse_timestamp(self.ends_at) <= parse_timestamp(self.starts_at):
            raise ValidationFailed.field("ends_at", "The ends_at must be a date after starts_at.")
        return self

    def document(self) -> dict[str, Any]:
        return self.model_dump()


RECURRING_SCHEDULE_FIELDS = (
    "id",
    "location_id",
    "location",
    "start_date",
    "end_date",
    "interval",
    "created_at",
    "updated_at",
)
RECURRING_BLOCK_FIELDS = ("id", "weekday", "start_time", "end_time", "created_at", "updated_at")
SCHEDULE_BLOCK_FIELDS = (
    "id",
    "location_id",
    "location",
    "starts_at",
    "ends_at",
    "is_available",
    "created_at",
    "updated_at",
)
