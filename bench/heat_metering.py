"""The metering function's writes at the target rate, as the stack runs it (for bench/heat.py).

Locally one metering instance takes the usage queue's messages as few as have arrived, ten at most
(tools/kairos_local/event_chain.py). Deployed, the queue feeds up to `max_concurrency` instances with
batches of up to `batch_size` events (the stack's settings as synthesized, infra/settings.py), full at
the target rates: 11,000 events a second fill a batch of 40 in 4 ms, well within the batching window.
So a recorded metering invocation is projected in two ways:

- its updates (a project's day counters, a token's last use) are made once per batch: an update of a
  local batch of n events stands for n / batch_size of the deployed ones. Its puts (each event's log entry
  and bodies) are per event and stand as recorded;
- a day counter item is one writer slot's (kairos/storage/usage_store.py), and each instance holds one
  slot: the updates of a project's day spread over `max_concurrency` writers' items, each in the usage
  partition its writer id hashes to (`keys.usage_day`), here for writer ids made up the same way on every
  run, so that two of them may share a partition as on AWS.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from aws_cdk import App

from bench.heat_model import Charge
from infra.settings import QueueFeed, stack_settings
from kairos.events.definitions import USAGE_FEED
from kairos.storage import keys
from kairos_local.aws_calls import Access

FUNCTION = f"kairos-{USAGE_FEED.consumer}"
UPDATES = ("Update", "UpdateItem")


@cache
def metering_feed() -> QueueFeed:
    """The usage queue's feed of the metering function as the stack synthesizes it (no context given)."""
    return stack_settings(App()).feeds[USAGE_FEED.consumer]


@dataclass(frozen=True)
class Deployed:
    """A recorded charge as the deployed metering makes it: the charge (a writer's item) and the share of
    the recorded call's weight it takes."""

    charge: Charge
    share: float


def as_deployed(invocation: Mapping[str, Any], access: Access, found: list[Charge]) -> list[Deployed]:
    """The charges of one access as deployed: unchanged but for the metering function's updates."""
    if invocation.get("function") != FUNCTION or access.action not in UPDATES:
        return [Deployed(charge, 1.0) for charge in found]
    feed = metering_feed()
    per_batch = int(invocation.get("records") or 1) / feed.batch_size
    projected = []
    for charge in found:
        if charge.item is None or not charge.item[0].startswith(keys.usage_partition("")):
            projected.append(Deployed(charge, per_batch))
            continue
        project = charge.item[0].split("#")[1]
        day = charge.item[1].split("#")[1]
        for number in range(feed.max_concurrency):
            writer = hashlib.sha256(f"metering writer {number}".encode()).hexdigest()[:16]
            item = keys.usage_day(project, day, writer)
            moved = replace(charge, partition=item["PK"], item=(item["PK"], item["SK"]))
            projected.append(Deployed(moved, per_batch / feed.max_concurrency))
    return projected
