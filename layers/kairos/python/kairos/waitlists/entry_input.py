"""The input of `POST /v1/waitlist-entries` (docs/waitlists.md) and the checks of its window: apart from
`kairos.waitlists.entries`, so that what reads or offers entries (the offer step, the store, the stream
mapper) loads no pydantic; only the create that parses a body does (docs/infrastructure.md, cold starts)."""

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kairos.domain.shared.fields import Metadata, Timestamp, Uuid
from kairos.errors import ValidationFailed
from kairos.values.formats import parse_timestamp


class WaitlistEntryInput(BaseModel):
    """`POST /v1/waitlist-entries`."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    service_id: Uuid
    location_id: Uuid
    resource_id: Uuid | None = Field(
        default=None, description="Only this resource; any of the service's when absent."
    )
    from_: Timestamp = Field(alias="from", description="The earliest start the person would take.")
    to: Timestamp = Field(description="The latest end the person would take.")
    metadata: Metadata = None

    @model_validator(mode="after")
    def _ordered(self) -> "WaitlistEntryInput":
        if parse_timestamp(self.to) <= parse_timestamp(self.from_):
            raise ValidationFailed.field("to", "The to must be a date after from.")
        return self


def check_window(given: WaitlistEntryInput, now: datetime, longest_days: int) -> None:
    """A window that has passed, or one longer than a bookable-slots request may ask for, is a 422 on `to`."""
    start, end = parse_timestamp(given.from_), parse_timestamp(given.to)
    if end <= now:
        raise ValidationFailed.field("to", "The to must be a date in the future.")
    if end - start > timedelta(days=longest_days):
        raise ValidationFailed.field(
            "to",
            f"The to field must be at most {longest_days} days after from (the KAIROS_MAX_SLOT_WINDOW_DAYS "
            "setting).",
        )
