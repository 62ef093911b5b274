"""Wire formats (kairos.values.formats): timestamps, durations, prices, times of day and time zones."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kairos.values import formats
from tests.unit.conftest import in_fresh_interpreter

# --- timestamps -----------------------------------------------------------------------------------------


def test_timestamp_with_an_offset_is_read_as_that_instant() -> None:
    parsed = formats.parse_timestamp("2023-08-28T08:00:00+02:00")

    assert parsed == datetime(2023, 8, 28, 6, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=2)


def test_timestamp_with_a_negative_offset_is_accepted() -> None:
    assert formats.parse_timestamp("2023-08-28T08:00:00-05:30") == datetime(2023, 8, 28, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2023-08-28T08:00:00.000Z",  # JS toISOString(), refused by Hapio (seen live)
        "2023-08-28T08:00:00Z",
        "2023-08-28T08:00:00",
        "2023-08-28T08:00:00.5+02:00",
        "2023-08-28 08:00:00+02:00",
        "2023-08-28T08:00+02:00",
        "2023-08-28T08:00:00+0200",
        "2023-08-28",
        "",
    ],
)
def test_timestamp_outside_the_atom_format_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DDThh:mm:ss"):
        formats.parse_timestamp(text)


@pytest.mark.parametrize(
    "text", ["2023-02-30T08:00:00+00:00", "2023-13-01T08:00:00+00:00", "2023-08-28T25:00:00+00:00"]
)
def test_timestamp_of_an_impossible_date_or_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="valid timestamp"):
        formats.parse_timestamp(text)


def test_timestamp_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ValueError):
        formats.parse_timestamp(1693202400)  # type: ignore[arg-type]


def test_format_timestamp_renders_utc_by_default_without_fractions() -> None:
    moment = datetime(2023, 8, 28, 6, 0, 0, 987654, tzinfo=UTC)

    assert formats.format_timestamp(moment) == "2023-08-28T06:00:00+00:00"


def test_format_timestamp_renders_in_the_given_zone_with_its_offset() -> None:
    moment = datetime(2023, 8, 28, 6, 0, tzinfo=UTC)

    assert formats.format_timestamp(moment, ZoneInfo("Europe/Stockholm")) == "2023-08-28T08:00:00+02:00"
    winter = datetime(2023, 12, 1, 6, 0, tzinfo=UTC)
    assert formats.format_timestamp(winter, ZoneInfo("Europe/Stockholm")) == "2023-12-01T07:00:00+01:00"


def test_formatted_timestamp_parses_back_to_the_same_instant() -> None:
    moment = datetime(2024, 3, 31, 0, 30, tzinfo=UTC)
    text = formats.format_timestamp(moment, ZoneInfo("America/New_York"))

    assert formats.parse_timestamp(text) == moment


def test_now_utc_has_whole_seconds_in_utc() -> None:
    now = formats.now_utc()

    assert now.microsecond == 0
    assert now.utcoffset() == timedelta(0)


# --- dates ----------------------------------------------------------------------------------------------


def test_date_is_read_from_year_month_day() -> None:
    assert formats.parse_date("2024-02-29").isoformat() == "2024-02-29"


@pytest.mark.parametrize("text", ["2023-02-29", "2023-2-1", "2023-02-01T00:00:00+00:00", "01.02.2023"])
def test_malformed_or_impossible_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        formats.parse_date(text)


# --- durations ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nominal"),
    [
        ("PT50M", timedelta(minutes=50)),
        ("P14D", timedelta(days=14)),
        ("P1W", timedelta(days=7)),
        ("PT0S", timedelta(0)),
        ("PT24H", timedelta(hours=24)),
        ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("PT9999S", timedelta(seconds=9999)),
        ("P1Y", timedelta(days=365)),
        ("P2M", timedelta(days=60)),
    ],
)
def test_duration_is_accepted_and_keeps_its_text(text: str, nominal: timedelta) -> None:
    duration = formats.parse_duration(text)

    assert duration.text == text
    assert duration.nominal() == nominal


def test_duration_keeps_calendar_parts_apart_from_the_time_part() -> None:
    duration = formats.parse_duration("P1DT2H")

    assert (duration.days, duration.hours) == (1, 2)
    assert duration.time_part == timedelta(hours=2)


@pytest.mark.parametrize(
    "text",
    [
        "PT0.5H",  # fractions
        "PT1,5H",
        "PT10000M",  # five digits
        "P10000D",
        "P",
        "PT",
        "1H",
        "PT1",
        "P1DT",
        "pt1h",
        "PT1H30",
        "-PT1H",
        "",
    ],
)
def test_malformed_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        formats.parse_duration(text)


@pytest.mark.parametrize("text", ["P1W2D", "P1WT1H", "P1Y1W", "P0W1D"])
def test_weeks_mixed_with_other_parts_are_refused_as_hapio_allows_weeks_only_alone(text: str) -> None:
    with pytest.raises(ValueError, match="must not mix weeks"):
        formats.parse_duration(text)


def test_a_stored_duration_mixing_weeks_is_still_read() -> None:
    assert formats.stored_duration("P1W2D").nominal() == timedelta(days=9)


def test_duration_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ValueError):
        formats.parse_duration(3600)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "zero"), [("PT0S", True), ("P0D", True), ("P0W", True), ("PT1S", False)])
def test_duration_is_zero_only_when_every_part_is_zero(text: str, zero: bool) -> None:
    assert formats.parse_duration(text).is_zero is zero


# --- prices ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("149.000", Decimal("149")), ("0.500", Decimal("0.5"))])
def test_price_with_exactly_three_decimals_is_accepted(text: str, value: Decimal) -> None:
    assert formats.parse_price(text) == value


@pytest.mark.parametrize("text", ["149", "149.00", "149.0000", "-1.000", "1e3", ".500", "149,000", ""])
def test_price_without_exactly_three_decimals_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="exactly three decimals"):
        formats.parse_price(text)


def test_price_as_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        formats.parse_price(149.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("149"), "149.000"), (Decimal("0.5"), "0.500"), (Decimal("2.0004"), "2.000")]
)
def test_format_price_gives_three_decimals(value: Decimal, text: str) -> None:
    assert formats.format_price(value) == text


# --- times of day ---------------------------------------------------------------------------------------


def test_time_of_day_is_read_from_hours_minutes_seconds() -> None:
    assert formats.parse_time("08:30:15") == time(8, 30, 15)
    assert formats.parse_time("23:59:59") == time(23, 59, 59)


def test_end_of_day_is_allowed_only_where_asked_for() -> None:
    assert formats.parse_time("24:00:00", allow_end_of_day=True) is None
    with pytest.raises(ValueError, match="between 00:00:00 and 23:59:59"):
        formats.parse_time("24:00:00")


@pytest.mark.parametrize("text", ["24:00:01", "25:00:00", "12:60:00", "12:00:60", "8:00:00", "08:00", "noon"])
def test_malformed_time_of_day_is_refused_even_where_end_of_day_is_allowed(text: str) -> None:
    with pytest.raises(ValueError):
        formats.parse_time(text, allow_end_of_day=True)


# --- time zones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Stockholm", "America/New_York", "UTC", "Asia/Kolkata"])
def test_iana_time_zone_is_accepted(name: str) -> None:
    assert formats.parse_time_zone(name) == ZoneInfo(name)


def test_time_zones_come_from_the_shipped_tzdata_on_a_host_without_zone_data() -> None:
    """A host without a system zone database (a Lambda runtime image need not have one) is an empty
    PYTHONTZPATH. zoneinfo then reads the tzdata package (a locked dependency, shipped in the layer), so
    zones still validate."""
    check = (
        "from kairos.values.formats import parse_time_zone, format_timestamp\n"
        "from datetime import datetime, UTC\n"
        "zone = parse_time_zone('Europe/Stockholm')\n"
        "print(format_timestamp(datetime(2023, 8, 28, 6, tzinfo=UTC), zone))\n"
    )
    result = in_fresh_interpreter(check, PYTHONTZPATH="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2023-08-28T08:00:00+02:00"


@pytest.mark.parametrize("name", ["Mars/Olympus", "europe/stockholm", "+02:00", "", "../etc/passwd"])
def test_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="IANA time zone"):
        formats.parse_time_zone(name)
