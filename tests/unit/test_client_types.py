"""kairos-client's wire formats: durations are timedeltas written back as ISO 8601 (a duration in years or
months as it was written), timestamps aware datetimes written with their offset, whole seconds."""

import datetime as dt

import pytest
from pydantic import TypeAdapter

from kairos_client import models
from kairos_client.types import IsoDuration, format_duration, wire_value

STOCKHOLM = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.timedelta(0), "PT0S"),
        (dt.timedelta(minutes=50), "PT50M"),
        (dt.timedelta(days=14), "P14D"),
        (dt.timedelta(days=1, hours=2, seconds=5), "P1DT2H5S"),
    ],
)
def test_a_timedelta_is_sent_as_an_iso_duration_and_read_back(value: dt.timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert IsoDuration(text) == value


def test_a_duration_in_months_or_years_is_sent_back_as_written() -> None:
    service = TypeAdapter(models.Service).validate_python(
        {
            "type": "fixed",
            "name": "Exam",
            "duration": "PT1H",
            "booking_window_end": "P1M",
            "id": "s",
            "created_at": "2030-01-01T08:00:00+01:00",
            "updated_at": "2030-01-01T08:00:00+01:00",
        }
    )
    assert service.duration == dt.timedelta(hours=1)
    assert service.booking_window_end == dt.timedelta(days=30)
    assert wire_value(service)["booking_window_end"] == "P1M"
    assert service.created_at == dt.datetime(2030, 1, 1, 7, tzinfo=dt.UTC)


def test_timestamps_are_sent_with_their_offset_in_whole_seconds_and_must_be_aware() -> None:
    assert wire_value(dt.datetime(2030, 1, 1, 8, 0, 0, 123, tzinfo=STOCKHOLM)) == "2030-01-01T08:00:00+01:00"
    with pytest.raises(ValueError, match="aware"):
        wire_value(dt.datetime(2030, 1, 1, 8))
    with pytest.raises(ValueError):
        IsoDuration("PT")


def test_a_booking_from_hapio_without_kairos_fields_is_read() -> None:
    booking = {
        "id": "b",
        **dict.fromkeys(("resource_id", "resource", "service_id", "service", "location_id", "location")),
        **dict.fromkeys(
            ("price", "metadata", "finalized_at", "canceled_at", "booking_group_id", "booking_group")
        ),
        "is_temporary": False,
        "is_canceled": False,
        **dict.fromkeys(
            ("starts_at", "ends_at", "buffer_starts_at", "buffer_ends_at"), "2030-01-01T08:00:00+00:00"
        ),
        **dict.fromkeys(("created_at", "updated_at"), "2030-01-01T08:00:00+00:00"),
    }
    assert models.Booking.model_validate(booking).expires_at is None  # Kairos' addition, absent on Hapio
