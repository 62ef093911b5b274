"""Hostile inputs that once got through or crashed: trailing newlines, non-ASCII digits, NaN filter values,
day-service times reported under pydantic's internal names; and the bounds of issue 12 (timestamps,
durations, metadata, bodies, transactions) that keep every accepted value storable and renderable."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from kairos.api.body import MAX_BODY_BYTES, json_body
from kairos.api.errors import error_response
from kairos.container import Container
from kairos.domain.catalogue.catalogue import SERVICE
from kairos.domain.projects.auth import Principal
from kairos.domain.shared import fields
from kairos.domain.shared.listing import FieldType, ListSpec, select
from kairos.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from kairos.storage.booking_store import BookingStore
from kairos.storage.dynamodb import RoundTrips, Table, load_document
from kairos.values import bounds, formats
from kairos.values.ids import new_id

DAY: dict[str, Any] = {
    "name": "Cabin",
    "type": "day",
    "start_time": "15:00:00",
    "end_time": "11:00:00",
    "min_days": 1,
    "max_days": 7,
}
SPEC = ListSpec(bracket_fields={"seats": FieldType.NUMBER, "metadata": FieldType.JSON}, sort_keys=("seats",))


# formats.py:14-21 anchor with `$` (also matches before a final newline) and use `\d` (any Unicode digit).
@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (formats.parse_duration, "PT50M\n"),
        (formats.parse_duration, "PT\u0665M"),  # ARABIC-INDIC DIGIT FIVE
        (formats.parse_price, "149.000\n"),
        (formats.parse_price, "\u0661\u0664\u0669.000"),
        (formats.parse_time, "08:00:00\n"),
    ],
)
def test_wire_formats_refuse_trailing_newlines_and_non_ascii_digits(parse: Any, text: str) -> None:
    with pytest.raises(ValueError):
        parse(text)


def test_service_duration_with_a_trailing_newline_is_refused_not_stored() -> None:
    with pytest.raises(ValidationFailed) as caught:
        SERVICE.validate({"name": "S", "type": "fixed", "duration": "PT1H\n"})

    assert list(caught.value.errors) == ["duration"]


# listing.py:154 accepts Decimal("NaN"); listing.py:236-241 then raise decimal.InvalidOperation (a 500).
@pytest.mark.parametrize("query", [{"seats[gt]": "NaN"}, {"seats[eq]": "sNaN"}])
def test_not_a_number_filter_value_is_a_validation_error_not_a_crash(query: dict[str, str]) -> None:
    items = [{"id": "a", "seats": 5, "metadata": {"n": 3}}]

    with pytest.raises(ValidationFailed):
        select(items, query, SPEC)


# catalogue_models.py:114 (DayTimes union) + validation.py:40 (field_name keeps the union member's loc).
def test_invalid_day_service_time_is_reported_on_the_field_itself() -> None:
    with pytest.raises(ValidationFailed) as caught:
        SERVICE.validate({**DAY, "start_time": "25:00:00"})

    assert caught.value.errors == {"start_time": ["The start_time field must be a valid time."]}


def test_not_a_number_metadata_filter_matches_no_number_and_does_not_crash() -> None:
    items = [{"id": "a", "seats": 5, "metadata": {"n": 3}}]

    assert select(items, {"metadata[n][lte]": "NaN"}, SPEC).items == []


# --- issue 12: every value Kairos accepts can be stored, computed with and rendered ------------------------


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("1970-01-01T00:00:00+00:00", True),
        ("1970-01-01T00:30:00-01:00", True),  # 01:30 UTC
        ("1970-01-01T00:30:00+01:00", False),  # 1969-12-31T23:30 UTC
        ("2200-12-31T23:59:59+00:00", True),
        ("2201-01-01T13:59:59+14:00", True),  # the same instant, as Kairos renders it at Kiritimati
        ("2201-01-01T00:00:00+00:00", False),
        ("9999-12-31T23:00:00+00:00", False),
        ("0001-01-01T00:00:00+00:00", False),
    ],
)
def test_timestamps_are_accepted_from_1970_to_2200_as_instants(text: str, accepted: bool) -> None:
    if accepted:
        assert formats.parse_timestamp(text)
    else:
        with pytest.raises(ValueError, match="from 1970-01-01T00:00:00"):
            formats.parse_timestamp(text)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Stockholm"])
@pytest.mark.parametrize("edge", [formats.FIRST_INSTANT, formats.LAST_INSTANT])
def test_an_accepted_instant_renders_in_any_zone_moved_by_the_longest_duration(zone: str, edge: Any) -> None:
    where = formats.zone(zone)
    for moved in (edge - bounds.MAX_LEAD, edge + bounds.MAX_LEAD):
        rendered = formats.format_timestamp(moved, where)
        assert formats.stored_timestamp(rendered) == moved


@pytest.mark.parametrize("text", ["1969-12-31", "2201-01-01", "0001-01-01", "9999-12-31"])
def test_dates_outside_1970_to_2200_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="in the years 1970 to 2200"):
        formats.parse_date(text)


@pytest.mark.parametrize(
    ("kind", "text", "problem"),
    [
        (fields.Length, "PT1M", None),
        (fields.Length, "PT59S", "at least PT1M"),
        (fields.Length, "P366D", None),
        (fields.Length, "P1Y2D", "at most P366D"),
        (fields.Length, "P9999Y", "at most P366D"),
        (fields.Buffer, "PT0S", None),
        (fields.Buffer, "P367D", "at most P366D"),
        (fields.Lead, "P10Y", None),
        (fields.Lead, "P10Y1D", "at most P10Y"),
        (fields.NonZeroLead, "P0D", "greater than zero"),
    ],
)
def test_durations_lie_within_their_documented_bounds(kind: Any, text: str, problem: str | None) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    if problem is None:
        assert adapter.validate_python(text) == text
    else:
        with pytest.raises(PydanticValidationError, match=problem):
            adapter.validate_python(text)


def test_metadata_is_measured_as_compact_utf8_json() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(fields.Metadata)
    fits = {"k": "é" * ((fields.MAX_METADATA_BYTES - len('{"k":""}')) // 2)}
    assert adapter.validate_python(fits) == fits
    with pytest.raises(PydanticValidationError, match="16384 bytes"):
        adapter.validate_python({"k": "é" * (fields.MAX_METADATA_BYTES // 2)})


# --- the body parser: one place for every route's body -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "error", "status"),
    [
        (b" ", BadRequest, 400),  # only a body with no bytes at all is `{}`
        (b"\xff", BadRequest, 400),
        (b"[1]", BadRequest, 400),
        (b"[" * 33 + b"]" * 33, ValidationFailed, 422),
        (b'{"a": {"\\u0000": 1}}', ValidationFailed, 422),
        (b'{"a": ["ok", "\\udc00"]}', ValidationFailed, 422),
        (b'{"a": 1e999}', ValidationFailed, 422),
    ],
)
def test_a_body_kairos_could_not_keep_is_refused_before_any_handler(
    raw: bytes, error: Any, status: int
) -> None:
    with pytest.raises(error) as refused:
        json_body(raw.decode("utf-8", "surrogateescape"), False, "application/json")
    assert error_response(refused.value).status_code == status


def test_the_refused_value_is_named_by_its_dotted_path() -> None:
    with pytest.raises(ValidationFailed) as refused:
        json_body('{"metadata": {"a": [0, NaN], "b\\u0000": "x"}}', False, "application/json")
    assert refused.value.errors == {
        "metadata.a.1": ["The metadata.a.1 field must be a finite number."],
        "metadata": ["The metadata field must not contain NUL characters."],
    }


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"]
)
def test_json_media_types_are_read(content_type: str) -> None:
    assert json_body('{"a": 1}', False, content_type) == {"a": 1}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_sent_as_another_media_type_is_a_415(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaType):
        json_body('{"a": 1}', False, content_type)


def test_an_empty_body_is_an_empty_object_whatever_its_media_type() -> None:
    assert json_body("", False, None) == {}
    assert json_body(None, False, "text/plain") == {}


def test_a_body_over_the_limit_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(PayloadTooLarge):
        json_body("x" * (MAX_BODY_BYTES + 1), False, "application/json")


# --- stored data that earlier versions let in stays readable ---------------------------------------------


def test_a_stored_nan_or_infinity_reads_as_null() -> None:
    assert load_document('{"metadata": {"a": NaN, "b": [Infinity, -Infinity]}}') == {
        "metadata": {"a": None, "b": [None, None]}
    }


def test_sorting_never_compares_values_of_different_kinds() -> None:
    items = [
        {"id": "a", "name": "2023-08-28T08:00:00+02:00"},
        {"id": "b", "name": "Bob"},
        {"id": "c", "name": 7},
    ]
    page = select(items, {"sort": "name"}, ListSpec(bracket_fields={}, sort_keys=("name",)))
    assert [i["id"] for i in page.items] == ["c", "a", "b"]


# --- a write that cannot fit one transaction is known before any read --------------------------------------


def _span(first: str, last: str) -> tuple[datetime, datetime]:
    return formats.parse_timestamp(first), formats.parse_timestamp(last)


def _hours(count: int) -> list[tuple[datetime, datetime]]:
    """`count` one-hour bookings, each on a day of its own."""
    start, day, hour = (
        formats.parse_timestamp("2030-01-07T09:00:00+00:00"),
        timedelta(days=1),
        timedelta(hours=1),
    )
    return [(start + n * day, start + n * day + hour) for n in range(count)]


@pytest.mark.parametrize(
    ("new", "fits"),
    [
        ([_span("2030-01-01T00:00:00+00:00", "2030-04-09T00:00:00+00:00")], True),  # 2 items and 98 days
        ([_span("2030-01-01T00:00:00+00:00", "2030-04-10T00:00:00+00:00")], False),
        ([_span("2030-01-01T09:00:00+00:00", "2030-01-01T10:00:00+00:00")] * 40, True),  # 81 and 1 day
        ([_span("2030-01-01T09:00:00+00:00", "2030-01-01T10:00:00+00:00")] * 50, False),  # 101 and 1 day
        (_hours(32), True),  # 66 items (the group's two) and 32 days
        (_hours(33), False),  # 68 items and 33 days
    ],
)
def test_a_write_is_known_not_to_fit_one_transaction_from_its_days_and_bookings(
    new: list[tuple[datetime, datetime]], fits: bool
) -> None:
    store = BookingStore(Table(connect=lambda: None, name="unused"))  # type: ignore[arg-type]  # reads nothing
    assert store.fits(new, [], group=len(new) > 1) is fits


def test_a_schedule_over_centuries_is_refused_before_anything_is_read(
    container: Container, principal: Principal
) -> None:
    query = {"from": "1970-01-01T00:00:00+00:00", "to": "2200-12-31T00:00:00+00:00", "location": new_id()}
    RoundTrips.reset()
    with pytest.raises(ValidationFailed) as refused:
        container.availability.schedule(principal, new_id(), query)
    assert list(refused.value.errors) == ["to"]
    assert RoundTrips.count() == 0
    with pytest.raises(NotFound):  # a year is read: here, no such resource
        container.availability.schedule(principal, new_id(), {**query, "to": "1970-12-31T00:00:00+00:00"})
