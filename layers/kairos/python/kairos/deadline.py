"""The time the current invocation may still take: its deadline, set by the Lambda entry points from the
context's remaining time (less a reserve for answering) and read by the storage's retries, which wait
before another attempt only when the wait ends before it. Domain code never sees it, nor any Lambda type:
it lives in a context variable, so the reads a request runs on worker threads (`kairos.parallel`
copies the context) obey it too. Without one (tests, the CLI) retries are bounded by their count alone."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kairos.events.definitions import BUDGET_RESERVE_SECONDS

_deadline: ContextVar[float | None] = ContextVar("kairos_deadline", default=None)


def seconds_for(remaining_ms: int) -> float:
    """An invocation's time for its work: what Lambda says is left (`get_remaining_time_in_millis`), less
    the reserve kept for answering after the last wait."""
    return remaining_ms / 1000 - BUDGET_RESERVE_SECONDS


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """What runs inside has `seconds` from now (a monotonic clock's)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def allows(wait: float) -> bool:
    """Whether waiting `wait` seconds still ends before the deadline (always, without one)."""
    deadline = _deadline.get()
    return deadline is None or time.monotonic() + wait <= deadline
