"""A booking series' finalize (docs/booking-series.md, "Cost"): it sends only what changes of each booking and
hold it wrote as a hold, and leaves them as a whole write would; its writes stay conditioned as a whole
write's, so a hold released or a booking changed meanwhile is never finalized."""

import re
from dataclasses import replace
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.bookings.holds import release_of
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import BookingChange, LedgerState
from kairos.errors import Conflict, ValidationFailed
from kairos.storage import keys
from kairos.storage.booking_items import booking_item, hold_item
from kairos.storage.dynamodb import from_item, to_item
from kairos.storage.hold_store import EXPIRY_ATTRIBUTE
from tests.unit.test_booking_series import live_bookings, series_body, stored_series, weekly_clinic

WEEKLY = "FREQ=WEEKLY;COUNT=52"  # several chunks: written as holds, then finalized


def before_finalize(container: Container, monkeypatch: pytest.MonkeyPatch, meddle: Any) -> None:
    """Runs `meddle(holds)` once, just before the series' first finalize is committed."""
    writer = container.bookings.writer
    commit = writer.commit

    def meddling(viewer: Principal, intents: Any, group: Any = None) -> Any:
        holds = [i.before for i in intents if i.before is not None and i.proposal is not None]
        if holds and all(h.doc.get("is_temporary") for h in holds):
            monkeypatch.setattr(writer, "commit", commit)
            meddle(holds)
        return commit(viewer, intents, group)

    monkeypatch.setattr(writer, "commit", meddling)


def test_a_series_finalize_sends_only_what_changes_and_leaves_the_items_a_whole_write_would(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = weekly_clinic(container, principal)
    client = container.table.client
    send = client.transact_write_items
    sent: list[list[Any]] = []

    def watched(**request: Any) -> Any:
        sent.append(request["TransactItems"])
        return send(**request)

    monkeypatch.setattr(client, "transact_write_items", watched)

    series = container.booking_series.create(principal, series_body(clinic, WEEKLY))

    operations: dict[tuple[str, str], list[tuple[str, set[str]]]] = {}
    for operation in (o for transaction in sent for o in transaction):
        ((kind, request),) = operation.items()
        key = from_item(request.get("Key") or request["Item"])
        names = request.get("ExpressionAttributeNames", {})
        written = {names[n] for n in re.findall(r"#\w+", request.get("UpdateExpression", ""))}
        operations.setdefault((key["PK"], key["SK"]), []).append((kind, written))
    project = principal.project_id
    for shown in series["bookings"]:
        booking = container.booking_store.get(project, shown["id"])
        assert booking is not None and not booking.doc["is_temporary"]
        item, hold = booking_item(project, booking), hold_item(project, booking)
        # written as a hold, then only what the finalize changes: the booking's document and version, and
        # its time when a second has passed since the hold (timestamps are whole seconds); the hold leaves
        # the expiry listing
        [(put, _), (update, written)] = operations[(item["PK"], item["SK"])]
        assert (put, update, written - {"updated_at"}) == ("Put", "Update", {"data", "version"})
        assert operations[(hold["PK"], hold["SK"])] == [
            ("Put", set()),
            ("Update", {"GSI1PK", "GSI1SK", EXPIRY_ATTRIBUTE}),
        ]
        # and they are stored as a whole write of the finalized booking leaves them
        assert container.table.get({"PK": item["PK"], "SK": item["SK"]}) == from_item(to_item(item))
        assert container.table.get({"PK": hold["PK"], "SK": hold["SK"]}) == from_item(to_item(hold))


def test_a_hold_released_before_the_series_finalize_is_not_finalized_and_the_series_leaves_nothing(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hold's place taken once it expired (its item released) between the chunks and the finalize: the
    finalize's update of that hold is refused, as the whole write was, and the series is taken back."""
    clinic = weekly_clinic(container, principal)

    def release(holds: Any) -> None:
        found = release_of(holds[7])
        assert found is not None and container.booking_store.release(principal.project_id, found)

    before_finalize(container, monkeypatch, release)

    with pytest.raises(ValidationFailed) as refused:
        container.booking_series.create(principal, series_body(clinic, WEEKLY))

    assert any("expired" in message for messages in refused.value.errors.values() for message in messages)

    assert live_bookings(container, principal) == []
    assert stored_series(container, principal) == []


def test_a_finalize_sending_only_what_changes_is_refused_when_the_booking_changed_meanwhile(
    container: Container, principal: Principal
) -> None:
    """The update is conditioned on the version the hold was written with, as the whole write is: another
    write in between (its version moved) refuses it, and the booking stays a hold."""
    clinic = weekly_clinic(container, principal)
    body = series_body(clinic, "") | {"recurrence": None, "is_temporary": True}
    project = principal.project_id
    hold = container.booking_store.get(project, container.bookings.create(principal, body)["id"])
    assert hold is not None
    container.table.client.update_item(
        TableName=container.table.name,
        Key=to_item(keys.booking(project, hold.id)),
        UpdateExpression="SET version = version + :one",
        ExpressionAttributeValues=to_item({":one": 1}),
    )
    doc = {**hold.doc, "is_temporary": False, "expires_at": None}
    finalized = replace(hold, doc=doc, version=hold.version + 1)

    with pytest.raises(Conflict):
        change = BookingChange(hold, finalized, False, as_written=True)
        container.booking_store.commit(project, [change], LedgerState({}, {}))

    stored = container.booking_store.get(project, hold.id)
    assert stored is not None and stored.doc["is_temporary"] and stored.version == hold.version + 1
