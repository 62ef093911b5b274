"""The SQS adapter of the hold timers (`kairos.domain.bookings.hold_timers`): a timer is a message on the
hold timer
queue, delayed until its hold expires. SQS delays a message 15 minutes at most, so a longer wait is made of
several: the sweeper sends a timer that is not yet due again (`HoldSweeper.fire`). A standard queue, not a
FIFO one: FIFO queues refuse a delay per message; a repeated timer is harmless (it finds nothing expired).
The queue URL comes from KAIROS_HOLD_TIMER_QUEUE_URL (the stack sets it); locally it is looked up by name."""

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kairos.domain.bookings.hold_timers import HoldTimer
from kairos.events.definitions import HOLD_TIMERS
from kairos.messaging.sqs_queue import SqsQueue

QUEUE_URL_ENV = "KAIROS_HOLD_TIMER_QUEUE_URL"
LONGEST_DELAY_SECONDS = 900  # SQS's most
BATCH = 10  # SendMessageBatch's most


class TimerNotStarted(RuntimeError):
    """SQS refused a timer: the stream batch (or the timer that fired) is retried, so none is lost."""


def delay_seconds(timer: HoldTimer, now: datetime) -> int:
    """Until the expiry, rounded up (the message is never early), within what SQS allows."""
    return max(0, min(LONGEST_DELAY_SECONDS, math.ceil((timer.expires_at - now).total_seconds())))


def timer_body(timer: HoldTimer) -> str:
    return json.dumps(
        {
            "project_id": timer.project_id,
            "resource_id": timer.resource_id,
            "booking_id": timer.booking_id,
            "expires_at": timer.expires_at.isoformat(),
            "series_id": timer.series_id,
        }
    )


def timer_from(fields: Mapping[str, Any]) -> HoldTimer:
    """A timer from its message body, parsed."""
    return HoldTimer(
        project_id=str(fields["project_id"]),
        resource_id=str(fields["resource_id"]),
        booking_id=str(fields["booking_id"]),
        expires_at=datetime.fromisoformat(str(fields["expires_at"])),
        series_id=str(fields["series_id"]) if fields.get("series_id") else None,  # absent: an older timer
    )


class SqsHoldTimers:
    def __init__(self, region: str) -> None:
        # made by the first timer: a stream batch without holds makes no client
        self._queue = SqsQueue(region, HOLD_TIMERS.queue, QUEUE_URL_ENV)

    def start(self, timers: Sequence[HoldTimer], now: datetime) -> None:
        if not timers:
            return
        client, url = self._queue.connect()
        for first in range(0, len(timers), BATCH):
            entries = [
                {"Id": str(n), "MessageBody": timer_body(t), "DelaySeconds": delay_seconds(t, now)}
                for n, t in enumerate(timers[first : first + BATCH])
            ]
            failed = client.send_message_batch(QueueUrl=url, Entries=entries).get("Failed", [])
            if failed:
                raise TimerNotStarted(f"SQS refused {len(failed)} of {len(entries)} hold timers: {failed}")
