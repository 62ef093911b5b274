"""A series whose writer died between its two finalizes (52 weeks: 45 holds finalized at once, then the
other 7 with the series' item) is never shown, and the occurrences it had finalized are removed by their
holds' timers when the holds expire, with the holds themselves: every place is free again and nothing of
the series is left (docs/booking-series.md, "If the writer itself dies"). A series that completed loses
nothing to the same timers."""

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.bookings import series_commit
from kairos.domain.bookings.hold_sweep import HoldSweeper
from kairos.domain.bookings.hold_timers import HoldTimer, hold_timer
from kairos.domain.bookings.series_state import KIND as SERIES
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.records import Record
from kairos.errors import ValidationFailed
from kairos.messaging.hold_timer_queue import timer_body, timer_from
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import Table
from kairos.storage.hold_store import HoldExpiryStore
from tests.unit.test_booking_series import (
    FIRST,
    WriterDied,
    live_bookings,
    series_body,
    weekly_clinic,
)
from tests.unit.test_hold_timers import StartedTimers

LAST_FINALIZE = 5  # the writer's transactions for 52 weeks: 3 chunks, then the 2 finalizes


class ReadsCounted(CatalogueStore):
    """The catalogue store, counting the items it is asked for by kind."""

    def __init__(self, table: Table) -> None:
        super().__init__(table)
        self.reads: Counter[str] = Counter()

    def get(self, project_id: str, kind: str, entity_id: str) -> Record | None:
        self.reads[kind] += 1
        return super().get(project_id, kind, entity_id)


class Series:
    """A 52-week series written with the holds' timers the stream starts for its writes, on a clock the
    test moves; its writer dies at transaction `dies_at` (None: it completes)."""

    def __init__(self, container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = [FIRST - timedelta(days=7)]
        container.clock = lambda: self.now[0]
        self.container, self.principal = container, principal
        self.clinic = weekly_clinic(container, principal)
        self.timers: list[HoldTimer] = []
        self._monkeypatch = monkeypatch
        self.catalogue = ReadsCounted(container.table)  # what the sweeper reads the series' item with

    def write(self, dies_at: int | None) -> None:
        writer = self.container.bookings.writer
        commit, calls = writer.commit, [0]

        def recorded(viewer: Principal, intents: Any, group: Any = None) -> Any:
            calls[0] += 1
            if calls[0] == dies_at:
                raise WriterDied()
            changes = commit(viewer, intents, group)
            for change in changes:  # what the stream mapper starts for the write
                if (timer := hold_timer(viewer.project_id, change.before, change.after)) is not None:
                    self.timers.append(timer)
            return changes

        self._monkeypatch.setattr(writer, "commit", recorded)
        try:
            self.container.booking_series.create(
                self.principal, series_body(self.clinic, "FREQ=WEEKLY;COUNT=52")
            )
        finally:
            self._monkeypatch.setattr(writer, "commit", commit)

    def fire_timers_at_expiry(self) -> int:
        self.now[0] += series_commit.HOLD
        container = self.container
        sweeper = HoldSweeper(
            HoldExpiryStore(container.table), StartedTimers(), container.booking_store,
            container.bookings.writer, container.clock, self.catalogue,
        )  # fmt: skip
        return sum(sweeper.fire(timer) for timer in self.timers)

    def book_the_first_week(self) -> dict[str, Any]:
        body = series_body(self.clinic, "", FIRST) | {"recurrence": None}
        return self.container.bookings.create(self.principal, body)


@pytest.fixture
def series(container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch) -> Series:
    return Series(container, principal, monkeypatch)


def test_what_a_series_finalized_before_its_writer_died_is_removed_when_its_holds_expire(
    series: Series, container: Container, principal: Principal
) -> None:
    with pytest.raises(WriterDied):
        series.write(dies_at=LAST_FINALIZE)
    left = live_bookings(container, principal)
    assert sorted(b["is_temporary"] for b in left) == [False] * 45 + [True] * 7
    assert {t.series_id for t in series.timers} == {left[0]["booking_series_id"]}
    with pytest.raises(ValidationFailed):  # the first week: finalized by the series, its place taken
        series.book_the_first_week()

    assert series.fire_timers_at_expiry() == 52

    assert live_bookings(container, principal) == []
    assert series.book_the_first_week()["is_temporary"] is False
    assert container.booking_series_reads.page(principal, {}).items == []


def test_a_series_that_completed_loses_nothing_to_its_holds_timers(
    series: Series, container: Container, principal: Principal
) -> None:
    series.write(dies_at=None)
    assert len(series.timers) == 52

    assert series.fire_timers_at_expiry() == 0
    assert series.catalogue.reads == {SERIES: 1}  # its item read once for its 52 timers: shown stays shown

    left = live_bookings(container, principal)
    assert len(left) == 52 and not any(b["is_temporary"] for b in left)
    assert [s["id"] for s in container.booking_series_reads.page(principal, {}).items] == [
        left[0]["booking_series_id"]
    ]


def test_a_timer_names_its_series_in_its_message_and_one_sent_before_reads_without() -> None:
    at = datetime.fromisoformat("2030-03-04T09:05:00+00:00")
    timer = HoldTimer("p-1", "r-1", "b-1", at, "s-1")
    older = {"project_id": "p-1", "resource_id": "r-1", "booking_id": "b-1", "expires_at": at.isoformat()}

    assert timer_from(json.loads(timer_body(timer))) == timer
    assert timer_from(older) == HoldTimer("p-1", "r-1", "b-1", at)
