"""What a booking write's request must be allowed before it is planned: the abilities its flags and
protected metadata need, and a cancelation inside the service's threshold refused. Apart from
`kairos.domain.bookings.bookings`, which keeps the reading and the planning."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Booking, Record
from kairos.errors import ValidationFailed
from kairos.values.formats import stored_duration

if TYPE_CHECKING:  # a protocol for the checker only: reading bookings does not load its module
    from kairos.domain.bookings.inputs import BookingInput


def check_abilities(viewer: Principal, model: "BookingInput", sent: Mapping[str, Any]) -> None:
    """The abilities the request's ignore flags and protected metadata need (a 403 without them)."""
    for flag in model.flags():
        viewer.require(f"booking:{flag}")
    if "protected_metadata" in sent:
        viewer.require("booking:protected_metadata")


def check_cancelation(
    service: Record | None, booking: Booking, flags: set[str], prefix: str, now: datetime
) -> None:
    if service is None or "ignore_cancelation_threshold" in flags:
        return
    threshold = stored_duration(service.doc.get("cancelation_threshold", "PT0S")).nominal()
    if booking.starts_at - now < threshold:
        raise ValidationFailed.field(
            f"{prefix}is_canceled",
            "The booking can no longer be canceled: it is inside the cancelation threshold.",
        )
