"""Hostile inputs that once got through or crashed: trailing newlines, non-ASCII digits, NaN filter values,
and day-service times reported under pydantic's internal names."""

from typing import Any

import pytest

from kairos.domain import formats
from kairos.domain.catalogue import SERVICE
from kairos.domain.errors import ValidationFailed
from kairos.domain.listing import FieldType, ListSpec, select

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
