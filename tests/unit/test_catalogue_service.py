"""The Catalogue service on the in-process moto table: entity lifecycle, associations, lists, protected
metadata and project isolation."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, Catalogue
from kairos.domain.projects.auth import Principal
from kairos.errors import Forbidden, NotFound, ValidationFailed
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import from_item

FIXED: dict[str, Any] = {"name": "Consultation", "type": "fixed", "duration": "PT50M"}
FLEXIBLE_FIELDS: dict[str, Any] = {"min_duration": "PT30M", "max_duration": "PT2H", "duration_step": "PT15M"}
LOCATION_BODY: dict[str, Any] = {
    "name": "Main clinic",
    "time_zone": "Europe/Stockholm",
    "resource_selection_strategy": "randomize",
}


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2024, 5, 1, 8, 0, tzinfo=UTC))


@pytest.fixture
def catalogue(container: Container, clock: FakeClock) -> Catalogue:
    """A catalogue on the same table as the container's, with a clock the test moves."""
    store = CatalogueStore(container.table)
    return Catalogue(store, store, clock=clock)


def _without(principal: Principal, *abilities: str) -> Principal:
    return dataclasses.replace(principal, abilities=principal.abilities - set(abilities))


def _other_project(container: Container) -> Principal:
    project = container.projects.create_project("Other clinic", rate_limit=10_000)
    _, value = container.projects.create_token(project.id, "all", None)
    return container.auth.authenticate(f"Bearer {value}")


def _items(container: Container, entity: str) -> list[dict[str, Any]]:
    scanned = container.table.client.scan(TableName=container.table.name)
    return [i for i in (from_item(raw) for raw in scanned["Items"]) if i.get("entity") == entity]


# --- create, get, replace, patch, delete ----------------------------------------------------------------


def test_created_service_is_returned_and_can_be_read_back(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, SERVICE, {**FIXED, "price": "149.000", "metadata": {"room": 4}})

    assert uuid.UUID(created["id"])
    assert created["created_at"] == created["updated_at"] == "2024-05-01T08:00:00+00:00"
    assert catalogue.get(principal, SERVICE, created["id"]) == created
    assert list(created) == [
        "id",
        "name",
        "price",
        "type",
        "duration",
        "bookable_interval",
        "buffer_time_before",
        "buffer_time_after",
        "booking_window_start",
        "booking_window_end",
        "cancelation_threshold",
        "metadata",
        "protected_metadata",
        "enabled",
        "created_at",
        "updated_at",
    ]


def test_invalid_create_stores_nothing(catalogue: Catalogue, principal: Principal) -> None:
    with pytest.raises(ValidationFailed):
        catalogue.create(principal, SERVICE, {**FIXED, "duration": "PT0S"})

    assert catalogue.page(principal, SERVICE, {}).total == 0


def test_patch_changes_only_the_given_fields(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(
        principal, SERVICE, {**FIXED, "buffer_time_after": "PT10M", "metadata": {"a": 1}}
    )

    patched = catalogue.patch(principal, SERVICE, created["id"], {"name": "Long consultation"})

    assert patched == {**created, "name": "Long consultation", "updated_at": patched["updated_at"]}
    assert catalogue.get(principal, SERVICE, created["id"]) == patched


def test_patch_keeps_created_at_and_bumps_updated_at(
    catalogue: Catalogue, principal: Principal, clock: FakeClock
) -> None:
    created = catalogue.create(principal, RESOURCE, {"name": "Dr. Who"})
    clock.advance(90)

    patched = catalogue.patch(principal, RESOURCE, created["id"], {"max_simultaneous_bookings": 2})

    assert patched["created_at"] == created["created_at"] == "2024-05-01T08:00:00+00:00"
    assert patched["updated_at"] == "2024-05-01T08:01:30+00:00"
    assert catalogue.get(principal, RESOURCE, created["id"])["updated_at"] == "2024-05-01T08:01:30+00:00"


def test_patch_is_validated_as_the_merged_entity(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, SERVICE, {"name": "Hire", "type": "flexible", **FLEXIBLE_FIELDS})

    with pytest.raises(ValidationFailed) as caught:
        catalogue.patch(principal, SERVICE, created["id"], {"max_duration": "PT15M"})

    assert list(caught.value.errors) == ["max_duration"]
    assert catalogue.get(principal, SERVICE, created["id"]) == created


def test_patch_changing_type_requires_the_new_types_fields(
    catalogue: Catalogue, principal: Principal
) -> None:
    created = catalogue.create(principal, SERVICE, FIXED)

    with pytest.raises(ValidationFailed) as caught:
        catalogue.patch(principal, SERVICE, created["id"], {"type": "flexible"})

    assert set(caught.value.errors) == {"min_duration", "max_duration", "duration_step"}
    assert catalogue.get(principal, SERVICE, created["id"]) == created


def test_patch_changing_type_with_the_new_fields_drops_the_old_types_fields(
    catalogue: Catalogue, principal: Principal
) -> None:
    created = catalogue.create(principal, SERVICE, FIXED)

    patched = catalogue.patch(principal, SERVICE, created["id"], {"type": "flexible", **FLEXIBLE_FIELDS})

    assert patched["type"] == "flexible"
    assert patched["min_duration"] == "PT30M"
    assert "duration" not in patched
    assert catalogue.get(principal, SERVICE, created["id"]) == patched


def test_put_resets_omitted_fields_to_defaults(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(
        principal,
        SERVICE,
        {**FIXED, "price": "10.000", "buffer_time_before": "PT5M", "metadata": {"a": 1}, "enabled": False},
    )

    replaced = catalogue.replace(principal, SERVICE, created["id"], {**FIXED, "name": "Renamed"})

    assert replaced["name"] == "Renamed"
    assert (replaced["price"], replaced["buffer_time_before"]) == (None, "PT0S")
    assert (replaced["metadata"], replaced["enabled"]) == (None, True)
    assert replaced["created_at"] == created["created_at"]


def test_put_requires_the_required_fields(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, LOCATION, LOCATION_BODY)

    with pytest.raises(ValidationFailed) as caught:
        catalogue.replace(principal, LOCATION, created["id"], {"name": "Only a name"})

    assert set(caught.value.errors) == {"time_zone", "resource_selection_strategy"}


def test_deleted_entity_is_not_found_afterwards(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, LOCATION, LOCATION_BODY)

    catalogue.delete(principal, LOCATION, created["id"])

    with pytest.raises(NotFound):
        catalogue.get(principal, LOCATION, created["id"])
    with pytest.raises(NotFound):
        catalogue.delete(principal, LOCATION, created["id"])
    with pytest.raises(NotFound):
        catalogue.patch(principal, LOCATION, created["id"], {"name": "Back"})


def test_malformed_id_is_not_found(catalogue: Catalogue, principal: Principal) -> None:
    for bad_id in ("not-a-uuid", "", "1", "../x", str(uuid.uuid4()) + "x"):
        with pytest.raises(NotFound) as caught:
            catalogue.get(principal, RESOURCE, bad_id)
        assert str(caught.value) == "The resource was not found."
        with pytest.raises(NotFound):
            catalogue.delete(principal, RESOURCE, bad_id)
        with pytest.raises(NotFound):
            catalogue.replace(principal, RESOURCE, bad_id, {"name": "R"})


def test_id_of_another_kind_is_not_found(catalogue: Catalogue, principal: Principal) -> None:
    resource = catalogue.create(principal, RESOURCE, {"name": "R"})

    with pytest.raises(NotFound):
        catalogue.get(principal, SERVICE, resource["id"])


# --- associations ---------------------------------------------------------------------------------------


def test_associating_twice_creates_only_once(catalogue: Catalogue, principal: Principal) -> None:
    service = catalogue.create(principal, SERVICE, FIXED)
    resource = catalogue.create(principal, RESOURCE, {"name": "R"})

    first, first_created = catalogue.associate(principal, service["id"], resource["id"])
    second, second_created = catalogue.associate(principal, service["id"], resource["id"])

    assert (first_created, second_created) == (True, False)
    assert (
        first
        == second
        == {
            "service_id": service["id"],
            "resource_id": resource["id"],
            "created_at": "2024-05-01T08:00:00+00:00",
        }
    )
    assert catalogue.association(principal, service["id"], resource["id"]) == first
    assert catalogue.associations_of(principal, SERVICE, service["id"]) == [first]
    assert catalogue.associations_of(principal, RESOURCE, resource["id"]) == [first]


def test_associating_a_missing_resource_is_resource_not_found(
    catalogue: Catalogue, principal: Principal
) -> None:
    service = catalogue.create(principal, SERVICE, FIXED)

    with pytest.raises(NotFound) as caught:
        catalogue.associate(principal, service["id"], str(uuid.uuid4()))

    assert caught.value.entity == "resource"
    assert catalogue.associations_of(principal, SERVICE, service["id"]) == []


def test_associating_a_missing_or_malformed_service_is_service_not_found(
    catalogue: Catalogue, principal: Principal
) -> None:
    resource = catalogue.create(principal, RESOURCE, {"name": "R"})

    with pytest.raises(NotFound) as caught:
        catalogue.associate(principal, str(uuid.uuid4()), resource["id"])

    assert caught.value.entity == "service"
    with pytest.raises(NotFound) as malformed:
        catalogue.associate(principal, "nope", resource["id"])
    assert malformed.value.entity == "service"


def test_deleting_a_service_removes_its_associations_from_both_sides(
    container: Container, catalogue: Catalogue, principal: Principal
) -> None:
    service = catalogue.create(principal, SERVICE, FIXED)
    kept_service = catalogue.create(principal, SERVICE, {**FIXED, "name": "Kept"})
    resources = [catalogue.create(principal, RESOURCE, {"name": f"R{n}"}) for n in range(2)]
    for resource in resources:
        catalogue.associate(principal, service["id"], resource["id"])
    catalogue.associate(principal, kept_service["id"], resources[0]["id"])

    catalogue.delete(principal, SERVICE, service["id"])

    assert [a["service_id"] for a in catalogue.associations_of(principal, RESOURCE, resources[0]["id"])] == [
        kept_service["id"]
    ]
    assert catalogue.associations_of(principal, RESOURCE, resources[1]["id"]) == []
    with pytest.raises(NotFound):
        catalogue.association(principal, service["id"], resources[1]["id"])
    left = _items(container, "association")
    assert {i["service_id"] for i in left} == {kept_service["id"]}
    assert len(left) == 2  # the kept association's two mirrors


def test_dissociating_removes_the_association_once(catalogue: Catalogue, principal: Principal) -> None:
    service = catalogue.create(principal, SERVICE, FIXED)
    resource = catalogue.create(principal, RESOURCE, {"name": "R"})
    catalogue.associate(principal, service["id"], resource["id"])

    catalogue.dissociate(principal, service["id"], resource["id"])

    assert catalogue.associations_of(principal, SERVICE, service["id"]) == []
    with pytest.raises(NotFound):
        catalogue.dissociate(principal, service["id"], resource["id"])


# --- lists ----------------------------------------------------------------------------------------------


def test_list_paginates_in_creation_order(
    catalogue: Catalogue, principal: Principal, clock: FakeClock
) -> None:
    names = [f"Resource {n}" for n in range(5)]
    for name in names:
        catalogue.create(principal, RESOURCE, {"name": name})
        clock.advance(1)

    first = catalogue.page(principal, RESOURCE, {"per_page": "2"})
    last = catalogue.page(principal, RESOURCE, {"per_page": "2", "page": "3"})

    assert [r["name"] for r in first.items] == names[:2]
    assert [r["name"] for r in last.items] == names[4:]
    assert (first.total, first.last_page, last.first_index, last.last_index) == (5, 3, 5, 5)


def test_list_filters_and_sorts_end_to_end(
    catalogue: Catalogue, principal: Principal, clock: FakeClock
) -> None:
    catalogue.create(
        principal, SERVICE, {**FIXED, "name": "Cheap", "price": "10.000", "metadata": {"vip": False}}
    )
    clock.advance(60)
    catalogue.create(
        principal, SERVICE, {**FIXED, "name": "Dear", "price": "99.000", "metadata": {"vip": True}}
    )
    catalogue.create(principal, SERVICE, {**FIXED, "name": "Dearer", "price": "150.000", "enabled": False})
    catalogue.create(
        principal, SERVICE, {"name": "Hire", "type": "flexible", "price": "20.000", **FLEXIBLE_FIELDS}
    )

    def names(query: dict[str, str]) -> list[str]:
        return [s["name"] for s in catalogue.page(principal, SERVICE, query).items]

    assert names({"price[gte]": "20.000", "sort": "name.desc"}) == ["Hire", "Dear"]
    assert names({"price[gte]": "20.000", "disabled": "include", "sort": "name"}) == [
        "Dear",
        "Dearer",
        "Hire",
    ]
    assert names({"metadata[vip][eq]": "true"}) == ["Dear"]
    assert names({"type": "flexible"}) == ["Hire"]
    assert names({"disabled": "only"}) == ["Dearer"]
    assert names({"created_at[gt]": "2024-05-01T10:00:30+02:00", "sort": "name"}) == ["Dear", "Hire"]


def test_list_refuses_an_unknown_filter(catalogue: Catalogue, principal: Principal) -> None:
    with pytest.raises(ValidationFailed) as caught:
        catalogue.page(principal, RESOURCE, {"price[eq]": "1.000"})

    assert list(caught.value.errors) == ["price"]


def test_location_list_filters_by_timezone_and_strategy(catalogue: Catalogue, principal: Principal) -> None:
    catalogue.create(principal, LOCATION, LOCATION_BODY)
    catalogue.create(
        principal,
        LOCATION,
        {
            **LOCATION_BODY,
            "name": "Paris",
            "time_zone": "Europe/Paris",
            "resource_selection_strategy": "equalize",
        },
    )

    by_zone = catalogue.page(principal, LOCATION, {"timezone": "Europe/Paris"})
    by_strategy = catalogue.page(principal, LOCATION, {"resource_selection_strategy": "randomize"})

    assert [loc["name"] for loc in by_zone.items] == ["Paris"]
    assert [loc["name"] for loc in by_strategy.items] == ["Main clinic"]


# --- protected metadata ---------------------------------------------------------------------------------


def test_protected_metadata_is_shown_with_the_ability(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, RESOURCE, {"name": "R", "protected_metadata": {"secret": 1}})

    assert created["protected_metadata"] == {"secret": 1}
    assert catalogue.page(principal, RESOURCE, {"protected_metadata[secret][eq]": "1"}).total == 1


def test_protected_metadata_is_hidden_without_the_ability(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, RESOURCE, {"name": "R", "protected_metadata": {"secret": 1}})
    weak = _without(principal, "resource:protected_metadata")

    shown = catalogue.get(weak, RESOURCE, created["id"])
    listed = catalogue.page(weak, RESOURCE, {})

    assert "protected_metadata" not in shown
    assert shown == {k: v for k, v in created.items() if k != "protected_metadata"}
    assert ["protected_metadata" in item for item in listed.items] == [False]


def test_protected_metadata_cannot_be_written_or_filtered_without_the_ability(
    catalogue: Catalogue, principal: Principal
) -> None:
    created = catalogue.create(principal, SERVICE, {**FIXED, "protected_metadata": {"secret": 1}})
    weak = _without(principal, "service:protected_metadata")

    with pytest.raises(Forbidden):
        catalogue.create(weak, SERVICE, {**FIXED, "protected_metadata": {"mine": 1}})
    with pytest.raises(Forbidden):
        catalogue.patch(weak, SERVICE, created["id"], {"protected_metadata": None})
    with pytest.raises(Forbidden):
        catalogue.page(weak, SERVICE, {"protected_metadata[secret][eq]": "1"})
    assert catalogue.page(principal, SERVICE, {}).total == 1
    assert catalogue.get(principal, SERVICE, created["id"])["protected_metadata"] == {"secret": 1}


def test_put_without_the_ability_keeps_the_protected_metadata(
    catalogue: Catalogue, principal: Principal
) -> None:
    created = catalogue.create(principal, SERVICE, {**FIXED, "protected_metadata": {"secret": 1}})
    weak = _without(principal, "service:protected_metadata")

    catalogue.replace(weak, SERVICE, created["id"], {**FIXED, "name": "Renamed"})

    after = catalogue.get(principal, SERVICE, created["id"])
    assert (after["name"], after["protected_metadata"]) == ("Renamed", {"secret": 1})


def test_another_kinds_protected_ability_does_not_count(catalogue: Catalogue, principal: Principal) -> None:
    created = catalogue.create(principal, LOCATION, {**LOCATION_BODY, "protected_metadata": {"k": "v"}})
    weak = _without(principal, "location:protected_metadata")

    assert weak.can("resource:protected_metadata")
    assert "protected_metadata" not in catalogue.get(weak, LOCATION, created["id"])


# --- project isolation ----------------------------------------------------------------------------------


def test_another_projects_ids_are_not_found(
    container: Container, catalogue: Catalogue, principal: Principal
) -> None:
    theirs = _other_project(container)
    service = catalogue.create(theirs, SERVICE, FIXED)
    resource = catalogue.create(theirs, RESOURCE, {"name": "Theirs"})
    catalogue.associate(theirs, service["id"], resource["id"])

    with pytest.raises(NotFound):
        catalogue.get(principal, SERVICE, service["id"])
    with pytest.raises(NotFound):
        catalogue.patch(principal, SERVICE, service["id"], {"name": "Mine"})
    with pytest.raises(NotFound):
        catalogue.replace(principal, RESOURCE, resource["id"], {"name": "Mine"})
    with pytest.raises(NotFound):
        catalogue.delete(principal, RESOURCE, resource["id"])
    with pytest.raises(NotFound):
        catalogue.association(principal, service["id"], resource["id"])
    with pytest.raises(NotFound):
        catalogue.associations_of(principal, SERVICE, service["id"])
    with pytest.raises(NotFound):
        catalogue.associate(principal, service["id"], resource["id"])
    assert catalogue.page(principal, SERVICE, {}).total == 0
    assert catalogue.get(theirs, SERVICE, service["id"]) == service
    assert catalogue.get(theirs, RESOURCE, resource["id"])["name"] == "Theirs"
