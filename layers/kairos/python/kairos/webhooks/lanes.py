"""Lanes: at most `lanes` attempts in flight to one subscription at once, across every dispatcher instance.

A receiver that takes seconds to answer holds a dispatcher's thread (and, on Lambda, its instance's batch)
for that long. Without a bound, one tenant's slow receiver with a stream of events would hold every
instance the queue may run, and other tenants' deliveries would wait in the queue behind it. So an attempt
first takes one of its subscription's lanes: a table item per lane, taken by a write conditioned on the
lane being free (absent, or its holder's time up), given back after the attempt by a delete conditioned on
still holding it. A delivery that finds every lane taken is not attempted: it waits in the queue (a retry
message with a short delay, not counted as an attempt) while the dispatcher's threads serve others.

A lane is held for the longest an attempt may take plus the dispatcher's reserve; an instance that dies
mid-attempt leaves its lane to be taken again once that time is up, never for longer.
"""

import math
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from kairos.events.definitions import BUDGET_RESERVE_SECONDS
from kairos.observability import logger
from kairos.outbound.sender import longest_attempt


class LaneStore(Protocol):
    def take(self, project_id: str, webhook_id: str, lane: int, holder: str, now: int, until: int) -> bool:
        """Holds the lane for `holder` until `until` (epoch seconds) if it is free at `now`; whether it
        did, decided by the write itself."""

    def give_back(self, project_id: str, webhook_id: str, lane: int, holder: str) -> None:
        """Frees the lane if `holder` still holds it (else it is someone else's: left alone)."""


class EndpointLanes:
    def __init__(
        self, store: LaneStore, lanes: int, timeout_seconds: float, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._lanes = lanes
        self._hold_seconds = math.ceil(longest_attempt(timeout_seconds) + BUDGET_RESERVE_SECONDS)
        self._clock = clock

    @contextmanager
    def lane(self, project_id: str, webhook_id: str) -> Iterator[bool]:
        """Within it, whether a lane of the subscription is held for this attempt. The lanes are tried
        from a random one on, so that concurrent attempts do not all contend for the first."""
        holder = uuid.uuid4().hex
        now = int(self._clock().timestamp())
        first = random.randrange(self._lanes)
        order = [(first + n) % self._lanes for n in range(self._lanes)]
        held = next(
            (
                n
                for n in order
                if self._store.take(project_id, webhook_id, n, holder, now, now + self._hold_seconds)
            ),
            None,
        )
        try:
            yield held is not None
        finally:
            if held is not None:
                try:
                    self._store.give_back(project_id, webhook_id, held, holder)
                except Exception:  # the attempt is made and recorded; the lane frees itself in time
                    logger.warning("a webhook lane was not given back", exc_info=True)
