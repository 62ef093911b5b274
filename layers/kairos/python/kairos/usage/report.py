"""GET /v1/project/usage: the project's daily usage between two dates, with totals, its plan and quota."""

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from kairos.domain.errors import ValidationFailed
from kairos.domain.formats import now_utc
from kairos.domain.records import Project
from kairos.storage.usage_store import UsageDay
from kairos.usage.quota import UsageDays, month_bounds, plan_of

MAX_DAYS = 366


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
    first_default, last_default = month_bounds(today)
    errors: dict[str, list[str]] = {}
    chosen: dict[str, date] = {}
    for name, default in (("from", first_default), ("to", last_default)):
        try:
            chosen[name] = date.fromisoformat(query.get(name, default))
        except ValueError:
            errors[name] = [f"The {name} field must be a date of the form YYYY-MM-DD."]
    if not errors and chosen["to"] < chosen["from"]:
        errors["to"] = ["The to field must be a date after or equal to from."]
    elif not errors and (chosen["to"] - chosen["from"]).days >= MAX_DAYS:
        errors["to"] = [f"The range may span at most {MAX_DAYS} days."]
    if errors:
        raise ValidationFailed(errors)
    return chosen["from"], chosen["to"]


class UsageReport:
    def __init__(self, usage: UsageDays, clock: Callable[[], datetime] = now_utc) -> None:
        self._usage = usage
        self._clock = clock

    def report(self, project: Project, query: Mapping[str, str]) -> dict[str, Any]:
        today = self._clock().date()
        first, last = _dates(query, today)
        found = {d.day: d for d in self._usage.days(project.id, first.isoformat(), last.isoformat())}
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        rows = [_row(d.isoformat(), found.get(d.isoformat())) for d in days]
        requests = sum(d.requests for d in found.values())
        month_first, month_last = month_bounds(today)
        this_month = sum(d.requests for d in self._usage.days(project.id, month_first, month_last))
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
