"""GET /v1/project/usage: the project's daily usage between two dates, with totals, its plan and quota.
It answers whatever the quota says (`Route.quota_exempt`): a blocked customer must be able to see why."""

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from kairos.domain.shared.plans import plan_of
from kairos.domain.shared.queries import Errors, date_param, raise_if
from kairos.domain.shared.records import Project
from kairos.parallel import both
from kairos.values.formats import now_utc

MAX_DAYS = 366


@dataclass(frozen=True)
class UsageDay:
    """One UTC day's counters of a project, summed over its writer slots."""

    day: str  # YYYY-MM-DD, UTC
    requests: int
    processing_ms: int
    webhook_attempts: int


class UsageDays(Protocol):
    def days(self, project_id: str, first: str, last: str) -> list[UsageDay]: ...


def month_bounds(at: date) -> tuple[str, str]:
    last = calendar.monthrange(at.year, at.month)[1]
    return f"{at:%Y-%m}-01", f"{at:%Y-%m}-{last:02d}"


def _average(total_ms: int, requests: int) -> float | None:
    return round(total_ms / requests, 1) if requests else None


def _row(day: str, counters: UsageDay | None) -> dict[str, Any]:
    requests = counters.requests if counters else 0
    total_ms = counters.processing_ms if counters else 0
    return {
        "date": day,
        "requests": requests,
        "average_processing_time_ms": _average(total_ms, requests),
        "webhook_delivery_attempts": counters.webhook_attempts if counters else 0,
    }


def _dates(query: Mapping[str, str], today: date) -> tuple[date, date]:
    first_default, last_default = (date.fromisoformat(d) for d in month_bounds(today))
    errors: Errors = {}
    first = date_param(query, "from", errors) or first_default
    last = date_param(query, "to", errors) or last_default
    if not errors and last < first:
        errors["to"] = ["The to field must be a date after or equal to from."]
    elif not errors and (last - first).days >= MAX_DAYS:
        errors["to"] = [f"The range may span at most {MAX_DAYS} days."]
    raise_if(errors)
    return first, last


class UsageReport:
    def __init__(self, usage: UsageDays, clock: Callable[[], datetime] = now_utc) -> None:
        self._usage = usage
        self._clock = clock

    def report(self, project: Project, query: Mapping[str, str]) -> dict[str, Any]:
        today = self._clock().date()
        first, last = _dates(query, today)
        month_first, month_last = month_bounds(today)
        in_range, in_month = both(  # at once: each reads every usage partition
            lambda: self._usage.days(project.id, first.isoformat(), last.isoformat()),
            lambda: self._usage.days(project.id, month_first, month_last),
        )
        found = {d.day: d for d in in_range}
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        rows = [_row(d.isoformat(), found.get(d.isoformat())) for d in days]
        requests = sum(d.requests for d in found.values())
        this_month = sum(d.requests for d in in_month)
        plan = plan_of(project.plan)
        return {
            "data": rows,
            "totals": {
                "requests": requests,
                "average_processing_time_ms": _average(
                    sum(d.processing_ms for d in found.values()), requests
                ),
                "webhook_delivery_attempts": sum(d.webhook_attempts for d in found.values()),
            },
            "plan": {
                "name": plan.name,
                "requests_per_month": plan.requests_per_month,
                "requests_per_minute": project.rate_limit_per_minute,
            },
            "quota": {
                "month": month_first[:7],
                "used": this_month,
                "remaining": None
                if plan.requests_per_month is None
                else max(0, plan.requests_per_month - this_month),
            },
        }
