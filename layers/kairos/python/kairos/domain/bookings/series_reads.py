"""Reading booking series (Kairos; docs/booking-series.md): how the API shows a series, its bookings, one
series and the list. Apart from the writes (`series.py`), so that a read, and the stream's series events,
load neither the input models (pydantic) nor the booking rules nor the slot engine: a cold start of the
series function met by a list or a get does not wait for them (docs/infrastructure.md, "Cold starts")."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kairos.domain.bookings.series_state import KIND, is_shown
from kairos.domain.bookings.views import Entities, render_booking
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import FieldType, ListSpec, Page, select
from kairos.domain.shared.ports import BookingRepository, CatalogueRepository
from kairos.domain.shared.records import Booking, Record
from kairos.errors import Forbidden, NotFound
from kairos.values.formats import format_timestamp
from kairos.values.ids import is_uuid, normal_id

if TYPE_CHECKING:
    from kairos.domain.bookings.bookings import Bookings

SERIES_LIST = ListSpec(
    bracket_fields={
        "metadata": FieldType.JSON,
        "protected_metadata": FieldType.JSON,
        "created_at": FieldType.TIMESTAMP,
        "updated_at": FieldType.TIMESTAMP,
    },
    sort_keys=("created_at", "updated_at"),
    plain_filters={
        "service": lambda item, value: item["service_id"] == normal_id(value),
        "location": lambda item, value: item["location_id"] == normal_id(value),
        "resource": lambda item, value: item["resource_id"] == normal_id(value),
    },
)


class SeriesReads:
    def __init__(
        self, catalogue: CatalogueRepository, store: BookingRepository, bookings: "Bookings"
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._bookings = bookings  # the entities a series' bookings render with

    def load(self, viewer: Principal, series_id: str) -> Record:
        """The series' item, if the API shows it (a series being written is not there yet)."""
        found = self._catalogue.get(viewer.project_id, KIND, series_id) if is_uuid(series_id) else None
        if found is None or not is_shown(found):
            raise NotFound("booking series")
        return found

    def members(self, viewer: Principal, series: Record) -> list[Booking]:
        return series_bookings(self._store, viewer.project_id, series)

    def render(self, viewer: Principal, series: Record) -> dict[str, Any]:
        """The series with its bookings, as `GET` shows it."""
        return render_with_bookings(viewer, series, self._store, self._bookings)

    def get(self, viewer: Principal, series_id: str) -> dict[str, Any]:
        return self.render(viewer, self.load(viewer, series_id))

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        """The series shown (those being written are not), without their bookings: `booking_ids`."""
        if not viewer.can("booking:protected_metadata") and any(
            k.startswith("protected_metadata[") for k in query
        ):
            raise Forbidden()
        listed = [s for s in self._catalogue.list_all(viewer.project_id, KIND) if is_shown(s)]
        items = [  # filtered with every field, shown as the viewer may see them
            {**render_series(viewer, s, None), "protected_metadata": s.doc.get("protected_metadata")}
            for s in listed
        ]
        selected = select(items, query, SERIES_LIST)
        by_id = {s.id: s for s in listed}
        return Page(
            [render_series(viewer, by_id[i["id"]], None) for i in selected.items],
            selected.total,
            selected.page,
            selected.per_page,
        )


def render_series(
    viewer: Principal,
    series: Record,
    bookings: list[Booking] | None,
    entities: Entities | None = None,
) -> dict[str, Any]:
    """The series as the API shows it; `bookings` None: without them (lists show `booking_ids` only)."""
    doc = series.doc
    values: dict[str, Any] = {
        "id": series.id,
        "recurrence": doc["recurrence"],
        "mode": doc["mode"],
        "service_id": doc.get("service_id"),
        "location_id": doc.get("location_id"),
        "resource_id": doc.get("resource_id"),
        "starts_at": doc["starts_at"],
        "ends_at": doc["ends_at"],
        "metadata": doc.get("metadata"),
        "protected_metadata": doc.get("protected_metadata"),
        "booking_ids": list(doc.get("booking_ids", [])),
        "canceled_from": doc.get("canceled_from"),
        "created_at": format_timestamp(series.created_at),
        "updated_at": format_timestamp(series.updated_at),
    }
    if bookings is not None:
        assert entities is not None
        values["bookings"] = [render_booking(viewer, b, entities) for b in bookings]
    if not viewer.can("booking:protected_metadata"):
        values.pop("protected_metadata")
    return values


def render_with_bookings(
    viewer: Principal, series: Record, store: BookingRepository, bookings: "Bookings"
) -> dict[str, Any]:
    """The series with its bookings still there, read now (a `GET`, a PATCH's answer, a series event)."""
    members = series_bookings(store, viewer.project_id, series)
    return render_series(viewer, series, members, bookings.entities(viewer, members))


def series_bookings(store: BookingRepository, project_id: str, series: Record) -> list[Booking]:
    """The series' bookings still there, in its order (100 a round trip)."""
    ids = [str(i) for i in series.doc.get("booking_ids", [])]
    found = {b.id: b for n in range(0, len(ids), 100) for b in store.get_many(project_id, ids[n : n + 100])}
    return [found[i] for i in ids if i in found]
