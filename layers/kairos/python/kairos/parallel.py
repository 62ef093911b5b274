"""Running a request's independent reads at once (I/O-bound: threads suffice), each in a copy of the
request's context, so per-request state such as the round-trip count follows them.

`Waves` counts how many round trips a request waits for one after the other (its latency on AWS is about
that many times one round trip): a round trip outside `parallel_map` is one wave; the branches of a
`parallel_map` add as many as the longest of them, once per batch of branches its worker limit runs.

The threads are the process's: one pool, started by the first `parallel_map` and kept while the process
lives (a booking list's 32 reads no longer start 32 threads at each request, nor do a cold start's first
requests once each). A `parallel_map` whose `max_workers` is below the items' count runs them in that many
lanes of the pool, each taking the next item. One called inside a branch (a sync's reads inside the
poller's syncs) runs its lanes on a pool of its own: branches waiting on branches queued behind them in a
full pool would wait for ever."""

import contextvars
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from contextvars import ContextVar
from typing import TypeVar, cast

In = TypeVar("In")
Out = TypeVar("Out")
First = TypeVar("First")
Second = TypeVar("Second")
# Enough for the reads of one request to go at once (a bookable-slots listing reads one timeline per
# resource); the DynamoDB client keeps as many connections (`max_pool_connections`).
MAX_WORKERS = 64
_shared: list[ThreadPoolExecutor] = []  # the process's pool, once the first `parallel_map` started it
_starting = threading.Lock()
_branch = threading.local()  # `inside` is set in the shared pool's threads


class Waves:
    _count: ContextVar[list[int] | None] = ContextVar("kairos_waves", default=None)

    @classmethod
    def reset(cls) -> None:
        cls._count.set([0])

    @classmethod
    def count(cls) -> int:
        counter = cls._count.get()
        return counter[0] if counter else 0

    @classmethod
    def step(cls) -> None:
        """One more round trip that the current branch of the request waits for."""
        counter = cls._count.get()
        if counter is not None:
            counter[0] += 1


def parallel_map(work: Callable[[In], Out], items: Sequence[In], max_workers: int = MAX_WORKERS) -> list[Out]:
    if len(items) <= 1:
        return [work(item) for item in items]
    counter = Waves._count.get()
    workers = min(max_workers, len(items))

    def branch(item: In) -> tuple[Out, int]:
        if counter is None:
            return work(item), 0
        Waves._count.set([0])  # in this branch's own copy of the context
        return work(item), Waves.count()

    done = _run(branch, items, workers)
    if counter is not None:
        rounds = -(-len(items) // workers)
        counter[0] += rounds * max(waves for _, waves in done)
    return [result for result, _ in done]


def _run(branch: Callable[[In], Out], items: Sequence[In], workers: int) -> list[Out]:
    """`branch` of each item, each in a copy of the caller's context, at most `workers` at once; the
    first failure (in the items' order) is raised once every item has run."""
    context = contextvars.copy_context()
    outcomes: list[tuple[bool, object]] = [(False, None)] * len(items)
    left = iter(range(len(items)))
    taking = threading.Lock()

    def lane() -> None:
        while True:
            with taking:
                index = next(left, None)
            if index is None:
                return
            try:
                outcomes[index] = (True, context.copy().run(branch, items[index]))
            except BaseException as failure:  # raised in the caller, in the items' order
                outcomes[index] = (False, failure)

    nested = getattr(_branch, "inside", False)  # a pool of its own, which cannot be full of its callers
    with ThreadPoolExecutor(workers, initializer=_in_pool) if nested else nullcontext(_shared_pool()) as pool:
        for lane_done in [pool.submit(lane) for _ in range(workers)]:
            lane_done.result()
    for succeeded, outcome in outcomes:
        if not succeeded:
            raise cast(BaseException, outcome)
    return [cast(Out, outcome) for _, outcome in outcomes]


def _shared_pool() -> ThreadPoolExecutor:
    with _starting:
        if not _shared:
            _shared.append(ThreadPoolExecutor(MAX_WORKERS, "kairos-parallel", initializer=_in_pool))
        return _shared[0]


def _in_pool() -> None:
    """Marks a thread that runs branches: a `parallel_map` called there is nested."""
    _branch.inside = True


def both(first: Callable[[], First], second: Callable[[], Second]) -> tuple[First, Second]:
    """Two independent reads at once (as one wave)."""
    results = parallel_map(_call, [first, second])
    return cast(First, results[0]), cast(Second, results[1])


def _call(call: Callable[[], object]) -> object:
    return call()
