"""Booking groups: several bookings written all or nothing (one transaction with the group's item), with
the same checks, automatic fields and abilities as single bookings. Errors in the bookings use Hapio's
`messages` map, one message per failing booking (`{"bookings.0": "..."}`), which `GroupValidationFailed`
carries to the HTTP edge; errors in the body itself are a normal validation error."""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from kairos.domain.bookings.bookings import Bookings
from kairos.domain.bookings.views import BOOKING_LIST, BOOKING_SORT_KEYS, flat, listing_owner, render_booking
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import FieldType, ListSpec, Page, parse_sort, select
from kairos.domain.shared.ports import BookingRepository, CatalogueRepository, require
from kairos.domain.shared.queries import Errors, raise_if, window
from kairos.domain.shared.records import Booking, GroupChange, Record
from kairos.errors import (
    Conflict,
    Forbidden,
    GroupValidationFailed,
    Retryable,
    ValidationFailed,
)
from kairos.values.formats import format_timestamp, now_utc
from kairos.values.ids import Origin, identity, normal_id

if TYPE_CHECKING:  # the input models (pydantic) are loaded by the first write: a listing never needs them
    from kairos.domain.bookings.intents import Intent  # with the limits' model: writes only
    from kairos.domain.bookings.models import BookingFields, GroupInput

ATTEMPTS = 8
# A group sorts by its own times (`group_created_at`, `group_updated_at`) or, as Hapio lists the booking
# keys for groups too, by the earliest value of that key among its bookings (`starts_at`: its first booking).
GROUP_LIST = ListSpec(
    bracket_fields={
        "group_metadata": FieldType.JSON,
        "group_protected_metadata": FieldType.JSON,
        "group_created_at": FieldType.TIMESTAMP,
        "group_updated_at": FieldType.TIMESTAMP,
    },
    sort_keys=("group_created_at", "group_updated_at", *BOOKING_SORT_KEYS),
    default_sort=(("group_created_at", False), ("id", False)),
)


@dataclass(frozen=True)
class GroupItem:
    """One item of a PUT or PATCH `bookings` array, parsed: a new booking (no id), or a booking of the
    group to replace or patch (`fields` None: an id alone, which keeps it as it is)."""

    booking_id: str | None
    fields: "BookingFields | None"


class BookingGroups:
    def __init__(
        self,
        catalogue: CatalogueRepository,
        store: BookingRepository,
        bookings: Bookings,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._catalogue = catalogue
        self._store = store
        self._bookings = bookings
        self._clock = clock

    # --- reading ----------------------------------------------------------------------------------------

    def _load(self, viewer: Principal, group_id: str) -> Record:
        return require(self._catalogue, viewer.project_id, "booking_group", group_id, "booking group")

    def _members(self, viewer: Principal, group: Record) -> list[Booking]:
        return self._members_of(viewer, [group])[group.id]

    def _members_of(self, viewer: Principal, groups: Sequence[Record]) -> dict[str, list[Booking]]:
        """The bookings of each group, in the group's order, read together (100 a round trip)."""
        ids = [i for g in groups for i in g.doc.get("booking_ids", [])]
        found = {b.id: b for b in self._store.get_many(viewer.project_id, ids)} if ids else {}
        return {g.id: [found[i] for i in g.doc.get("booking_ids", []) if i in found] for g in groups}

    def render(self, viewer: Principal, group: Record, members: list[Booking]) -> dict[str, Any]:
        entities = self._bookings.entities(viewer, members, groups=False)
        values = {
            "id": group.id,
            "bookings": [render_booking(viewer, b, entities, embedded=True) for b in members],
            "metadata": group.doc.get("metadata"),
            "protected_metadata": group.doc.get("protected_metadata"),
            "created_at": format_timestamp(group.created_at),
            "updated_at": format_timestamp(group.updated_at),
        }
        if not _can_read_protected(viewer):
            values.pop("protected_metadata")
        return values

    def get(self, viewer: Principal, group_id: str) -> dict[str, Any]:
        group = self._load(viewer, group_id)
        return self.render(viewer, group, self._members(viewer, group))

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        """A group is listed when any of its bookings passes the booking filters; then all its bookings
        are shown."""
        protected = ("protected_metadata[", "group_protected_metadata[")
        if not _can_read_protected(viewer) and any(k.startswith(protected) for k in query):
            raise Forbidden()
        errors: Errors = {}
        start, end = window(query, errors, required=False)
        raise_if(errors)
        booking_query = {
            k: v
            for k, v in query.items()
            if not k.startswith("group_") and k not in ("page", "per_page", "sort")
        }
        owner = listing_owner(query)
        candidates = self._store.list_window(viewer.project_id, owner, start, end)
        grouped = [flat(b) for b in candidates if b.doc.get("booking_group_id")]
        matching = {
            item["booking_group_id"]
            for item in select(grouped, booking_query, BOOKING_LIST, paginate=False).items
        }
        if not matching:  # no listed booking is in a group: no group can be listed, none is read
            groups: list[Record] = []
        elif owner is None and start is None and end is None:  # every group may match: one Query of them all
            groups = [
                g for g in self._catalogue.list_all(viewer.project_id, "booking_group") if g.id in matching
            ]
        else:  # only those the matching bookings name, by key
            wanted = [("booking_group", group_id) for group_id in sorted(matching)]
            groups = list(self._catalogue.get_many(viewer.project_id, wanted).values())
        by_bookings = any(key in BOOKING_SORT_KEYS for key, _ in parse_sort(query, GROUP_LIST))
        members = self._members_of(viewer, groups if by_bookings else [])  # only when the order needs them
        items = [
            {
                "id": g.id,
                "group_metadata": g.doc.get("metadata"),
                "group_protected_metadata": g.doc.get("protected_metadata"),
                "group_created_at": format_timestamp(g.created_at),
                "group_updated_at": format_timestamp(g.updated_at),
                **_earliest(members.get(g.id, [])),
            }
            for g in groups
        ]
        group_query = {
            k: v for k, v in query.items() if k.startswith("group_") or k in ("page", "per_page", "sort")
        }
        selected = select(items, group_query, GROUP_LIST)
        by_id = {g.id: g for g in groups}
        shown = [by_id[i["id"]] for i in selected.items]
        members.update(self._members_of(viewer, [g for g in shown if g.id not in members]))
        rendered = [self.render(viewer, g, members[g.id]) for g in shown]
        return Page(rendered, selected.total, selected.page, selected.per_page)

    # --- writing ----------------------------------------------------------------------------------------

    def create(
        self, viewer: Principal, body: dict[str, Any], origins: Sequence[Origin] = ()
    ) -> dict[str, Any]:
        """`origins` (a migration): the group's, then its bookings', in the order of the body."""
        result: dict[str, Any] = _as_group_errors(lambda: self._create(viewer, body, origins))
        return result

    def update(self, viewer: Principal, group_id: str, body: dict[str, Any], *, full: bool) -> dict[str, Any]:
        result: dict[str, Any] = _as_group_errors(lambda: self._update(viewer, group_id, body, full=full))
        return result

    def _create(self, viewer: Principal, body: dict[str, Any], origins: Sequence[Origin]) -> dict[str, Any]:
        from kairos.domain.bookings.models import BookingPost, GroupInput
        from kairos.domain.shared.validation import parse

        model = parse(GroupInput, body)
        if model.bookings is None:
            raise ValidationFailed.field("bookings", "The bookings field is required.")
        _check_group_write(viewer, model)
        errors: Errors = {}
        items = _each(enumerate(model.bookings), lambda n, data: _item(BookingPost, data, n), errors)
        self._bookings.require_fit(list(items.values()), [], group=True)
        group, members = (origins[0], list(origins[1:])) if origins else (None, [])
        group_id, created, updated = identity(group, self._clock())
        made = _each(
            items.items(),
            lambda n, item: self._bookings.intent_for_create(
                viewer, item, group_id, prefix=_prefix(n), origin=members[n] if members else None
            ),
            errors,
        )
        raise_if(errors)
        intents = list(made.values())
        record = Record("booking_group", group_id, self._doc(model, intents, None), created, updated)
        changes = self._bookings.writer.commit(viewer, intents, GroupChange(None, record))
        return self.render(viewer, record, [c.after for c in changes if c.after is not None])

    def _update(
        self, viewer: Principal, group_id: str, body: dict[str, Any], *, full: bool
    ) -> dict[str, Any]:
        from kairos.domain.bookings.models import GroupInput
        from kairos.domain.shared.validation import parse

        model = parse(GroupInput, body)
        if full and model.bookings is None:
            raise ValidationFailed.field("bookings", "The bookings field is required.")
        _check_group_write(viewer, model)
        errors: Errors = {}
        items = _each(enumerate(model.bookings or []), lambda n, data: _update_item(data, n, full), errors)
        new = [f for i in items.values() if i.booking_id is None and (f := i.fields) is not None]
        changed = [f for i in items.values() if i.booking_id is not None and (f := i.fields) is not None]
        self._bookings.require_fit(new, changed, group=True)
        for _ in range(ATTEMPTS):
            group = self._load(viewer, group_id)
            members = {b.id: b for b in self._members(viewer, group)}
            intents = []
            if model.bookings is not None:
                intents = self._intents(viewer, group, members, items, errors, full)
            doc = self._doc(model, intents, group, full=full, sent=set(body))
            record = Record(group.kind, group.id, doc, group.created_at, self._clock(), group.version + 1)
            try:
                changes = self._bookings.writer.commit(viewer, intents, GroupChange(group, record))
            except Conflict:
                continue
            kept = {c.after.id: c.after for c in changes if c.after is not None}
            shown = [kept.get(i) or members[i] for i in doc["booking_ids"] if i in kept or i in members]
            return self.render(viewer, record, shown)
        raise Retryable("The booking group is being changed by other requests; try again.")

    def delete(self, viewer: Principal, group_id: str) -> None:
        from kairos.domain.bookings.intents import Intent

        for _ in range(ATTEMPTS):
            group = self._load(viewer, group_id)
            intents = [Intent(b, None) for b in self._members(viewer, group)]
            try:
                self._bookings.writer.commit(viewer, intents, GroupChange(group, None))
            except Conflict:
                continue
            return
        raise Retryable("The booking group is being changed by other requests; try again.")

    def _intents(
        self,
        viewer: Principal,
        group: Record,
        members: dict[str, Booking],
        items: dict[int, GroupItem],
        errors: Errors,
        full: bool,
    ) -> list["Intent"]:
        """PUT and PATCH items: with an id, that booking replaced or patched (an id alone keeps it as it
        is, on PATCH); without, a new booking; bookings left out of the array are deleted. Raises the
        errors of every failing item, those found when the items were parsed (`errors`) included."""
        from kairos.domain.bookings.intents import Intent
        from kairos.domain.bookings.models import BookingPost, BookingUpdate

        listed: set[str] = set()

        def intent(n: int, item: GroupItem) -> Intent | None:
            if item.booking_id is None:
                assert isinstance(item.fields, BookingPost)
                return self._bookings.intent_for_create(viewer, item.fields, group.id, _prefix(n))
            if item.booking_id not in members:
                raise ValidationFailed.field(f"{_prefix(n)}id", "The booking is not in this group.")
            listed.add(item.booking_id)
            if item.fields is None:
                return None
            assert isinstance(item.fields, BookingUpdate)
            return self._bookings.intent_for_update(
                viewer, members[item.booking_id], item.fields, full=full, prefix=_prefix(n)
            )

        errors = dict(errors)
        intents = list(_each(items.items(), intent, errors).values())
        raise_if(errors)
        return intents + [Intent(b, None) for i, b in members.items() if i not in listed]

    @staticmethod
    def _doc(
        model: "GroupInput",
        intents: list["Intent"],
        group: Record | None,
        *,
        full: bool = True,
        sent: set[str] | None = None,
    ) -> dict[str, Any]:
        previous = group.doc if group else {}
        ids = list(previous.get("booking_ids", []))
        deleted = {i.before.id for i in intents if i.proposal is None and i.before is not None}
        ids = [i for i in ids if i not in deleted]
        ids += [i.proposal.id for i in intents if i.before is None and i.proposal is not None]
        doc: dict[str, Any] = {"booking_ids": ids}
        for name in ("metadata", "protected_metadata"):
            doc[name] = getattr(model, name) if full or name in (sent or set()) else previous.get(name)
        return doc


def _earliest(bookings: Sequence[Booking]) -> dict[str, str]:
    """A group's value of each booking sort key: the earliest among its bookings (a group without
    bookings has none, and sorts as null values do: first)."""
    if not bookings:
        return {}
    return {key: format_timestamp(min(getattr(b, key) for b in bookings)) for key in BOOKING_SORT_KEYS}


def _prefix(n: int) -> str:
    """The error keys of the group's n-th booking: `bookings.2.starts_at`."""
    return f"bookings.{n}."


Parsed = TypeVar("Parsed", bound="BookingFields")


def _item(model: type[Parsed], data: Any, n: int) -> Parsed:
    if not isinstance(data, dict):
        raise ValidationFailed.field(f"{_prefix(n)[:-1]}", f"The {_prefix(n)[:-1]} field must be an object.")
    data = {k: v for k, v in data.items() if k != "booking_group_id"}
    from kairos.domain.shared.validation import parse

    try:
        return parse(model, data)
    except ValidationFailed as failed:
        raise ValidationFailed({f"{_prefix(n)}{k}": v for k, v in failed.errors.items()}) from None


def _update_item(data: Any, n: int, full: bool) -> GroupItem:
    from kairos.domain.bookings.models import BookingPatch, BookingPost, BookingPut

    booking_id = data.get("id") if isinstance(data, dict) else None
    if booking_id is None:
        return GroupItem(None, _item(BookingPost, data, n))
    if not isinstance(booking_id, str):
        raise ValidationFailed.field(f"{_prefix(n)}id", "The booking is not in this group.")
    fields = {k: v for k, v in data.items() if k != "id"}
    if not fields and not full:
        return GroupItem(normal_id(booking_id), None)
    return GroupItem(normal_id(booking_id), _item(BookingPut if full else BookingPatch, fields, n))


Item = TypeVar("Item")
Made = TypeVar("Made")


def _each(
    items: Iterable[tuple[int, Item]], make: Callable[[int, Item], Made | None], errors: Errors
) -> dict[int, Made]:
    """`make` of every (index, item), by index (None: nothing to keep); the errors of failing items are
    added to `errors`, so that every failing booking is reported at once."""
    made: dict[int, Made] = {}
    for n, item in items:
        try:
            result = make(n, item)
        except ValidationFailed as failed:
            errors.update(failed.errors)
            continue
        if result is not None:
            made[n] = result
    return made


_BOOKING_KEY = re.compile(r"bookings\.(\d+)(?:\.|$)")


def _as_group_errors(write: Callable[[], Any]) -> Any:
    """Runs a group write, showing its errors as Hapio does: when all are about its bookings, one message
    per failing booking (`bookings.0`, its messages joined); otherwise a normal validation error."""
    try:
        return write()
    except ValidationFailed as failed:
        messages: dict[str, list[str]] = {}
        for key, texts in failed.errors.items():
            match = _BOOKING_KEY.match(key)
            if match is None:
                raise
            messages.setdefault(f"bookings.{match[1]}", []).extend(texts)
        raise GroupValidationFailed({key: " ".join(texts) for key, texts in messages.items()}) from None


def _can_read_protected(viewer: Principal) -> bool:
    return viewer.can("booking_group:protected_metadata") or viewer.can(
        "booking_group:read_protected_metadata"
    )


def _check_group_write(viewer: Principal, model: "GroupInput") -> None:
    if "protected_metadata" in model.model_fields_set and not (
        viewer.can("booking_group:protected_metadata") or viewer.can("booking_group:write_protected_metadata")
    ):
        raise Forbidden()
