"""The catalogue: locations, resources and services (create, read, list, replace, patch, delete) and the
resource-service associations. One generic service serves the three kinds; an `EntityKind` says what
differs (how to validate, which fields, how to list). The input models (pydantic) are imported by the
first write: reads never load them, which keeps a cold start short."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import FieldType, ListSpec, Page, select
from kairos.domain.shared.ports import AssociationRepository, CatalogueRepository, require
from kairos.domain.shared.records import Association, Record
from kairos.errors import Conflict, Forbidden, NotFound
from kairos.values.formats import format_timestamp, now_utc
from kairos.values.ids import Origin, identity, is_uuid

PATCH_ATTEMPTS = 5

# The order fields are rendered in, as Hapio's responses show them.
LOCATION_FIELDS = (
    "id",
    "name",
    "time_zone",
    "resource_selection_strategy",
    "resource_selection_priority",
    "metadata",
    "protected_metadata",
    "enabled",
    "created_at",
    "updated_at",
)
RESOURCE_FIELDS = (
    "id",
    "name",
    "max_simultaneous_bookings",
    "metadata",
    "protected_metadata",
    "enabled",
    "created_at",
    "updated_at",
)
SERVICE_FIELDS = (
    "id",
    "name",
    "price",
    "type",
    "duration",
    "min_duration",
    "max_duration",
    "default_duration",
    "duration_step",
    "bookable_interval",
    "start_time",
    "end_time",
    "min_days",
    "max_days",
    "default_days",
    "buffer_time_before",
    "buffer_time_after",
    "booking_window_start",
    "booking_window_end",
    "cancelation_threshold",
    "booking_limits",
    "metadata",
    "protected_metadata",
    "enabled",
    "created_at",
    "updated_at",
)


def _location(body: Any) -> dict[str, Any]:
    from kairos.domain.catalogue.models import LocationInput
    from kairos.domain.shared.validation import parse

    return parse(LocationInput, body).document()


def _resource(body: Any) -> dict[str, Any]:
    from kairos.domain.catalogue.models import ResourceInput
    from kairos.domain.shared.validation import parse

    return parse(ResourceInput, body).document()


def _service(body: Any) -> dict[str, Any]:
    from kairos.domain.catalogue.models import SERVICE_ADAPTER, SERVICE_TAGS, ServiceCommon
    from kairos.domain.shared.validation import parse_union

    service: ServiceCommon = parse_union(SERVICE_ADAPTER, body, SERVICE_TAGS, ServiceCommon)
    return service.document()


def _disabled(item: Mapping[str, Any]) -> bool:
    return item.get("enabled") is False


_COMMON_FILTERS: dict[str, FieldType] = {
    "name": FieldType.STRING,
    "metadata": FieldType.JSON,
    "protected_metadata": FieldType.JSON,
    "created_at": FieldType.TIMESTAMP,
    "updated_at": FieldType.TIMESTAMP,
}
_COMMON_SORT = ("name", "created_at", "updated_at")


@dataclass(frozen=True)
class EntityKind:
    name: str
    fields: tuple[str, ...]
    validate: Callable[[Any], dict[str, Any]]
    list_spec: ListSpec

    @property
    def protected_ability(self) -> str:
        return f"{self.name}:protected_metadata"


LOCATION = EntityKind(
    name="location",
    fields=LOCATION_FIELDS,
    validate=_location,
    list_spec=ListSpec(
        bracket_fields=_COMMON_FILTERS,
        sort_keys=_COMMON_SORT,
        plain_filters={
            "timezone": lambda item, value: item["time_zone"] == value,
            "resource_selection_strategy": lambda item, value: item["resource_selection_strategy"] == value,
        },
        tri_state={"disabled": _disabled},
    ),
)
RESOURCE = EntityKind(
    name="resource",
    fields=RESOURCE_FIELDS,
    validate=_resource,
    list_spec=ListSpec(
        bracket_fields={**_COMMON_FILTERS, "max_simultaneous_bookings": FieldType.NUMBER},
        sort_keys=_COMMON_SORT,
        tri_state={"disabled": _disabled},
    ),
)
SERVICE = EntityKind(
    name="service",
    fields=SERVICE_FIELDS,
    validate=_service,
    list_spec=ListSpec(
        bracket_fields={**_COMMON_FILTERS, "price": FieldType.PRICE},
        sort_keys=_COMMON_SORT,
        plain_filters={"type": lambda item, value: item["type"] == value},
        tri_state={"disabled": _disabled},
    ),
)
KINDS = {k.name: k for k in (LOCATION, RESOURCE, SERVICE)}


def render(kind: EntityKind, record: Record, viewer: Principal | None) -> dict[str, Any]:
    """The entity as the API shows it to `viewer` (None: everything, for internal use)."""
    values = {
        **record.doc,
        "id": record.id,
        "created_at": format_timestamp(record.created_at),
        "updated_at": format_timestamp(record.updated_at),
    }
    hidden = viewer is not None and not viewer.can(kind.protected_ability)
    return {f: values[f] for f in kind.fields if f in values and not (hidden and f == "protected_metadata")}


def render_association(association: Association) -> dict[str, Any]:
    return {
        "service_id": association.service_id,
        "resource_id": association.resource_id,
        "created_at": format_timestamp(association.created_at),
    }


class Catalogue:
    def __init__(
        self,
        entities: CatalogueRepository,
        associations: AssociationRepository,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._entities = entities
        self._associations = associations
        self._clock = clock

    # --- entities -------------------------------------------------------------------------------------

    def load(self, viewer: Principal, kind: EntityKind, entity_id: str) -> Record:
        return require(self._entities, viewer.project_id, kind.name, entity_id)

    def get(self, viewer: Principal, kind: EntityKind, entity_id: str) -> dict[str, Any]:
        return render(kind, self.load(viewer, kind, entity_id), viewer)

    def page(self, viewer: Principal, kind: EntityKind, query: Mapping[str, str]) -> Page:
        if not viewer.can(kind.protected_ability) and any(k.startswith("protected_metadata[") for k in query):
            raise Forbidden()
        items = [render(kind, r, None) for r in self._entities.list_all(viewer.project_id, kind.name)]
        page = select(items, query, kind.list_spec)
        if viewer.can(kind.protected_ability):
            return page
        visible = [{k: v for k, v in item.items() if k != "protected_metadata"} for item in page.items]
        return Page(visible, page.total, page.page, page.per_page)

    def create(
        self, viewer: Principal, kind: EntityKind, body: dict[str, Any], origin: Origin | None = None
    ) -> dict[str, Any]:
        self._check_protected_write(viewer, kind, body)
        doc = kind.validate(body)
        record_id, created, updated = identity(origin, self._clock())
        record = Record(kind.name, record_id, doc, created, updated)
        self._entities.create(viewer.project_id, record)
        return render(kind, record, viewer)

    def replace(
        self, viewer: Principal, kind: EntityKind, entity_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        return self._update(viewer, kind, entity_id, body, merge=False)

    def patch(
        self, viewer: Principal, kind: EntityKind, entity_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        return self._update(viewer, kind, entity_id, body, merge=True)

    def _update(
        self, viewer: Principal, kind: EntityKind, entity_id: str, body: dict[str, Any], *, merge: bool
    ) -> dict[str, Any]:
        """Validates the new state and writes it if nothing changed in between (optimistic, retried)."""
        self._check_protected_write(viewer, kind, body)
        for _ in range(PATCH_ATTEMPTS):
            current = self.load(viewer, kind, entity_id)
            base = dict(current.doc) if merge else {}
            if not viewer.can(kind.protected_ability):
                base["protected_metadata"] = current.doc.get("protected_metadata")
            doc = kind.validate({**base, **body})
            record = Record(kind.name, entity_id, doc, current.created_at, self._clock(), current.version + 1)
            try:
                self._entities.replace(viewer.project_id, record, current.version)
            except Conflict:
                continue
            return render(kind, record, viewer)
        raise Conflict(f"The {kind.name} is being changed by another request; try again.")

    def delete(self, viewer: Principal, kind: EntityKind, entity_id: str) -> None:
        if not is_uuid(entity_id) or not self._entities.delete(viewer.project_id, kind.name, entity_id):
            raise NotFound(kind.name)

    @staticmethod
    def _check_protected_write(viewer: Principal, kind: EntityKind, body: Mapping[str, Any]) -> None:
        if "protected_metadata" in body and not viewer.can(kind.protected_ability):
            raise Forbidden()

    # --- associations ---------------------------------------------------------------------------------

    def associations_of(self, viewer: Principal, owner: EntityKind, owner_id: str) -> list[dict[str, Any]]:
        self.load(viewer, owner, owner_id)
        found = self._associations.list_associations(viewer.project_id, owner.name, owner_id)
        return [
            render_association(a)
            for a in sorted(found, key=lambda a: (a.created_at, a.service_id, a.resource_id))
        ]

    def association(self, viewer: Principal, service_id: str, resource_id: str) -> dict[str, Any]:
        found = None
        if is_uuid(service_id) and is_uuid(resource_id):
            found = self._associations.get_association(viewer.project_id, service_id, resource_id)
        if found is None:
            raise NotFound("association")
        return render_association(found)

    def associate(
        self, viewer: Principal, service_id: str, resource_id: str, created_at: datetime | None = None
    ) -> tuple[dict[str, Any], bool]:
        """`created_at`: a migrated association's (kairos.values.ids.Origin)."""
        if not is_uuid(service_id):
            raise NotFound("service")
        if not is_uuid(resource_id):
            raise NotFound("resource")
        association, created = self._associations.associate(
            viewer.project_id, service_id, resource_id, created_at or self._clock()
        )
        return render_association(association), created

    def dissociate(self, viewer: Principal, service_id: str, resource_id: str) -> None:
        valid = is_uuid(service_id) and is_uuid(resource_id)
        if not valid or not self._associations.dissociate(viewer.project_id, service_id, resource_id):
            raise NotFound("association")
