"""Booking series in process (docs/booking-series.md): a weekly series in Paris across the spring change,
all or nothing over several transactions, available_only with reasons, the lock on a series being written,
cancel from a date, and the round trips of a 52-week series."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kairos.container import Container
from kairos.domain.bookings import series_commit
from kairos.domain.bookings.series_state import KIND
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Record
from kairos.errors import Overloaded, ValidationFailed
from kairos.storage.dynamodb import RoundTrips
from kairos.storage.table_definition import TTL_ATTRIBUTE
from kairos.values.formats import format_timestamp
from kairos_local.tables import expired_keys

PARIS = ZoneInfo("Europe/Paris")
FIRST = datetime(2030, 3, 4, 10, tzinfo=PARIS)  # a Monday; Paris springs forward on 31 March 2030


def weekly_clinic(container: Container, viewer: Principal, places: int = 1) -> dict[str, str]:
    """A one-hour service, one doctor available every Monday 08:00-17:00 in Paris for years."""
    service = container.catalogue.create(
        viewer, SERVICE, {"name": "Therapy", "type": "fixed", "duration": "PT1H"}
    )
    location = container.catalogue.create(
        viewer,
        LOCATION,
        {"name": "Paris", "time_zone": "Europe/Paris", "resource_selection_strategy": "randomize"},
    )
    resource = container.catalogue.create(
        viewer, RESOURCE, {"name": "Dr.", "max_simultaneous_bookings": places}
    )
    container.catalogue.associate(viewer, service["id"], resource["id"])
    schedule = container.schedules.create_recurring(
        viewer, resource["id"], {"location_id": location["id"], "start_date": "2030-01-01"}
    )
    block = {"weekday": "monday", "start_time": "08:00:00", "end_time": "17:00:00"}
    container.schedules.put_weekly(viewer, resource["id"], schedule["id"], None, block)
    return {"service_id": service["id"], "location_id": location["id"], "resource_id": resource["id"]}


def series_body(clinic: dict[str, str], rule: str, start: datetime = FIRST, **extra: Any) -> dict[str, Any]:
    return {
        "service_id": clinic["service_id"],
        "location_id": clinic["location_id"],
        "starts_at": format_timestamp(start, PARIS),
        "ends_at": format_timestamp(start + timedelta(hours=1), PARIS),
        "recurrence": rule,
        **extra,
    }


def stored_series(container: Container, viewer: Principal) -> list[Record]:
    return container._catalogue_store.list_all(viewer.project_id, KIND)


def live_bookings(container: Container, viewer: Principal) -> list[Any]:
    return container.bookings.page(viewer, {"per_page": "100", "temporary": "include"}).items


def failing_at(call: int, error: BaseException, container: Container, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Makes the writer's `call`-th transaction raise `error`; returns its own commit, to put back."""
    writer = container.bookings.writer
    commit = writer.commit
    calls = [0]

    def failing(viewer: Principal, intents: Any, group: Any = None) -> Any:
        calls[0] += 1
        if calls[0] == call:
            raise error
        return commit(viewer, intents, group)

    monkeypatch.setattr(writer, "commit", failing)
    return commit


def test_a_weekly_series_keeps_its_wall_time_across_the_change_and_each_booking_names_it(
    container: Container, principal: Principal
) -> None:
    clinic = weekly_clinic(container, principal)

    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=6"))

    starts = [b["starts_at"] for b in series["bookings"]]
    assert starts[3:5] == ["2030-03-25T10:00:00+01:00", "2030-04-01T10:00:00+02:00"]
    assert {b["booking_series_id"] for b in series["bookings"]} == {series["id"]}
    one = container.bookings.get(principal, series["bookings"][4]["id"])
    assert one["booking_series_id"] == series["id"]
    assert container.booking_series_reads.get(principal, series["id"])["booking_ids"] == series["booking_ids"]


def test_52_weeks_are_written_over_several_transactions_and_a_refusal_late_leaves_none(
    container: Container, principal: Principal
) -> None:
    clinic = weekly_clinic(container, principal)
    week_50 = FIRST + timedelta(weeks=50)
    taken = container.bookings.create(principal, series_body(clinic, "", week_50) | {"recurrence": None})

    with pytest.raises(ValidationFailed) as refused:
        container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))

    assert list(refused.value.errors) == ["occurrences.50.starts_at"]
    assert [b["id"] for b in live_bookings(container, principal)] == [taken["id"]]
    assert stored_series(container, principal) == []

    container.bookings.delete(principal, taken["id"])
    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))
    assert len(series["bookings"]) == 52 == len({b["id"] for b in series["bookings"]})


def test_available_only_skips_what_cannot_be_booked_and_says_why(
    container: Container, principal: Principal
) -> None:
    clinic = weekly_clinic(container, principal)
    week_2 = FIRST + timedelta(weeks=2)
    container.bookings.create(principal, series_body(clinic, "", week_2) | {"recurrence": None})

    series = container.booking_series.create(
        principal, series_body(clinic, "FREQ=WEEKLY;COUNT=4", mode="available_only")
    )

    assert len(series["bookings"]) == 3
    (skipped,) = series["skipped"]
    assert skipped["starts_at"] == format_timestamp(week_2, PARIS)
    assert [r["rule"] for r in skipped["resources"][0]["reasons"]] == ["fully_booked"]


def test_a_booking_of_a_series_being_written_cannot_be_changed_nor_is_the_series_shown(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the first chunk and the next, another request finds the first occurrence written: it may
    neither change nor delete it, and the series is not there yet."""
    clinic = weekly_clinic(container, principal)
    writer = container.bookings.writer
    commit = writer.commit
    seen: list[object] = []

    def interleaved(viewer: Principal, intents: Any, group: Any = None) -> Any:
        if group is not None and group.before is not None and not seen:  # the second chunk
            first = group.before.doc["booking_ids"][0]
            for attempt in (
                lambda: container.bookings.patch(principal, first, {"metadata": {"x": 1}}),
                lambda: container.bookings.delete(principal, first),
                lambda: container.booking_series_reads.get(principal, group.before.id),
            ):
                try:
                    attempt()
                except Exception as refused:
                    seen.append(type(refused).__name__)
        return commit(viewer, intents, group)

    monkeypatch.setattr(writer, "commit", interleaved)

    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=30"))

    assert seen == ["Conflict", "Conflict", "NotFound"]
    assert len(series["bookings"]) == 30
    assert container.bookings.get(principal, series["booking_ids"][0])["metadata"] is None


def test_cancel_from_a_date_cancels_that_occurrence_and_the_following_ones(
    container: Container, principal: Principal
) -> None:
    clinic = weekly_clinic(container, principal)
    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=4"))
    third = series["bookings"][2]["starts_at"]

    changed = container.booking_series.patch(
        principal, series["id"], {"cancel": {"from": third}, "metadata": {"a": 1}}
    )

    assert [b["is_canceled"] for b in changed["bookings"]] == [False, False, True, True]
    assert changed["metadata"] == {"a": 1}
    container.booking_series.delete(principal, series["id"])
    assert all(
        b["is_canceled"] for b in container.booking_series_reads.get(principal, series["id"])["bookings"]
    )


def test_delete_cancels_only_the_occurrences_to_come_outside_the_threshold_and_keeps_the_series(
    container: Container, principal: Principal
) -> None:
    """Three weeks in, with a cancelation threshold of a day: the past occurrences and the one starting
    within the day stay; the series is still there, with `canceled_from`."""
    now = [FIRST - timedelta(days=1)]
    container.clock = lambda: now[0]
    clinic = weekly_clinic(container, principal)
    container.catalogue.patch(principal, SERVICE, clinic["service_id"], {"cancelation_threshold": "P1D"})
    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=6"))
    now[0] = FIRST + timedelta(weeks=3) - timedelta(hours=2)  # the fourth occurrence is 2 hours away

    container.booking_series.delete(principal, series["id"])

    kept = container.booking_series_reads.get(principal, series["id"])
    assert [b["is_canceled"] for b in kept["bookings"]] == [False] * 4 + [True] * 2
    assert kept["canceled_from"] == format_timestamp(now[0])


def test_a_series_whose_later_transaction_fails_for_another_reason_leaves_nothing(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store overloaded at the third transaction (a 503): the two chunks written are deleted again."""
    clinic = weekly_clinic(container, principal)
    failing_at(3, Overloaded("The table is busy; try again."), container, monkeypatch)

    with pytest.raises(Overloaded):
        container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))

    assert live_bookings(container, principal) == []
    assert stored_series(container, principal) == []


def test_a_finalize_failing_while_others_run_at_once_leaves_nothing(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 holds a finalize: 52 weeks in three, the first two at once. The second refused (the store
    overloaded) while the first is written: every occurrence, finalized or still a hold, is deleted."""
    clinic = weekly_clinic(container, principal)
    monkeypatch.setattr(series_commit, "FINALIZE_CHUNK", 20)
    writer = container.bookings.writer
    commit = writer.commit
    finalized: list[int] = []

    def failing(viewer: Principal, intents: Any, group: Any = None) -> Any:
        finals = [i for i in intents if i.before is not None and i.proposal is not None]
        if finals and all(i.before.doc.get("is_temporary") for i in finals):
            finalized.append(len(finals))
            if len(finalized) == 2:
                raise Overloaded("The table is busy; try again.")
        return commit(viewer, intents, group)

    monkeypatch.setattr(writer, "commit", failing)

    with pytest.raises(Overloaded):
        container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))

    assert finalized == [20, 20]
    assert live_bookings(container, principal) == []
    assert stored_series(container, principal) == []


class WriterDied(BaseException):
    """The function stopped between two transactions (a timeout, a kill): nothing of it runs after."""


def test_the_places_of_a_series_whose_writer_died_between_transactions_free_themselves(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A series of several transactions writes its occurrences as holds that expire 5 minutes on, and
    finalizes them at the end: its writer stopping after the first leaves holds that give their places back
    at expiry, and a series never shown."""
    now = [FIRST - timedelta(days=7)]
    container.clock = lambda: now[0]
    clinic = weekly_clinic(container, principal)
    commit = failing_at(2, WriterDied(), container, monkeypatch)
    with pytest.raises(WriterDied):
        container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))
    monkeypatch.setattr(container.bookings.writer, "commit", commit)
    body = series_body(clinic, "", FIRST) | {"recurrence": None}

    with pytest.raises(ValidationFailed):  # held by the series' first transaction
        container.bookings.create(principal, body)
    now[0] += timedelta(minutes=5)
    booked = container.bookings.create(principal, body)

    assert booked["starts_at"] == format_timestamp(FIRST, PARIS)
    assert container.booking_series_reads.page(principal, {}).items == []


def test_the_item_of_a_series_whose_writer_died_goes_away_with_the_tables_ttl(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pending item a dead writer leaves carries the table's TTL (an hour past its holds' expiry), so
    DynamoDB removes it; a series that completed carries none and stays."""
    now = [FIRST - timedelta(days=7)]
    container.clock = lambda: now[0]
    client = container.table.client
    client.update_time_to_live(
        TableName=container.table.name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    clinic = weekly_clinic(container, principal)
    kept = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))
    failing_at(2, WriterDied(), container, monkeypatch)
    with pytest.raises(WriterDied):
        body = series_body(clinic, "FREQ=WEEKLY;COUNT=52", FIRST + timedelta(hours=2))
        container.booking_series.create(principal, body)

    def sweep(at: datetime) -> None:  # what DynamoDB's TTL does: the items past their time, deleted
        for _, table, key, _ in list(expired_keys(at.timestamp())):
            client.delete_item(TableName=table, Key=key)

    sweep(now[0] + series_commit.HOLD)
    assert len(stored_series(container, principal)) == 2  # not before its holds expired and an hour more
    sweep(now[0] + series_commit.HOLD + timedelta(hours=1, seconds=1))
    assert [s.id for s in stored_series(container, principal)] == [kept["id"]]
    sweep(now[0] + timedelta(days=3650))
    assert [s.id for s in stored_series(container, principal)] == [kept["id"]]


def test_a_chunk_estimated_short_is_split_and_written_as_holds_then_finalized(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An estimate that puts 52 weeks in one transaction: the store refuses it before sending it, and the
    series goes on in halves, as a series of several transactions does (holds, then finalized)."""
    clinic = weekly_clinic(container, principal)
    monkeypatch.setattr(series_commit, "_items", lambda intent: 1)
    writer = container.bookings.writer
    commit = writer.commit
    held: list[bool] = []

    def watched(viewer: Principal, intents: Any, group: Any = None) -> Any:
        held.extend(bool(i.proposal and i.proposal.doc.get("is_temporary")) for i in intents if not i.before)
        return commit(viewer, intents, group)

    monkeypatch.setattr(writer, "commit", watched)

    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))

    # the one chunk planned is refused before it is sent; every part after it is written as holds
    assert held[:52] == [False] * 52 and len(held) > 52 and all(held[52:])
    assert len(series["bookings"]) == 52
    assert not any(b["is_temporary"] for b in series["bookings"])
    assert len(live_bookings(container, principal)) == 52


def test_booking_limits_count_the_series_own_occurrences(container: Container, principal: Principal) -> None:
    """Two a month per resource: of five Mondays from 4 March, the third and fourth March ones are left out
    (all_or_nothing: refused whole), with the limit as `explain` names it."""
    clinic = weekly_clinic(container, principal)
    limits = {"booking_limits": {"per_resource": {"month": 2}}}
    container.catalogue.patch(principal, SERVICE, clinic["service_id"], limits)
    rule = "FREQ=WEEKLY;COUNT=5"

    with pytest.raises(ValidationFailed) as refused:
        container.booking_series.create(principal, series_body(clinic, rule))
    series = container.booking_series.create(principal, series_body(clinic, rule, mode="available_only"))

    assert list(refused.value.errors) == ["occurrences.2.starts_at"]
    assert [b["starts_at"][:10] for b in series["bookings"]] == ["2030-03-04", "2030-03-11", "2030-04-01"]
    reasons = [s["resources"][0]["reasons"] for s in series["skipped"]]
    assert [[(r["rule"], r["period"]) for r in found] for found in reasons] == [
        [("booking_limit", "month")]
    ] * 2


def test_the_bookings_list_filters_by_series(container: Container, principal: Principal) -> None:
    """`GET /v1/bookings?booking_series_id=<id>`: that series' occurrences only, not another series' nor
    a single booking's; an id in upper case is the same id, and an unknown one lists none."""
    clinic = weekly_clinic(container, principal, places=3)
    first = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=3"))
    container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=2"))
    container.bookings.create(principal, series_body(clinic, "", FIRST) | {"recurrence": None})

    def listed(series_id: str) -> list[str]:
        query = {"booking_series_id": series_id, "per_page": "100"}
        return [b["id"] for b in container.bookings.page(principal, query).items]

    assert listed(first["id"]) == first["booking_ids"]
    assert listed(first["id"].upper()) == first["booking_ids"]
    assert listed("00000000-0000-4000-8000-000000000000") == []


def test_a_chunk_whose_limit_counter_an_earlier_chunk_moved_is_planned_again(
    container: Container, principal: Principal
) -> None:
    """A monthly limit of 5 (never reached weekly): 52 weeks in chunks that split months, so a later chunk
    finds the month's counter moved by the chunk before it since the series read it, and plans again."""
    clinic = weekly_clinic(container, principal)
    limits = {"booking_limits": {"per_resource": {"month": 5}}}
    container.catalogue.patch(principal, SERVICE, clinic["service_id"], limits)

    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))

    assert len(series["bookings"]) == 52
    assert len(live_bookings(container, principal)) == 52


def test_a_monthly_limit_counts_the_occurrences_an_earlier_chunk_took(
    container: Container, principal: Principal
) -> None:
    """Four a month: of July 2030's five Mondays the first is in the series' first chunk, the others in the
    second, which reads every timeline before the first chunk is written; the fifth is still left out."""
    clinic = weekly_clinic(container, principal)
    limits = {"booking_limits": {"per_resource": {"month": 4}}}
    container.catalogue.patch(principal, SERVICE, clinic["service_id"], limits)

    body = series_body(clinic, "FREQ=WEEKLY;COUNT=30", mode="available_only")
    series = container.booking_series.create(principal, body)

    july = [b["starts_at"][:10] for b in series["bookings"] if b["starts_at"].startswith("2030-07")]
    assert july == ["2030-07-01", "2030-07-08", "2030-07-15", "2030-07-22"]
    assert "2030-07-29" in [s["starts_at"][:10] for s in series["skipped"]]


def test_a_52_week_series_waits_for_8_round_trips_one_after_the_other(
    container: Container, principal: Principal
) -> None:
    """What a series waits for on AWS (docs/booking-series.md, "Cost"): the catalogue with the first
    occurrence's ledger; every occurrence's ledger at once; every timeline at once; the 3 chunks one after
    the other; the finalizes (all but the last at once, then the last)."""
    clinic = weekly_clinic(container, principal)
    body = {**series_body(clinic, "FREQ=WEEKLY;COUNT=52"), "resource_id": clinic["resource_id"]}

    RoundTrips.reset()
    container.booking_series.create(principal, body)

    assert (RoundTrips.count(), RoundTrips.waves()) == (10, 8)
