"""`parallel_map` on the process's one pool: results in the items' order, the first failure raised once
every item ran, the caller's context in each branch, a worker limit kept, no thread started again by a
later call, and branches that map in turn never waiting for ever on a full pool."""

import threading
import time
from contextvars import ContextVar

import pytest

from kairos.parallel import MAX_WORKERS, both, parallel_map

WHO: ContextVar[str] = ContextVar("who", default="nobody")


def test_results_come_in_the_items_order_with_the_callers_context() -> None:
    WHO.set("caller")

    def seen(n: int) -> str:
        time.sleep(0.001 * (5 - n))  # the first items finish last
        answer = f"{n}:{WHO.get()}"
        WHO.set("branch")  # in the branch's own copy
        return answer

    assert parallel_map(seen, range(5)) == [f"{n}:caller" for n in range(5)]
    assert WHO.get() == "caller"
    assert both(lambda: 1, lambda: "two") == (1, "two")


def test_the_first_failure_in_the_items_order_is_raised_once_every_item_ran() -> None:
    ran: list[int] = []

    def work(n: int) -> int:
        ran.append(n)
        if n in (2, 4):
            raise ValueError(f"item {n}")
        return n

    with pytest.raises(ValueError, match="item 2"):
        parallel_map(work, list(range(6)), max_workers=2)
    assert sorted(ran) == list(range(6))


def test_a_worker_limit_is_never_exceeded() -> None:
    running, most = [0], [0]
    lock = threading.Lock()

    def work(_: int) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.002)
        with lock:
            running[0] -= 1

    parallel_map(work, list(range(12)), max_workers=3)
    assert 1 <= most[0] <= 3


def test_calls_run_on_the_processs_pool_instead_of_starting_threads_of_their_own() -> None:
    def thread_name(_: int) -> str:
        time.sleep(0.002)
        return threading.current_thread().name

    used = {name for _ in range(10) for name in parallel_map(thread_name, list(range(8)))}
    assert all(name.startswith("kairos-parallel") for name in used)
    assert len(used) <= MAX_WORKERS  # ten calls of 8 started at most the pool's threads, not 80


def test_branches_that_map_in_turn_finish_even_when_they_fill_the_pool() -> None:
    def inner(n: int) -> int:
        return sum(parallel_map(lambda m: m * n, [1, 2]))

    done: list[list[int]] = []
    outer = threading.Thread(target=lambda: done.append(parallel_map(inner, list(range(MAX_WORKERS + 8)))))
    outer.start()
    outer.join(timeout=60)  # a deadlock guard, not a speed check
    assert done == [[3 * n for n in range(MAX_WORKERS + 8)]]
