"""Deliveries: each domain event goes to every enabled subscription of its project that wants its type.

Each (event, subscription) pair is one delivery with an id derived from both, so an event the queue hands
over twice is delivered once. A delivery is attempted at once; a failure (no 2xx answer within the timeout
of the request being sent: `kairos.outbound.sender`) is retried with exponential backoff through the
webhook queue (a retry message with a delay, re-queued in hops of at most 900 s, SQS's maximum), until
`give_up_after` seconds have passed since the delivery was created; the next failure then marks it `dead`.
The log item of a delivery keeps its status, attempts, last response code, duration and error; a
redelivery is a new delivery of the same body.

A batch of queue messages is dispatched at once: every attempt of every message runs in parallel, within
one time budget below the function's timeout, so slow receivers cannot time the batch out. An attempt
starts only when the budget still holds the longest it may take, so every receiver gets its whole timeout:
cutting one short would retry, and so deliver twice, an event whose receiver answers in time. Each message
has its own outcome: one whose deliveries could not all be attempted (an error, or no time left to start
one) goes back to the queue alone, and when it comes back the deliveries it already made are not repeated.

An attempt is made only in one of its subscription's lanes (`kairos.webhooks.lanes`): a delivery to a
subscription with every lane taken waits in the queue instead, so a slow receiver holds at most that many
threads, and deliveries to other subscriptions go on beside it. Kairos promises no order between
deliveries, not even to one subscription (see docs/webhooks.md).
"""

import json
import math
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from kairos.domain.shared.listing import FieldType, ListSpec, Page, select
from kairos.errors import NotFound
from kairos.events.definitions import BUDGET_RESERVE_SECONDS, CONSUMER_TIMEOUT_SECONDS, DOMAIN_SOURCE
from kairos.observability import Metric, count, logger
from kairos.outbound.sender import Outcome, longest_attempt, post
from kairos.outbound.ssrf import UnsafeUrl, checked_address, loopback_allowed
from kairos.parallel import parallel_map
from kairos.values.formats import format_timestamp, now_utc
from kairos.values.ids import is_uuid, new_id
from kairos.webhooks.lanes import EndpointLanes, LaneStore
from kairos.webhooks.signing import SIGNATURE_HEADER, signature_header
from kairos.webhooks.subscriptions import Subscription, Webhooks

PENDING, SUCCEEDED, DEAD = "pending", "succeeded", "dead"
RETRY_KIND = "webhook.retry"
MAX_QUEUE_DELAY = 900  # SQS DelaySeconds maximum
PARALLEL_ATTEMPTS = 10  # attempts in flight at once: a full SQS batch of single-subscription events
# The longest timeout that leaves the dispatcher's budget room for a whole attempt (22 s).
MAX_TIMEOUT_SECONDS = CONSUMER_TIMEOUT_SECONDS - BUDGET_RESERVE_SECONDS - longest_attempt(0)
DELIVERY_LIST_SPEC = ListSpec(
    bracket_fields={"created_at": FieldType.TIMESTAMP},
    sort_keys=("created_at",),
    plain_filters={"status": lambda item, value: item["status"] == value},
    default_sort=(("created_at", True), ("id", True)),
)
_DELIVERY_NAMESPACE = uuid.UUID("6f1d8c3e-5b0a-4c52-9a55-0c7b3f6e2d41")


@dataclass(frozen=True)
class Delivery:
    id: str
    project_id: str
    webhook_id: str
    event_id: str
    event_type: str
    body: str  # the envelope JSON, exactly the bytes signed and sent
    status: str
    attempts: int
    created_at: datetime
    response_code: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None


def render_delivery(delivery: Delivery) -> dict[str, Any]:
    def ts(value: datetime | None) -> str | None:
        return format_timestamp(value) if value else None

    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "duration_ms": delivery.duration_ms,
        "error": delivery.error,
        "created_at": format_timestamp(delivery.created_at),
        "last_attempt_at": ts(delivery.last_attempt_at),
        "next_attempt_at": ts(delivery.next_attempt_at),
    }


def delivery_id_for(event_id: str, webhook_id: str) -> str:
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"{event_id}/{webhook_id}"))


@dataclass(frozen=True)
class DeliveryPolicy:
    """The retry schedule: `backoff * 2^(n-1)` seconds after the n-th failure (at most `max_backoff`),
    dead after `give_up_after` seconds; each attempt waits `timeout` seconds for the answer, counted from
    the moment the request is sent (at most MAX_TIMEOUT_SECONDS)."""

    backoff_seconds: int = 30
    max_backoff_seconds: int = 3600
    give_up_after_seconds: int = 24 * 3600
    timeout_seconds: float = 10.0
    lanes: int = 4  # attempts in flight to one subscription at once (kairos.webhooks.lanes)

    def __post_init__(self) -> None:
        if self.lanes < 1:
            raise ValueError(
                "KAIROS_WEBHOOK_LANES (attempts in flight to one subscription) must be 1 or more"
            )
        if not 0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            raise ValueError(
                "KAIROS_WEBHOOK_TIMEOUT_SECONDS (the webhook timeout) must be more than 0 and at most "
                f"{MAX_TIMEOUT_SECONDS:g}: the dispatcher's {CONSUMER_TIMEOUT_SECONDS} s, less "
                f"{BUDGET_RESERVE_SECONDS:g} s kept back and {longest_attempt(0):g} s to send, "
                "must hold a whole attempt"
            )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "DeliveryPolicy":
        env = environ.get
        default = cls()
        return cls(
            backoff_seconds=int(env("KAIROS_WEBHOOK_BACKOFF_SECONDS", default.backoff_seconds)),
            max_backoff_seconds=int(env("KAIROS_WEBHOOK_MAX_BACKOFF_SECONDS", default.max_backoff_seconds)),
            give_up_after_seconds=int(
                env("KAIROS_WEBHOOK_GIVE_UP_AFTER_SECONDS", default.give_up_after_seconds)
            ),
            timeout_seconds=float(env("KAIROS_WEBHOOK_TIMEOUT_SECONDS", default.timeout_seconds)),
            lanes=int(env("KAIROS_WEBHOOK_LANES", default.lanes)),
        )

    def delay_after(self, failures: int) -> int:
        return int(min(self.backoff_seconds * 2 ** max(0, failures - 1), self.max_backoff_seconds))

    def wait_for_lane(self, waits: int) -> int:
        """Seconds a delivery that found every lane of its subscription taken waits before it tries again
        (its `waits`-th time): a random time up to 2, 4, 8... seconds, at most the longest an attempt may
        take (a lane is free by then), so the waiting deliveries of one subscription spread out."""
        longest = math.ceil(longest_attempt(self.timeout_seconds))
        return random.randint(1, max(1, min(2 ** (waits + 1), longest)))


class DeliveryRepository(Protocol):
    def create(self, delivery: Delivery) -> bool: ...

    def save(self, delivery: Delivery, expected_attempts: int) -> bool:
        """Records a new attempt (False if another was recorded since `expected_attempts`) and counts it
        in the project's usage of its day, together: an attempt counts once, with its record."""

    def get(self, project_id: str, webhook_id: str, delivery_id: str) -> Delivery | None: ...

    def list_for(self, project_id: str, webhook_id: str) -> list[Delivery]: ...


class RetryQueue(Protocol):
    def send(self, message: Mapping[str, Any], delay_seconds: int) -> None: ...


Sender = Callable[[str, str, int, Mapping[str, str], bytes, float], Outcome]
Attempt = Callable[[], object]  # one unit of a message's work: at most one POST
OUTCOME_METRICS = {
    SUCCEEDED: Metric.WEBHOOKS_DELIVERED,
    PENDING: Metric.WEBHOOKS_FAILED,
    DEAD: Metric.WEBHOOKS_DEAD,
}


class Dispatcher:
    """Handles the webhook queue's messages: domain events (fan out and attempt) and retry messages."""

    def __init__(
        self,
        webhooks: Webhooks,
        deliveries: DeliveryRepository,
        queue: RetryQueue,
        policy: DeliveryPolicy,
        lanes: LaneStore,
        send: Sender = post,
        clock: Callable[[], datetime] = now_utc,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._webhooks = webhooks
        self._deliveries = deliveries
        self._queue = queue
        self._policy = policy
        self._lanes = EndpointLanes(lanes, policy.lanes, policy.timeout_seconds, clock)
        self._send = send
        self._clock = clock
        self._monotonic = monotonic  # the budget's clock

    def dispatch(self, messages: Sequence[Mapping[str, Any]], budget_seconds: float) -> list[bool]:
        """Handles a batch of queue messages within `budget_seconds`: each message's attempts are planned,
        then all of them run in parallel. Returns, for each message, whether it is done (a failed delivery
        attempt is done: its retry is queued); one that is not must be received again."""
        deadline = self._monotonic() + budget_seconds
        planned: list[list[Attempt] | None] = []
        for message in messages:
            try:
                planned.append(self._plan(message))
            except Exception:
                logger.exception("webhook message not planned; it goes back to the queue")
                planned.append(None)
        work = [(n, attempt) for n, attempts in enumerate(planned) for attempt in attempts or []]
        finished = parallel_map(lambda item: self._run(item[1], deadline), work, PARALLEL_ATTEMPTS)
        failed = {n for (n, _), ok in zip(work, finished, strict=True) if not ok}
        return [attempts is not None and n not in failed for n, attempts in enumerate(planned)]

    def _plan(self, message: Mapping[str, Any]) -> list[Attempt]:
        """The work of one message: the attempt of a retry message, or one delivery per subscription of
        the event's project that wants its type."""
        if message.get("kind") == RETRY_KIND:
            return [partial(self.retry, message)]
        if message.get("source") != DOMAIN_SOURCE or not isinstance(message.get("detail"), dict):
            logger.warning("ignored a message of unknown shape on the webhook queue")
            return []
        envelope = message["detail"]
        project_id, event_id, event_type = envelope["project_id"], envelope["id"], envelope["type"]
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        now = self._clock()
        return [
            partial(
                self._deliver,
                Delivery(
                    id=delivery_id_for(event_id, subscription.id),
                    project_id=project_id,
                    webhook_id=subscription.id,
                    event_id=event_id,
                    event_type=event_type,
                    body=body,
                    status=PENDING,
                    attempts=0,
                    created_at=now,
                ),
                subscription,
            )
            for subscription in self._webhooks.subscriptions(project_id)
            if subscription.wants(event_type)
        ]

    def _run(self, attempt: Attempt, deadline: float) -> bool:
        """Runs one attempt if the budget left holds the longest it may take; False when it could not
        start in time or raised."""
        left = deadline - self._monotonic()
        if left < longest_attempt(self._policy.timeout_seconds):
            logger.warning(
                "no time left in the budget for a whole webhook attempt; its message goes back to the queue",
                extra={"seconds_left": round(max(left, 0), 1)},
            )
            return False
        try:
            attempt()
        except Exception:
            logger.exception("webhook attempt not made; its message goes back to the queue")
            return False
        return True

    def _deliver(self, delivery: Delivery, subscription: Subscription) -> None:
        """Records the delivery and attempts it, unless the event was handed over before and its delivery
        is done or already has its retry queued."""
        if not self._deliveries.create(delivery):
            existing = self._deliveries.get(delivery.project_id, subscription.id, delivery.id)
            if existing is None or not self._stalled(existing, self._clock()):
                return
            delivery = existing
        self._in_lane(delivery, subscription, waits=0)

    def _stalled(self, delivery: Delivery, now: datetime) -> bool:
        """A pending delivery whose next attempt is overdue: its retry message was lost (a crash between
        writing the log and queueing the retry), so the redelivered event picks it up."""
        if delivery.status != PENDING:
            return False
        due = delivery.next_attempt_at or delivery.created_at
        return now >= due + timedelta(seconds=self._policy.timeout_seconds * 2)

    def retry(self, message: Mapping[str, Any]) -> None:
        delivery = self._deliveries.get(message["project_id"], message["webhook_id"], message["delivery_id"])
        if delivery is None or delivery.status != PENDING or delivery.attempts != message["attempts"]:
            return  # a stale or duplicated retry message
        now = self._clock()
        if delivery.next_attempt_at is not None and now < delivery.next_attempt_at:
            remaining = (delivery.next_attempt_at - now).total_seconds()
            self._queue.send(message, min(MAX_QUEUE_DELAY, max(1, int(remaining + 0.999))))
            return
        try:
            subscription = self._webhooks.subscription(delivery.project_id, delivery.webhook_id)
        except NotFound:
            return  # the subscription was deleted, and its delivery log with it
        self._in_lane(delivery, subscription, int(message.get("waits", 0)))

    def _in_lane(self, delivery: Delivery, subscription: Subscription, waits: int) -> None:
        """Attempts the delivery in a lane of its subscription. With every lane taken (as many attempts to
        it in flight as allowed), the delivery waits in the queue instead, not counted as an attempt: a
        slow receiver holds no more of the dispatcher's threads, which go on with other deliveries."""
        with self._lanes.lane(delivery.project_id, delivery.webhook_id) as held:
            if held:
                self._attempt(delivery, subscription)
                return
        waiting = {**self._retry_message(delivery), "waits": waits + 1}
        self._queue.send(waiting, self._policy.wait_for_lane(waits))

    def _attempt(self, delivery: Delivery, subscription: Subscription) -> Delivery:
        """Sends once and records the outcome: succeeded, pending with a retry queued, or dead."""
        now = self._clock()
        body = delivery.body.encode()
        if not subscription.enabled:
            outcome = Outcome(None, 0, "the subscription is disabled")
        else:
            outcome = self._post(delivery, subscription, body, now)
        attempts = delivery.attempts + 1
        expired = now - delivery.created_at >= timedelta(seconds=self._policy.give_up_after_seconds)
        status = SUCCEEDED if outcome.succeeded else (DEAD if expired else PENDING)
        delay = self._policy.delay_after(attempts)
        updated = replace(
            delivery,
            status=status,
            attempts=attempts,
            response_code=outcome.response_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
            last_attempt_at=now,
            next_attempt_at=now + timedelta(seconds=delay) if status == PENDING else None,
        )
        if not self._deliveries.save(updated, delivery.attempts):
            return delivery  # another attempt of the same delivery recorded first; it owns the schedule
        count(OUTCOME_METRICS[status])
        if status == PENDING:
            self._queue.send(self._retry_message(updated), min(delay, MAX_QUEUE_DELAY))
        elif status == DEAD:
            logger.warning("webhook delivery dead", extra={"delivery_id": delivery.id, "attempts": attempts})
        return updated

    def _post(self, delivery: Delivery, subscription: Subscription, body: bytes, now: datetime) -> Outcome:
        try:
            address, port = checked_address(subscription.url, loopback_allowed())
        except UnsafeUrl as error:
            return Outcome(None, 0, f"refused: {error}")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Kairos-Webhooks/1",
            "X-Kairos-Event": delivery.event_type,
            "X-Kairos-Delivery": delivery.id,
            SIGNATURE_HEADER: signature_header(subscription.valid_secrets(now), int(now.timestamp()), body),
        }
        return self._send(subscription.url, address, port, headers, body, self._policy.timeout_seconds)

    @staticmethod
    def _retry_message(delivery: Delivery) -> dict[str, Any]:
        return {
            "kind": RETRY_KIND,
            "project_id": delivery.project_id,
            "webhook_id": delivery.webhook_id,
            "delivery_id": delivery.id,
            "attempts": delivery.attempts,
        }

    def deliveries(self, project_id: str, webhook_id: str, query: Mapping[str, str]) -> Page:
        """The subscription's delivery log, newest first (`status=dead` and the like filter it)."""
        self._webhooks.load(project_id, webhook_id)
        found = [render_delivery(d) for d in self._deliveries.list_for(project_id, webhook_id)]
        return select(found, query, DELIVERY_LIST_SPEC)

    def redeliver(self, project_id: str, webhook_id: str, delivery_id: str) -> dict[str, Any]:
        """A new delivery of the same event body to the same subscription, queued at once."""
        self._webhooks.load(project_id, webhook_id)
        original = self._deliveries.get(project_id, webhook_id, delivery_id) if is_uuid(delivery_id) else None
        if original is None:
            raise NotFound("delivery")
        fresh = replace(
            original,
            id=new_id(),
            status=PENDING,
            attempts=0,
            created_at=self._clock(),
            response_code=None,
            duration_ms=None,
            error=None,
            last_attempt_at=None,
            next_attempt_at=None,
        )
        self._deliveries.create(fresh)
        self._queue.send(self._retry_message(fresh), 0)
        return render_delivery(fresh)
