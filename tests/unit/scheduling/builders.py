"""Small builders for the scheduling tests: services from real catalogue documents, spans from wall
times, and resources."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kairos.domain.catalogue.models import DayServiceInput, FixedServiceInput, FlexibleServiceInput
from kairos.scheduling.model import (
    RecurringSchedule,
    ResourceState,
    ServiceRules,
    Slot,
    Span,
    Weekday,
    WeeklyBlock,
)
from kairos.scheduling.rules import rules_from_service
from kairos.values.formats import format_timestamp

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
ALL_WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def fixed(duration: str, **fields: Any) -> ServiceRules:
    return rules_from_service(
        FixedServiceInput(name="Fixed", type="fixed", duration=duration, **fields).document()
    )


def flexible(min_duration: str, max_duration: str | None, step: str, **fields: Any) -> ServiceRules:
    doc = FlexibleServiceInput(
        name="Flexible",
        type="flexible",
        min_duration=min_duration,
        max_duration=max_duration,
        duration_step=step,
        **fields,
    ).document()
    return rules_from_service(doc)


def day_service(
    start_time: Any, end_time: Any, min_days: int, max_days: int | None, **fields: Any
) -> ServiceRules:
    doc = DayServiceInput(
        name="Day",
        type="day",
        start_time=start_time,
        end_time=end_time,
        min_days=min_days,
        max_days=max_days,
        **fields,
    ).document()
    return rules_from_service(doc)


def at(zone: ZoneInfo, text: str) -> datetime:
    """A local wall time such as "2026-03-29 01:00" in `zone` (fold=0), as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def span(zone: ZoneInfo, start: str, end: str) -> Span:
    return Span(at(zone, start), at(zone, end))


def every_day(start: time, end: time | None, since: date = date(2026, 1, 1)) -> RecurringSchedule:
    blocks = tuple(WeeklyBlock(day, start, end) for day in ALL_WEEKDAYS)
    return RecurringSchedule(start_date=since, end_date=None, interval=1, blocks=blocks)


def resource(
    available: Sequence[Span], busy: Sequence[Span] = (), capacity: int | None = 1, resource_id: str = "r1"
) -> ResourceState:
    return ResourceState(resource_id, tuple(available), tuple(busy), capacity)


def local_times(slots: Sequence[Slot], zone: ZoneInfo) -> list[tuple[str, str]]:
    """(starts_at, ends_at) of each slot as the API renders them in the location's zone."""
    return [(format_timestamp(slot.starts_at, zone), format_timestamp(slot.ends_at, zone)) for slot in slots]


MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
