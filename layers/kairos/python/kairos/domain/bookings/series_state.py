"""What a booking write needs to know of a booking series, without the series' input models (pydantic):
its kind in the catalogue, its two states, and whether the API shows it. A booking of a series still being
written refuses changes (docs/booking-series.md), and the booking services load no input model before a
write parses a body (docs/infrastructure.md, "Cold starts")."""

from kairos.domain.shared.records import Record

KIND = "booking_series"
PENDING, ACTIVE = "pending", "active"  # a series is shown once every booking of it is written


def is_shown(series: Record | None) -> bool:
    """Whether the API shows the series: a series still being written is not there yet."""
    return series is not None and series.doc.get("status") == ACTIVE
