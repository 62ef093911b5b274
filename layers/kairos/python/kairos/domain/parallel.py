"""Running a request's independent reads at once (I/O-bound: threads suffice), each in a copy of the
request's context, so per-request state such as the round-trip count follows them."""

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")
MAX_WORKERS = 8


def parallel_map(work: Callable[[In], Out], items: Sequence[In], max_workers: int = MAX_WORKERS) -> list[Out]:
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, work, item) for item in items]
        return [future.result() for future in futures]
