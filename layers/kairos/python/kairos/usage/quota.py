"""The monthly request quota of a project's plan, checked before each request.

The month's count is the sum of the project's daily counters, read once and then cached in the function's
memory for up to 60 s, so a warm instance checks without a round trip. The counters trail the requests by
the roll-up's delay (seconds) and the cache by up to a minute, so a project can go a little over its
quota: at most what it makes in about a minute per warm instance, which its per-minute rate limit bounds.
"""

import calendar
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from kairos.domain.auth import Principal
from kairos.domain.errors import RateLimited
from kairos.domain.formats import now_utc
from kairos.domain.plans import PLANS, Plan
from kairos.storage.usage_store import UsageDay

CACHE_SECONDS = 60.0


class QuotaExceeded(RateLimited):
    """A 429 like the per-minute one, with a message that names the plan and its monthly quota."""


class UsageDays(Protocol):
    def days(self, project_id: str, first: str, last: str) -> list[UsageDay]: ...


def month_bounds(at: date) -> tuple[str, str]:
    last = calendar.monthrange(at.year, at.month)[1]
    return f"{at:%Y-%m}-01", f"{at:%Y-%m}-{last:02d}"


def plan_of(name: str) -> Plan:
    return PLANS.get(name, PLANS["enterprise"])


class MonthlyQuota:
    def __init__(
        self,
        usage: UsageDays,
        clock: Callable[[], datetime] = now_utc,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._usage = usage
        self._clock = clock
        self._monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def requests_this_month(self, project_id: str) -> int:
        now = self._clock()
        first, last = month_bounds(now)
        key = (project_id, first)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and self._monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        used = sum(d.requests for d in self._usage.days(project_id, first, last))
        with self._lock:
            self._cache[key] = (self._monotonic(), used)
        return used

    def check(self, principal: Principal) -> None:
        """Raises QuotaExceeded when the project has used its plan's requests this month."""
        plan = plan_of(principal.project.plan)
        if plan.requests_per_month is None:
            return
        if self.requests_this_month(principal.project_id) < plan.requests_per_month:
            return
        now = self._clock()
        last_day = calendar.monthrange(now.year, now.month)[1]
        month_end = now.replace(day=last_day, hour=23, minute=59, second=59)
        raise QuotaExceeded(
            retry_after=int((month_end - now).total_seconds()) + 1,
            limit=principal.project.rate_limit_per_minute,
            message=(
                f"The monthly request quota of your plan ({plan.name}: {plan.requests_per_month:,} requests)"
                " is used up."
            ),
        )
