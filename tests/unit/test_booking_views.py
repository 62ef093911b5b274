"""A list or series of bookings renders each entity once (`Entities.shown`): every booking still shows it
exactly as `render` does for the viewer, its protected metadata as the viewer may see it, in an object of
its own."""

from datetime import UTC, datetime, timedelta

from kairos.domain.bookings.views import Entities, render_booking
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Booking, Project, Record
from kairos.values.ids import new_id

NOW = datetime(2030, 3, 1, 9, tzinfo=UTC)
PROJECT = Project(new_id(), "clinic", True, "free", 600, NOW, NOW)


def _viewer(*abilities: str) -> Principal:
    return Principal(PROJECT, new_id(), frozenset({"booking:view", *abilities}))


def _record(kind: str, doc: dict[str, object]) -> Record:
    return Record(kind, new_id(), {"name": kind, "protected_metadata": {"secret": kind}, **doc}, NOW, NOW)


def _bookings(resource: Record, service: Record, location: Record) -> list[Booking]:
    starts = [NOW + timedelta(weeks=n) for n in range(3)]
    return [
        Booking(new_id(), resource.id, service.id, location.id, s, s + timedelta(hours=1), s,
                s + timedelta(hours=1), {"price": "80.000"}, NOW, NOW)
        for s in starts
    ]  # fmt: skip


def test_each_booking_shows_the_entities_as_the_viewer_may_see_them_whatever_was_rendered_before() -> None:
    resource, service = _record("resource", {}), _record("service", {"type": "fixed"})
    location = _record("location", {"time_zone": "Europe/Stockholm"})
    entities = Entities({(r.kind, r.id): r for r in (resource, service, location)})
    bookings = _bookings(resource, service, location)
    allowed = _viewer("resource:protected_metadata")

    hidden = [render_booking(_viewer(), b, entities) for b in bookings]
    shown = [render_booking(allowed, b, entities) for b in bookings]

    assert all("protected_metadata" not in b["resource"] for b in hidden)
    assert all(b["resource"]["protected_metadata"] == {"secret": "resource"} for b in shown)
    assert all("protected_metadata" not in b["service"] for b in shown)  # its own ability: not given
    assert [b["starts_at"] for b in shown] == [
        "2030-03-01T10:00:00+01:00",
        "2030-03-08T10:00:00+01:00",
        "2030-03-15T10:00:00+01:00",
    ]


def test_each_booking_gets_its_own_entity_objects() -> None:
    resource, service = _record("resource", {}), _record("service", {"type": "fixed"})
    location = _record("location", {"time_zone": "UTC"})
    entities = Entities({(r.kind, r.id): r for r in (resource, service, location)})
    first, second, _ = (
        render_booking(_viewer(), b, entities) for b in _bookings(resource, service, location)
    )

    first["resource"]["name"] = "changed by a caller"

    assert second["resource"]["name"] == "resource"
    assert render_booking(_viewer(), _bookings(resource, service, location)[0], entities)["resource"][
        "name"
    ] == ("resource")
