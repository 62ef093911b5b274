"""Lists the Hapio way (kairos.domain.shared.listing): bracket filters, tri-state filters, sort and
pagination."""

from typing import Any

import pytest

from kairos.domain.shared.listing import (
    MAX_PER_PAGE,
    FieldType,
    Filter,
    ListSpec,
    Page,
    page_params,
    parse_filters,
    parse_sort,
    select,
)
from kairos.errors import ValidationFailed

SPEC = ListSpec(
    bracket_fields={
        "name": FieldType.STRING,
        "seats": FieldType.NUMBER,
        "price": FieldType.PRICE,
        "starts_at": FieldType.TIMESTAMP,
        "created_at": FieldType.TIMESTAMP,
        "metadata": FieldType.JSON,
    },
    sort_keys=("name", "seats", "created_at"),
    plain_filters={"colour": lambda item, value: item.get("colour") == value},
    tri_state={"disabled": lambda item: item.get("enabled") is False},
)


def _item(ident: str, **values: Any) -> dict[str, Any]:
    return {"id": ident, "created_at": "2024-01-01T00:00:00+00:00", "enabled": True, **values}


def _ids(page: Page) -> list[str]:
    return [item["id"] for item in page.items]


def _errors(query: dict[str, str]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        select([_item("a")], query, SPEC)
    return caught.value.errors


# --- operators on plain fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("eq", ["b"]), ("gt", ["c"]), ("gte", ["b", "c"]), ("lt", ["a"]), ("lte", ["a", "b"])],
)
def test_string_operators_compare_text(operator: str, expected: list[str]) -> None:
    items = [_item("a", name="Alpha"), _item("b", name="Beta"), _item("c", name="Gamma")]

    page = select(items, {f"name[{operator}]": "Beta", "sort": "name"}, SPEC)

    assert _ids(page) == expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("eq", ["ten"]),
        ("gt", ["hundred"]),
        ("gte", ["ten", "hundred"]),
        ("lt", ["two"]),
        ("lte", ["two", "ten"]),
    ],
)
def test_number_operators_compare_numerically_not_as_text(operator: str, expected: list[str]) -> None:
    items = [_item("two", seats=2), _item("ten", seats=10), _item("hundred", seats=100)]

    page = select(items, {f"seats[{operator}]": "10", "sort": "seats"}, SPEC)

    assert _ids(page) == expected


def test_number_filter_skips_items_without_a_value() -> None:
    items = [_item("unlimited", seats=None), _item("one", seats=1)]

    assert _ids(select(items, {"seats[gte]": "0"}, SPEC)) == ["one"]


def test_price_operators_compare_amounts() -> None:
    items = [_item("cheap", price="9.500"), _item("dear", price="100.000"), _item("free", price=None)]

    assert _ids(select(items, {"price[gt]": "10.000"}, SPEC)) == ["dear"]
    assert _ids(select(items, {"price[lte]": "9.500"}, SPEC)) == ["cheap"]
    assert _ids(select(items, {"price[eq]": "100.000"}, SPEC)) == ["dear"]


def test_timestamps_compare_as_instants_across_offsets() -> None:
    items = [
        _item("six_utc", starts_at="2023-08-28T06:00:00+00:00"),
        _item("seven_utc", starts_at="2023-08-28T09:00:00+02:00"),
    ]

    assert _ids(select(items, {"starts_at[eq]": "2023-08-28T08:00:00+02:00"}, SPEC)) == ["six_utc"]
    assert _ids(select(items, {"starts_at[gt]": "2023-08-28T01:30:00-05:00"}, SPEC)) == ["seven_utc"]
    assert _ids(select(items, {"starts_at[lte]": "2023-08-28T06:59:59+00:00"}, SPEC)) == ["six_utc"]


def test_several_filters_must_all_match() -> None:
    items = [_item("a", name="A", seats=1), _item("b", name="B", seats=5), _item("c", name="C", seats=9)]

    page = select(items, {"seats[gte]": "5", "name[lt]": "C"}, SPEC)

    assert _ids(page) == ["b"]


# --- metadata -------------------------------------------------------------------------------------------


def test_metadata_nested_keys_are_reached_with_arrows() -> None:
    items = [
        _item("john", metadata={"customer": {"name": "John"}}),
        _item("jane", metadata={"customer": {"name": "Jane"}}),
        _item("flat", metadata={"customer->name": "John"}),
        _item("none", metadata=None),
    ]

    page = select(items, {"metadata[customer->name][eq]": "John"}, SPEC)

    assert _ids(page) == ["john"]


def test_metadata_filter_without_operator_means_eq() -> None:
    items = [_item("red", metadata={"colour": "red"}), _item("blue", metadata={"colour": "blue"})]

    assert _ids(select(items, {"metadata[colour]": "red"}, SPEC)) == ["red"]


def test_metadata_true_matches_the_json_boolean() -> None:
    items = [
        _item("yes", metadata={"flag": True}),
        _item("no", metadata={"flag": False}),
        _item("one", metadata={"flag": 1}),
    ]

    assert _ids(select(items, {"metadata[flag][eq]": "true"}, SPEC)) == ["yes"]
    assert _ids(select(items, {"metadata[flag][eq]": "false"}, SPEC)) == ["no"]


def test_metadata_numbers_compare_numerically() -> None:
    items = [_item("nine", metadata={"n": 9}), _item("ten", metadata={"n": 10.0})]

    assert _ids(select(items, {"metadata[n][gt]": "9.5"}, SPEC)) == ["ten"]
    assert _ids(select(items, {"metadata[n][eq]": "10"}, SPEC)) == ["ten"]


def test_metadata_boolean_never_orders_with_gt() -> None:
    items = [_item("yes", metadata={"flag": True})]

    assert _ids(select(items, {"metadata[flag][gt]": "false"}, SPEC)) == []


def test_parse_filters_reads_field_path_operator_and_value() -> None:
    found = parse_filters({"metadata[customer->name][lte]": "John", "page": "1", "seats[gt]": "2"}, SPEC)

    assert found == [
        Filter("metadata", ("customer", "name"), "lte", "John"),
        Filter("seats", (), "gt", "2"),
    ]


# --- refused filters ------------------------------------------------------------------------------------


def test_unknown_operator_is_refused_naming_the_field() -> None:
    errors = _errors({"name[like]": "A%"})

    assert errors == {"name": ["The name filter operator must be one of: eq, gt, gte, lt, lte."]}


def test_unknown_bracket_field_is_refused_naming_the_field() -> None:
    assert _errors({"colourway[eq]": "red"}) == {"colourway": ["The colourway field cannot be filtered."]}


def test_unknown_plain_parameter_is_ignored() -> None:
    assert _ids(select([_item("a")], {"whatever": "x"}, SPEC)) == ["a"]


def test_timestamp_filter_value_in_another_format_is_refused() -> None:
    errors = _errors({"starts_at[gte]": "2023-08-28T08:00:00.000Z"})

    assert list(errors) == ["starts_at"]
    assert "YYYY-MM-DDThh:mm:ss" in errors["starts_at"][0]


@pytest.mark.parametrize(("key", "value"), [("price[eq]", "10"), ("seats[gt]", "many")])
def test_price_and_number_filter_values_are_checked(key: str, value: str) -> None:
    field = key.partition("[")[0]

    assert list(_errors({key: value})) == [field]


@pytest.mark.parametrize("key", ["name[eq][gt]", "metadata[a][eq][x]", "metadata[][eq]"])
def test_filter_with_the_wrong_number_of_brackets_is_refused(key: str) -> None:
    assert list(_errors({key: "x"})) == [key.partition("[")[0]]


def test_every_bad_filter_is_reported_at_once() -> None:
    errors = _errors({"name[like]": "x", "starts_at[eq]": "yesterday"})

    assert set(errors) == {"name", "starts_at"}


# --- plain and tri-state filters ------------------------------------------------------------------------


def test_plain_filter_applies_its_predicate() -> None:
    items = [_item("r", colour="red"), _item("b", colour="blue")]

    assert _ids(select(items, {"colour": "blue"}, SPEC)) == ["b"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["on"]),
        ({"disabled": "exclude"}, ["on"]),
        ({"disabled": "include"}, ["off", "on"]),
        ({"disabled": "only"}, ["off"]),
    ],
)
def test_disabled_items_are_excluded_by_default(query: dict[str, str], expected: list[str]) -> None:
    items = [_item("on", name="b"), _item("off", name="a", enabled=False)]

    assert _ids(select(items, {**query, "sort": "name"}, SPEC)) == expected


def test_tri_state_value_outside_exclude_include_only_is_refused() -> None:
    assert _errors({"disabled": "true"}) == {"disabled": ["The selected disabled is invalid."]}


# --- sorting --------------------------------------------------------------------------------------------


def test_sort_without_a_key_uses_the_default_order_with_id_last() -> None:
    assert parse_sort({}, SPEC) == (("created_at", False), ("id", False))
    assert parse_sort({"sort": ""}, SPEC) == SPEC.default_sort


def test_sort_reads_keys_and_directions_in_order_and_ends_with_id() -> None:
    order = parse_sort({"sort": "name.desc, seats.asc,created_at"}, SPEC)

    assert order == (("name", True), ("seats", False), ("created_at", False), ("id", False))


@pytest.mark.parametrize("sort", ["colour.asc", "name.up", "name.asc,", "metadata.asc", "id"])
def test_bad_sort_key_or_direction_is_refused_on_sort(sort: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_sort({"sort": sort}, SPEC)

    assert list(caught.value.errors) == ["sort"]


def test_multi_key_sort_applies_keys_in_order() -> None:
    items = [
        _item("a1", name="A", seats=1),
        _item("b2", name="B", seats=2),
        _item("a3", name="A", seats=3),
        _item("b1", name="B", seats=1),
    ]

    assert _ids(select(items, {"sort": "name.asc,seats.desc"}, SPEC)) == ["a3", "a1", "b2", "b1"]
    assert _ids(select(items, {"sort": "name.desc,seats.asc"}, SPEC)) == ["b1", "b2", "a1", "a3"]


def test_sort_ties_are_broken_by_id_whatever_the_direction() -> None:
    items = [_item("c", name="Same"), _item("a", name="Same"), _item("b", name="Same")]

    assert _ids(select(items, {"sort": "name.asc"}, SPEC)) == ["a", "b", "c"]
    assert _ids(select(items, {"sort": "name.desc"}, SPEC)) == ["a", "b", "c"]


def test_timestamps_sort_by_instant_not_by_text() -> None:
    items = [
        _item("later", created_at="2024-01-01T09:00:00+02:00"),  # 07:00 UTC
        _item("earlier", created_at="2024-01-01T06:30:00+00:00"),
    ]

    assert _ids(select(items, {"sort": "created_at.asc"}, SPEC)) == ["earlier", "later"]


def test_missing_values_sort_first_ascending() -> None:
    items = [_item("ten", seats=10), _item("unlimited", seats=None), _item("two", seats=2)]

    assert _ids(select(items, {"sort": "seats"}, SPEC)) == ["unlimited", "two", "ten"]
    assert _ids(select(items, {"sort": "seats.desc"}, SPEC)) == ["ten", "two", "unlimited"]


# --- pagination -----------------------------------------------------------------------------------------


def test_pagination_defaults_to_page_one_of_a_hundred() -> None:
    assert page_params({}) == (1, MAX_PER_PAGE) == (1, 100)


def test_pagination_slices_and_reports_indexes() -> None:
    items = [_item(f"{n:02}") for n in range(1, 8)]

    page = select(items, {"page": "2", "per_page": "3", "sort": "created_at"}, SPEC)

    assert _ids(page) == ["04", "05", "06"]
    assert (page.total, page.page, page.per_page, page.last_page) == (7, 2, 3, 3)
    assert (page.first_index, page.last_index) == (4, 6)


def test_last_partial_page_ends_at_the_total() -> None:
    page = select([_item(f"{n}") for n in range(7)], {"page": "3", "per_page": "3"}, SPEC)

    assert (page.first_index, page.last_index) == (7, 7)


def test_page_past_the_end_is_empty_without_indexes() -> None:
    page = select([_item("a")], {"page": "5"}, SPEC)

    assert page.items == []
    assert (page.first_index, page.last_index) == (None, None)
    assert (page.total, page.last_page) == (1, 1)


def test_empty_list_still_has_one_last_page() -> None:
    page = select([], {}, SPEC)

    assert page.last_page == 1
    assert (page.total, page.first_index, page.last_index) == (0, None, None)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"per_page": "0"}, "per_page", "The per_page field must be at least 1."),
        ({"per_page": "101"}, "per_page", "The per_page field must not be greater than 100."),
        ({"page": "0"}, "page", "The page field must be at least 1."),
        ({"page": "two"}, "page", "The page field must be an integer."),
        ({"per_page": "-1"}, "per_page", "The per_page field must be an integer."),
        ({"page": "1.5"}, "page", "The page field must be an integer."),
    ],
)
def test_out_of_range_pagination_is_refused(query: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        page_params(query)

    assert caught.value.errors == {field: [message]}


def test_both_bad_pagination_parameters_are_reported_together() -> None:
    with pytest.raises(ValidationFailed) as caught:
        page_params({"page": "0", "per_page": "101"})

    assert set(caught.value.errors) == {"page", "per_page"}


def test_per_page_of_exactly_a_hundred_is_allowed() -> None:
    assert page_params({"page": "3", "per_page": "100"}) == (3, 100)
