"""A resource's schedules: recurring schedules with their weekly blocks, and one-off schedule blocks.

Rules kept here (docs/slots.md): dates and times are read in the location's time zone; a weekly block
that overlaps another block of the same schedule on the same weekday is a 422, checked inside the same
conditional write that stores it (the blocks live in the schedule's item); a one-off block that overlaps
one of the same resource, location and `is_available` is a 422; schedules whose location was deleted stay,
render `location: null` and give no availability.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, render
from kairos.domain.projects.auth import Principal
from kairos.domain.schedules.models import (
    RECURRING_BLOCK_FIELDS,
    RECURRING_SCHEDULE_FIELDS,
    SCHEDULE_BLOCK_FIELDS,
    RecurringBlockInput,
    RecurringScheduleInput,
    ScheduleBlockInput,
)
from kairos.domain.shared.listing import FieldType, ListSpec, Page, select
from kairos.domain.shared.ports import CatalogueRepository, ScheduleRepository, require
from kairos.domain.shared.queries import date_param, id_param, raise_if, timestamp_param
from kairos.domain.shared.records import Record
from kairos.domain.shared.validation import parse
from kairos.errors import Conflict, NotFound, ValidationFailed
from kairos.values.formats import format_timestamp, now_utc, parse_timestamp, stored_timestamp, zone
from kairos.values.ids import Origin, identity, is_uuid, new_id

ATTEMPTS = 5
MAX_WEEKLY_BLOCKS = 500  # they live in their schedule's item, which DynamoDB limits to 400 KB
WEEKDAY_ORDER = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIMES = {"created_at": FieldType.TIMESTAMP, "updated_at": FieldType.TIMESTAMP}

RECURRING_LIST = ListSpec(
    bracket_fields={"start_date": FieldType.STRING, "end_date": FieldType.STRING, **_TIMES},
    sort_keys=("start_date", "end_date", "created_at", "updated_at"),
)
RECURRING_BLOCK_LIST = ListSpec(
    bracket_fields={"start_time": FieldType.STRING, "end_time": FieldType.STRING, **_TIMES},
    sort_keys=("weekday", "start_time", "end_time", "created_at", "updated_at"),
    plain_filters={"weekday": lambda item, value: item["weekday"] == value},
    sort_values={"weekday": WEEKDAY_ORDER.index},
    default_sort=(("weekday", False), ("start_time", False), ("id", False)),
)
SCHEDULE_BLOCK_LIST = ListSpec(
    bracket_fields={"starts_at": FieldType.TIMESTAMP, "ends_at": FieldType.TIMESTAMP, **_TIMES},
    sort_keys=("starts_at", "ends_at", "created_at", "updated_at"),
    default_sort=(("starts_at", False), ("id", False)),
)


def _stamp(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "created_at": format_timestamp(record.created_at),
        "updated_at": format_timestamp(record.updated_at),
    }


def _ordered(values: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: values[f] for f in fields if f in values}


class Schedules:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        schedules: ScheduleRepository,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._catalogue = catalogue
        self._schedules = schedules
        self._clock = clock

    # --- shared -----------------------------------------------------------------------------------------

    def _resource(self, viewer: Principal, resource_id: str) -> Record:
        return require(self._catalogue, viewer.project_id, RESOURCE.name, resource_id)

    def _existing_location(self, viewer: Principal, location_id: str) -> Record:
        found = self._catalogue.get(viewer.project_id, "location", location_id)
        if found is None:
            raise ValidationFailed.field("location_id", "The selected location_id is invalid.")
        return found

    def _locations(self, viewer: Principal, records: list[Record]) -> dict[str, Record]:
        wanted = sorted({r.doc["location_id"] for r in records})
        if not wanted:
            return {}
        found = self._catalogue.get_many(viewer.project_id, [("location", i) for i in wanted])
        return {entity_id: record for (_, entity_id), record in found.items()}

    def _load(
        self,
        viewer: Principal,
        resource_id: str,
        item_id: str,
        get: Callable[[str, str, str], Record | None],
        entity: str,
    ) -> Record:
        """A schedule item of the resource; when missing, the 404 names the resource if that is missing."""
        found = (
            get(viewer.project_id, resource_id, item_id)
            if is_uuid(resource_id) and is_uuid(item_id)
            else None
        )
        if found is None:
            self._resource(viewer, resource_id)
            raise NotFound(entity)
        return found

    def _page(
        self,
        viewer: Principal,
        records: list[Record],
        query: Mapping[str, str],
        spec: ListSpec,
        render_one: Callable[[Record, Record | None, Principal], dict[str, Any]],
    ) -> Page:
        """Filters, sorts and pages the records, then renders the page with its locations (one read)."""
        page = select([{**r.doc, **_stamp(r)} for r in records], query, spec)
        by_id = {r.id: r for r in records}
        locations = self._locations(viewer, [by_id[i["id"]] for i in page.items])
        items = [render_one(by_id[i["id"]], locations.get(i["location_id"]), viewer) for i in page.items]
        return Page(items, page.total, page.page, page.per_page)

    # --- recurring schedules ----------------------------------------------------------------------------

    def render_recurring(self, record: Record, location: Record | None, viewer: Principal) -> dict[str, Any]:
        values = {
            **record.doc,
            **_stamp(record),
            "location": render(LOCATION, location, viewer) if location else None,
        }
        return _ordered(values, RECURRING_SCHEDULE_FIELDS)

    def _load_recurring(self, viewer: Principal, resource_id: str, schedule_id: str) -> Record:
        return self._load(
            viewer, resource_id, schedule_id, self._schedules.get_recurring, "recurring schedule"
        )

    def list_recurring(self, viewer: Principal, resource_id: str, query: Mapping[str, str]) -> Page:
        errors: dict[str, list[str]] = {}
        start, end = date_param(query, "from", errors), date_param(query, "to", errors)
        location = id_param(query, "location", errors, required=False)
        raise_if(errors)
        self._resource(viewer, resource_id)
        records = self._schedules.list_recurring(viewer.project_id, resource_id)
        kept = [
            r
            for r in records
            if (location is None or r.doc["location_id"] == location)
            and (start is None or r.doc["end_date"] is None or r.doc["end_date"] >= start.isoformat())
            and (end is None or r.doc["start_date"] <= end.isoformat())
        ]
        return self._page(viewer, kept, query, RECURRING_LIST, self.render_recurring)

    def get_recurring(self, viewer: Principal, resource_id: str, schedule_id: str) -> dict[str, Any]:
        record = self._load_recurring(viewer, resource_id, schedule_id)
        location = self._catalogue.get(viewer.project_id, "location", record.doc["location_id"])
        return self.render_recurring(record, location, viewer)

    def create_recurring(
        self, viewer: Principal, resource_id: str, body: dict[str, Any], origin: Origin | None = None
    ) -> dict[str, Any]:
        doc = parse(RecurringScheduleInput, body).document()
        self._resource(viewer, resource_id)
        location = self._existing_location(viewer, doc["location_id"])
        record_id, created, updated = identity(origin, self._clock())
        record = Record("recurring_schedule", record_id, {**doc, "blocks": {}}, created, updated)
        self._schedules.put_recurring(viewer.project_id, resource_id, record, None)
        return self.render_recurring(record, location, viewer)

    def update_recurring(
        self, viewer: Principal, resource_id: str, schedule_id: str, body: dict[str, Any], *, merge: bool
    ) -> dict[str, Any]:
        for _ in range(ATTEMPTS):
            current = self._load_recurring(viewer, resource_id, schedule_id)
            base = {k: v for k, v in current.doc.items() if k != "blocks"} if merge else {}
            doc = parse(RecurringScheduleInput, {**base, **body}).document()
            location = self._existing_location(viewer, doc["location_id"])
            record = Record(
                current.kind,
                current.id,
                {**doc, "blocks": current.doc["blocks"]},
                current.created_at,
                self._clock(),
                current.version + 1,
            )
            try:
                self._schedules.put_recurring(viewer.project_id, resource_id, record, current.version)
            except Conflict:
                continue
            return self.render_recurring(record, location, viewer)
        raise Conflict("The recurring schedule is being changed by another request; try again.")

    def delete_recurring(self, viewer: Principal, resource_id: str, schedule_id: str) -> None:
        valid = is_uuid(resource_id) and is_uuid(schedule_id)
        if not valid or not self._schedules.delete_recurring(viewer.project_id, resource_id, schedule_id):
            self._resource(viewer, resource_id)
            raise NotFound("recurring schedule")

    # --- recurring schedule blocks ----------------------------------------------------------------------

    @staticmethod
    def _render_weekly(block_id: str, block: Mapping[str, Any]) -> dict[str, Any]:
        return _ordered({**block, "id": block_id}, RECURRING_BLOCK_FIELDS)

    def list_weekly(
        self, viewer: Principal, resource_id: str, schedule_id: str, query: Mapping[str, str]
    ) -> Page:
        schedule = self._load_recurring(viewer, resource_id, schedule_id)
        items = [self._render_weekly(i, b) for i, b in schedule.doc["blocks"].items()]
        return select(items, query, RECURRING_BLOCK_LIST)

    def get_weekly(
        self, viewer: Principal, resource_id: str, schedule_id: str, block_id: str
    ) -> dict[str, Any]:
        schedule = self._load_recurring(viewer, resource_id, schedule_id)
        block = schedule.doc["blocks"].get(block_id)
        if block is None:
            raise NotFound("recurring schedule block")
        return self._render_weekly(block_id, block)

    def put_weekly(
        self,
        viewer: Principal,
        resource_id: str,
        schedule_id: str,
        block_id: str | None,
        body: dict[str, Any],
        *,
        merge: bool = False,
        origin: Origin | None = None,
    ) -> dict[str, Any]:
        """Creates (block_id None) or replaces/patches one weekly block, refusing overlaps."""
        key = block_id or (origin.id if origin else new_id())

        def change(blocks: dict[str, Any]) -> None:
            existing = blocks.get(key)
            if block_id is not None and existing is None:
                raise NotFound("recurring schedule block")
            if existing is None and len(blocks) >= MAX_WEEKLY_BLOCKS:
                raise ValidationFailed.field(
                    "weekday", f"A recurring schedule may have at most {MAX_WEEKLY_BLOCKS} blocks."
                )
            fields = ("weekday", "start_time", "end_time")
            base = {k: existing[k] for k in fields} if existing and merge else {}
            doc = parse(RecurringBlockInput, {**base, **body}).document()
            for other_id, other in blocks.items():
                same_day = other_id != key and other["weekday"] == doc["weekday"]
                if (
                    same_day
                    and other["start_time"] < doc["end_time"]
                    and doc["start_time"] < other["end_time"]
                ):
                    raise ValidationFailed.field(
                        "start_time", "The schedule block overlaps another block of this recurring schedule."
                    )
            _, created, updated = identity(origin, self._clock())
            blocks[key] = {
                **doc,
                "created_at": existing["created_at"] if existing else format_timestamp(created),
                "updated_at": format_timestamp(updated),
            }

        blocks = self._change_blocks(viewer, resource_id, schedule_id, change)
        return self._render_weekly(key, blocks[key])

    def delete_weekly(self, viewer: Principal, resource_id: str, schedule_id: str, block_id: str) -> None:
        def change(blocks: dict[str, Any]) -> None:
            if blocks.pop(block_id, None) is None:
                raise NotFound("recurring schedule block")

        self._change_blocks(viewer, resource_id, schedule_id, change)

    def _change_blocks(
        self,
        viewer: Principal,
        resource_id: str,
        schedule_id: str,
        change: Callable[[dict[str, Any]], None],
    ) -> dict[str, Any]:
        """Applies `change` to the schedule's blocks and writes the schedule item if nobody changed it in
        between (the blocks live in that item, so the overlap check and the write are one); retried."""
        for _ in range(ATTEMPTS):
            schedule = self._load_recurring(viewer, resource_id, schedule_id)
            blocks: dict[str, Any] = dict(schedule.doc["blocks"])
            change(blocks)
            record = Record(
                schedule.kind,
                schedule.id,
                {**schedule.doc, "blocks": blocks},
                schedule.created_at,
                schedule.updated_at,
                schedule.version + 1,
            )
            try:
                self._schedules.put_recurring(viewer.project_id, resource_id, record, schedule.version)
            except Conflict:
                continue
            return blocks
        raise Conflict("The recurring schedule is being changed by another request; try again.")

    # --- one-off schedule blocks ------------------------------------------------------------------------

    def render_block(self, record: Record, location: Record | None, viewer: Principal) -> dict[str, Any]:
        where = zone(location.doc["time_zone"]) if location else None
        values = {
            **record.doc,
            **_stamp(record),
            "starts_at": format_timestamp(stored_timestamp(record.doc["starts_at"]), where),
            "ends_at": format_timestamp(stored_timestamp(record.doc["ends_at"]), where),
            "location": render(LOCATION, location, viewer) if location else None,
        }
        return _ordered(values, SCHEDULE_BLOCK_FIELDS)

    def _load_block(self, viewer: Principal, resource_id: str, block_id: str) -> Record:
        return self._load(viewer, resource_id, block_id, self._schedules.get_block, "schedule block")

    def list_blocks(self, viewer: Principal, resource_id: str, query: Mapping[str, str]) -> Page:
        errors: dict[str, list[str]] = {}
        start = timestamp_param(query, "from", errors, required=False)
        end = timestamp_param(query, "to", errors, required=False)
        location = id_param(query, "location", errors, required=False)
        raise_if(errors)
        self._resource(viewer, resource_id)
        kept = [
            r
            for r in self._schedules.list_blocks(viewer.project_id, resource_id)
            if (location is None or r.doc["location_id"] == location)
            and (start is None or stored_timestamp(r.doc["ends_at"]) > start)
            and (end is None or stored_timestamp(r.doc["starts_at"]) < end)
        ]
        return self._page(viewer, kept, query, SCHEDULE_BLOCK_LIST, self.render_block)

    def get_block(self, viewer: Principal, resource_id: str, block_id: str) -> dict[str, Any]:
        record = self._load_block(viewer, resource_id, block_id)
        location = self._catalogue.get(viewer.project_id, "location", record.doc["location_id"])
        return self.render_block(record, location, viewer)

    def put_block(
        self,
        viewer: Principal,
        resource_id: str,
        block_id: str | None,
        body: dict[str, Any],
        *,
        merge: bool = False,
        origin: Origin | None = None,
    ) -> dict[str, Any]:
        current = self._load_block(viewer, resource_id, block_id) if block_id else None
        if current is None:
            self._resource(viewer, resource_id)
        base = dict(current.doc) if current and merge else {}
        doc = parse(ScheduleBlockInput, {**base, **body}).document()
        location = self._existing_location(viewer, doc["location_id"])
        starts, ends = parse_timestamp(doc["starts_at"]), parse_timestamp(doc["ends_at"])
        doc = {**doc, "starts_at": format_timestamp(starts), "ends_at": format_timestamp(ends)}
        timeline = self._schedules.timeline(viewer.project_id, resource_id, starts, ends)
        for other in timeline.blocks:
            same = other.location_id == doc["location_id"] and other.is_available == doc["is_available"]
            if same and other.id != block_id and other.starts_at < ends and starts < other.ends_at:
                raise ValidationFailed.field(
                    "starts_at", "The schedule block overlaps another block of this resource and location."
                )
        now = self._clock()
        if current:
            record = Record("schedule_block", current.id, doc, current.created_at, now, current.version + 1)
        else:
            new_block, created, updated = identity(origin, now)
            record = Record("schedule_block", new_block, doc, created, updated)
        shown = self.render_block(
            record, location, viewer
        )  # before the write: a failed request stores nothing
        try:
            self._schedules.put_block(viewer.project_id, resource_id, record, current)
        except Conflict:
            raise Conflict("The schedule block was changed by another request; try again.") from None
        return shown

    def delete_block(self, viewer: Principal, resource_id: str, block_id: str) -> None:
        record = self._load_block(viewer, resource_id, block_id)
        self._schedules.delete_block(viewer.project_id, resource_id, record)
