"""Running a request's independent reads at once (I/O-bound: threads suffice), each in a copy of the
request's context, so per-request state such as the round-trip count follows them.

`Waves` counts how many round trips a request waits for one after the other (its latency on AWS is about
that many times one round trip): a round trip outside `parallel_map` is one wave; the branches of a
`parallel_map` add as many as the longest of them, once per batch of branches its worker limit runs."""

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import TypeVar, cast

In = TypeVar("In")
Out = TypeVar("Out")
First = TypeVar("First")
Second = TypeVar("Second")
# Enough for the reads of one request to go at once (a bookable-slots listing reads one timeline per
# resource); the DynamoDB client keeps as many connections (`max_pool_connections`).
MAX_WORKERS = 64


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

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(contextvars.copy_context().run, branch, item) for item in items]
        done = [future.result() for future in futures]
    if counter is not None:
        rounds = -(-len(items) // workers)
        counter[0] += rounds * max(waves for _, waves in done)
    return [result for result, _ in done]


def both(first: Callable[[], First], second: Callable[[], Second]) -> tuple[First, Second]:
    """Two independent reads at once (as one wave)."""
    results = parallel_map(_call, [first, second])
    return cast(First, results[0]), cast(Second, results[1])


def _call(call: Callable[[], object]) -> object:
    return call()
