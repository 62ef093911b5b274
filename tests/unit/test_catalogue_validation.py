"""Input validation of locations, resources and services (catalogue kinds and
kairos.domain.shared.validation)."""

from typing import Any

import pytest

from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, EntityKind
from kairos.errors import ValidationFailed

LOCATION_BODY: dict[str, Any] = {
    "name": "Main clinic",
    "time_zone": "Europe/Stockholm",
    "resource_selection_strategy": "randomize",
}
FIXED: dict[str, Any] = {"name": "Consultation", "type": "fixed", "duration": "PT50M"}
FLEXIBLE: dict[str, Any] = {
    "name": "Room hire",
    "type": "flexible",
    "min_duration": "PT30M",
    "max_duration": "PT2H",
    "duration_step": "PT30M",
}
DAY: dict[str, Any] = {
    "name": "Cabin",
    "type": "day",
    "start_time": "15:00:00",
    "end_time": "11:00:00",
    "min_days": 1,
    "max_days": 7,
}
WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _errors(kind: EntityKind, body: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        kind.validate(body)
    return caught.value.errors


# --- locations ------------------------------------------------------------------------------------------


def test_location_requires_name_time_zone_and_strategy() -> None:
    assert _errors(LOCATION, {}) == {
        "name": ["The name field is required."],
        "time_zone": ["The time_zone field is required."],
        "resource_selection_strategy": ["The resource_selection_strategy field is required."],
    }


def test_location_gets_defaults_for_optional_fields() -> None:
    doc = LOCATION.validate(LOCATION_BODY)

    assert doc == {**LOCATION_BODY, "metadata": None, "protected_metadata": None, "enabled": True}


def test_location_with_an_unknown_time_zone_is_refused() -> None:
    errors = _errors(LOCATION, {**LOCATION_BODY, "time_zone": "Mars/Olympus_Mons"})

    assert errors == {
        "time_zone": ["The time_zone field must be a valid IANA time zone, such as Europe/Stockholm."]
    }


def test_location_strategy_outside_the_enum_is_refused() -> None:
    errors = _errors(LOCATION, {**LOCATION_BODY, "resource_selection_strategy": "round_robin"})

    assert errors == {"resource_selection_strategy": ["The selected resource_selection_strategy is invalid."]}


def test_location_priority_is_kept_only_for_the_prioritize_strategy() -> None:
    ids = ["3f1b6c2e-8a55-4c36-9d7e-0c1a2b3c4d5e"]

    prioritized = LOCATION.validate(
        {**LOCATION_BODY, "resource_selection_strategy": "prioritize", "resource_selection_priority": ids}
    )
    randomized = LOCATION.validate({**LOCATION_BODY, "resource_selection_priority": ids})

    assert prioritized["resource_selection_priority"] == ids
    assert "resource_selection_priority" not in randomized


def test_location_priority_entries_must_be_uuids_named_by_index() -> None:
    errors = _errors(
        LOCATION,
        {**LOCATION_BODY, "resource_selection_strategy": "prioritize", "resource_selection_priority": ["x"]},
    )

    assert errors == {
        "resource_selection_priority.0": ["The resource_selection_priority.0 field must be a valid UUID."]
    }


def test_name_must_be_a_non_empty_string_of_at_most_255_characters() -> None:
    assert _errors(LOCATION, {**LOCATION_BODY, "name": ""}) == {"name": ["The name field is required."]}
    assert _errors(LOCATION, {**LOCATION_BODY, "name": 42}) == {"name": ["The name field must be a string."]}
    assert _errors(LOCATION, {**LOCATION_BODY, "name": "x" * 256}) == {
        "name": ["The name field must not be greater than 255 characters."]
    }
    assert LOCATION.validate({**LOCATION_BODY, "name": "x" * 255})["name"] == "x" * 255


@pytest.mark.parametrize("kind", [LOCATION, RESOURCE, SERVICE], ids=lambda k: k.name)
def test_body_that_is_not_an_object_is_refused_on_body(kind: EntityKind) -> None:
    errors = _errors(kind, ["name"])

    assert list(errors) == ["body"]


# --- metadata and booleans ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a string", [], ["a"], 5, True])
def test_metadata_must_be_an_object_or_null(value: Any) -> None:
    errors = _errors(RESOURCE, {"name": "Dr. Who", "metadata": value, "protected_metadata": value})

    assert errors == {
        "metadata": ["The metadata field must be an object."],
        "protected_metadata": ["The protected_metadata field must be an object."],
    }


def test_metadata_object_is_kept_as_given() -> None:
    metadata = {"customer": {"name": "Åsa", "vip": True}, "score": 1.5, "tags": ["a", "b"], "empty": {}}

    assert RESOURCE.validate({"name": "R", "metadata": metadata})["metadata"] == metadata
    assert RESOURCE.validate({"name": "R", "metadata": None})["metadata"] is None


@pytest.mark.parametrize("value", ["true", 1, 0, "false", None])
def test_enabled_must_be_a_real_boolean(value: Any) -> None:
    assert _errors(RESOURCE, {"name": "R", "enabled": value}) == {
        "enabled": ["The enabled field must be true or false."]
    }


def test_enabled_false_is_kept() -> None:
    assert RESOURCE.validate({"name": "R", "enabled": False})["enabled"] is False


# --- resources ------------------------------------------------------------------------------------------


def test_resource_defaults_to_unlimited_simultaneous_bookings() -> None:
    assert RESOURCE.validate({"name": "Dr. Who"}) == {
        "name": "Dr. Who",
        "max_simultaneous_bookings": None,
        "metadata": None,
        "protected_metadata": None,
        "enabled": True,
    }


def test_resource_max_simultaneous_bookings_of_zero_is_refused() -> None:
    assert _errors(RESOURCE, {"name": "R", "max_simultaneous_bookings": 0}) == {
        "max_simultaneous_bookings": ["The max_simultaneous_bookings field must be at least 1."]
    }


@pytest.mark.parametrize("value", ["2", 2.5, True])
def test_resource_max_simultaneous_bookings_must_be_an_integer(value: Any) -> None:
    assert _errors(RESOURCE, {"name": "R", "max_simultaneous_bookings": value}) == {
        "max_simultaneous_bookings": ["The max_simultaneous_bookings field must be an integer."]
    }


def test_a_whole_number_written_with_a_fraction_is_an_integer() -> None:
    """JSON Schema's `integer` (the document's) and Laravel's rule take 2.0 as 2 (issue 21)."""
    kept = RESOURCE.validate({"name": "R", "max_simultaneous_bookings": 2.0})["max_simultaneous_bookings"]
    assert (kept, type(kept)) == (2, int)
    day = SERVICE.validate({**DAY, "min_days": 2.0, "max_days": 7.0})
    assert (day["min_days"], day["max_days"]) == (2, 7)


def test_resource_requires_a_name() -> None:
    assert _errors(RESOURCE, {"max_simultaneous_bookings": 1}) == {"name": ["The name field is required."]}


# --- services: common fields ----------------------------------------------------------------------------


def test_service_without_type_names_the_type_field() -> None:
    assert _errors(SERVICE, {"name": "S"}) == {"type": ["The type field is required."]}


def test_service_of_an_unknown_type_is_refused() -> None:
    assert _errors(SERVICE, {"name": "S", "type": "hourly"}) == {"type": ["The selected type is invalid."]}


def test_service_without_a_valid_type_still_reports_every_failing_common_field() -> None:
    assert _errors(SERVICE, {}) == {
        "type": ["The type field is required."],
        "name": ["The name field is required."],
    }
    assert _errors(SERVICE, {"type": "hourly", "price": "10", "enabled": "yes"}) == {
        "type": ["The selected type is invalid."],
        "name": ["The name field is required."],
        "price": ["The price field must be a string with exactly three decimals, such as 149.000."],
        "enabled": ["The enabled field must be true or false."],
    }


def test_fixed_service_gets_defaults_and_only_its_own_fields() -> None:
    doc = SERVICE.validate(FIXED)

    assert doc == {
        "name": "Consultation",
        "type": "fixed",
        "duration": "PT50M",
        "bookable_interval": None,
        "price": None,
        "buffer_time_before": "PT0S",
        "buffer_time_after": "PT0S",
        "booking_window_start": "PT0S",
        "booking_window_end": None,
        "cancelation_threshold": "PT0S",
        "metadata": None,
        "protected_metadata": None,
        "enabled": True,
    }


def test_service_price_must_have_three_decimals() -> None:
    assert _errors(SERVICE, {**FIXED, "price": "149"}) == {
        "price": ["The price field must be a string with exactly three decimals, such as 149.000."]
    }
    assert _errors(SERVICE, {**FIXED, "price": 149.0}) == {"price": ["The price field must be a string."]}
    assert SERVICE.validate({**FIXED, "price": "149.000"})["price"] == "149.000"


def test_service_errors_name_the_field_not_the_type_branch() -> None:
    errors = _errors(SERVICE, {**FIXED, "buffer_time_before": "30 minutes"})

    assert errors == {
        "buffer_time_before": [
            "The buffer_time_before field must be an ISO 8601 duration such as PT30M,"
            " with at most 4 digits per part."
        ]
    }


def test_several_invalid_fields_are_reported_together() -> None:
    errors = _errors(SERVICE, {**FIXED, "price": "1", "enabled": "yes", "cancelation_threshold": "PT1.5H"})

    assert set(errors) == {"price", "enabled", "cancelation_threshold"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FIXED, "duration": "PT0S"}, "duration"),
        ({**FIXED, "bookable_interval": "P0D"}, "bookable_interval"),
        ({**FIXED, "booking_window_end": "PT0S"}, "booking_window_end"),
        ({**FLEXIBLE, "min_duration": "PT0M"}, "min_duration"),
        ({**FLEXIBLE, "duration_step": "PT0S"}, "duration_step"),
        ({**FLEXIBLE, "max_duration": "PT0H"}, "max_duration"),
    ],
)
def test_zero_duration_is_refused_where_it_makes_no_sense(body: dict[str, Any], field: str) -> None:
    assert _errors(SERVICE, body) == {field: [f"The {field} field must be a duration greater than zero."]}


def test_a_duration_mixing_weeks_with_days_is_refused_on_its_field() -> None:
    errors = _errors(SERVICE, {**FIXED, "booking_window_end": "P1W2D"})

    assert errors == {
        "booking_window_end": [
            "The booking_window_end field must not mix weeks with other parts: use P[n]W alone, "
            "or days (P9D)."
        ]
    }


def test_zero_buffers_and_window_start_are_allowed() -> None:
    doc = SERVICE.validate({**FIXED, "buffer_time_before": "PT0S", "booking_window_start": "P0D"})

    assert (doc["buffer_time_before"], doc["booking_window_start"]) == ("PT0S", "P0D")


# --- services: the three types --------------------------------------------------------------------------


def test_fixed_service_requires_a_duration() -> None:
    body = {k: v for k, v in FIXED.items() if k != "duration"}

    assert _errors(SERVICE, body) == {"duration": ["The duration field is required."]}


def test_fields_of_another_type_are_ignored_and_left_out() -> None:
    doc = SERVICE.validate(
        {**FIXED, "min_duration": "not even valid", "start_time": "08:00:00", "min_days": 0, "max_days": None}
    )

    assert not {"min_duration", "max_duration", "duration_step", "start_time", "min_days", "max_days"} & set(
        doc
    )


def test_flexible_service_requires_min_max_and_step() -> None:
    errors = _errors(SERVICE, {"name": "S", "type": "flexible"})

    assert errors == {
        "min_duration": ["The min_duration field is required."],
        "max_duration": ["The max_duration field is required."],
        "duration_step": ["The duration_step field is required."],
    }


def test_flexible_service_defaults_and_has_no_fixed_or_day_fields() -> None:
    doc = SERVICE.validate({**FLEXIBLE, "duration": "PT1H"})

    assert doc["default_duration"] is None
    assert doc["bookable_interval"] is None
    assert "duration" not in doc
    assert "start_time" not in doc


def test_flexible_max_duration_may_be_null_for_no_upper_limit() -> None:
    assert SERVICE.validate({**FLEXIBLE, "max_duration": None})["max_duration"] is None


def test_flexible_max_below_min_is_refused_on_max_duration() -> None:
    errors = _errors(SERVICE, {**FLEXIBLE, "min_duration": "PT2H", "max_duration": "PT90M"})

    assert errors == {"max_duration": ["The max_duration must be at least the min_duration."]}


def test_flexible_max_equal_to_min_is_allowed() -> None:
    doc = SERVICE.validate({**FLEXIBLE, "min_duration": "PT1H", "max_duration": "PT60M"})

    assert doc["max_duration"] == "PT60M"


@pytest.mark.parametrize("default", ["PT15M", "PT3H"])
def test_flexible_default_outside_min_and_max_is_refused(default: str) -> None:
    assert list(_errors(SERVICE, {**FLEXIBLE, "default_duration": default})) == ["default_duration"]


def test_day_service_requires_times_and_day_counts() -> None:
    errors = _errors(SERVICE, {"name": "S", "type": "day"})

    assert errors == {
        "start_time": ["The start_time field is required."],
        "end_time": ["The end_time field is required."],
        "min_days": ["The min_days field is required."],
        "max_days": ["The max_days field is required."],
    }


def test_day_service_has_no_bookable_interval() -> None:
    doc = SERVICE.validate({**DAY, "bookable_interval": "PT1H", "duration": "PT1H"})

    assert doc["default_days"] is None
    assert "bookable_interval" not in doc
    assert "duration" not in doc


def test_day_service_takes_per_weekday_times_for_all_seven_days() -> None:
    per_day = {day: "09:00:00" for day in WEEK}

    doc = SERVICE.validate({**DAY, "start_time": per_day})

    assert doc["start_time"] == per_day


def test_day_service_per_weekday_times_missing_a_day_are_refused() -> None:
    six_days = {day: "09:00:00" for day in WEEK[:-1]}

    assert _errors(SERVICE, {**DAY, "end_time": six_days}) == {
        "end_time": ["The end_time field must give a time for every weekday."]
    }


def test_day_service_max_days_below_min_days_is_refused() -> None:
    assert _errors(SERVICE, {**DAY, "min_days": 3, "max_days": 2}) == {
        "max_days": ["The max_days must be at least the min_days."]
    }


def test_day_service_min_days_must_be_at_least_one() -> None:
    assert _errors(SERVICE, {**DAY, "min_days": 0}) == {
        "min_days": ["The min_days field must be at least 1."]
    }


def test_day_service_default_days_outside_the_range_is_refused() -> None:
    assert list(_errors(SERVICE, {**DAY, "default_days": 8})) == ["default_days"]
