"""The contract checker the stream mapper runs (`kairos.events.contract`, no pydantic) accepts exactly
what the envelope models accept, and a checked envelope's JSON is the text the models write: the same
events leave the mapper, the same are refused."""

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from kairos.container import Container
from kairos.events.contract import (
    ANNOTATIONS,
    KEYWORDS,
    ContractBroken,
    checked,
    envelope_json,
    keywords,
)
from kairos.events.envelope import FAMILIES, json_schemas
from tests.unit.events.test_contract import representative_records
from tests.unit.events.test_mapper import mapped

ENTRY = {
    "id": "44444444-4444-4444-8444-444444444444",
    "status": "offered",
    "service_id": "55555555-5555-4555-8555-555555555555",
    "location_id": "66666666-6666-4666-8666-666666666666",
    "resource_id": None,
    "from": "2030-01-07T08:00:00+01:00",
    "to": "2030-01-07T09:00:00+01:00",
    "metadata": {"ß": [1, 2.5, None]},
    "booking_id": None,
    "offered_at": "2030-01-01T10:00:00+00:00",
    "created_at": "2030-01-01T10:00:00+00:00",
    "updated_at": "2030-01-01T10:00:00+00:00",
}
WAITLIST_EVENT = {
    "id": "77777777-7777-4777-8777-777777777777",
    "type": "waitlist_entry.offered",
    "project_id": "11111111-1111-4111-8111-111111111111",
    "time": "2030-01-01T10:00:00+00:00",
    "data": ENTRY,
    "changes": ["offered_at", "status"],
}
# What a renderer could get wrong in a field: each is put in place of one field's value in turn.
WRONG_VALUES = [None, 7, 1, True, "x", "2030-01-01T10:00:00Z", [], ["x"], {}, {"x": 1}]


def events(container: Container) -> list[tuple[str, dict[str, Any]]]:
    made = [e for r in representative_records() for e in mapped(container, r)]
    return [(e["type"].split(".")[0], e) for e in made] + [("waitlist_entry", WAITLIST_EVENT)]


def model_accepts(family: str, envelope: dict[str, Any]) -> bool:
    try:
        FAMILIES[family].model_validate(envelope)
    except ValidationError:
        return False
    return True


def checker_accepts(family: str, envelope: dict[str, Any]) -> bool:
    try:
        checked(family, envelope)
    except ContractBroken:
        return False
    return True


def variants(envelope: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The envelope with one field (of the envelope, its data, a group's first member) missing, given
    each of WRONG_VALUES, or one unknown field added."""
    places: list[tuple[str, ...]] = [()]
    places.append(("data",))
    if envelope["data"].get("bookings"):
        places.append(("data", "bookings", 0))
    for place in places:
        target: Any = envelope
        for step in place:
            target = target[step]
        for name in [*target, "unknown"]:
            changed = copy.deepcopy(envelope)
            inner: Any = changed
            for step in place:
                inner = inner[step]
            if name in inner:
                del inner[name]
                yield f"{place}.{name} missing", copy.deepcopy(changed)
            for wrong in WRONG_VALUES:
                inner[name] = wrong
                yield f"{place}.{name}={wrong!r}", copy.deepcopy(changed)


def test_the_checker_reads_every_keyword_the_published_schemas_use() -> None:
    for schema in json_schemas().values():
        assert set(keywords(schema)) <= KEYWORDS | ANNOTATIONS


def test_a_checked_envelope_is_the_text_the_models_write(container: Container) -> None:
    for family, envelope in events(container):
        written = FAMILIES[family].model_validate(envelope).model_dump_json()
        assert envelope_json(checked(family, envelope)) == written
        defaults_left_out = {k: v for k, v in envelope.items() if k != "version"}
        defaults_left_out["data"] = {
            k: v for k, v in envelope["data"].items() if k not in ("expires_at", "booking_series_id")
        }
        assert envelope_json(checked(family, defaults_left_out)) == written


def test_the_checker_refuses_what_the_models_refuse_and_accepts_what_they_accept(
    container: Container,
) -> None:
    """But for one of the models' lax conversions, a number 1 for true, which the checker refuses (the
    renderers write booleans; the models would have published `true`)."""
    differ = set()
    for family, envelope in events(container):
        assert checker_accepts(family, envelope)
        for name, variant in variants(envelope):
            if model_accepts(family, variant) != checker_accepts(family, variant):
                differ.add((name, model_accepts(family, variant)))
    assert differ == {("('data',).is_temporary=1", True), ("('data',).is_canceled=1", True)}


def test_a_refused_envelope_names_what_breaks_the_contract(container: Container) -> None:
    family, envelope = events(container)[0]
    broken = {**envelope, "data": {**envelope["data"], "starts_at": "tomorrow", "colour": "red"}}
    with pytest.raises(ContractBroken) as refused:
        checked(family, broken)
    assert refused.value.errors == [
        ".data.starts_at does not match ^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+-]\\d{2}:\\d{2}$",
        ".data.colour is not a field of the contract",
    ]
    assert json.loads(envelope_json(envelope)) == envelope
