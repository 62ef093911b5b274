"""How the DynamoDB client meets overload and contention, in one place (docs/api.md, "Overload").

Two layers retry, neither past the invocation's deadline (`kairos.deadline`):

- botocore, in its standard mode with at most 3 attempts (`CLIENT_RETRIES`), retries throttling
  (ProvisionedThroughputExceededException, ThrottlingException, RequestLimitExceeded) after a wait drawn
  from 0-1 s, then 0-2 s, and transient errors (5xx, a dropped connection) after 0-25 ms, then 0-50 ms;
  its client's retry quota stops retrying while most calls fail, so a throttled table is not hammered;
- Kairos retries what botocore does not: a transaction cancelled by contention alone (TransactionConflict,
  or throttled items: no condition failed) and a write refused because its item is in another transaction
  (TransactionConflictException), the same request again, up to TRANSACTION_ATTEMPTS in all; and the
  unprocessed keys or items of a batch (`pause`, up to BATCH_ROUNDS rounds). Its waits are full jitter,
  drawn from 0 to 50 ms * 2^(n-1), at most 2 s, so colliding writers spread out.

A write that is not idempotent (the request counter's ADD) is sent `at_most_once()`: botocore retries it
only where DynamoDB surely did not apply it (throttling, a 4xx); after a 5xx or a lost connection the
write may have been applied, so it is not sent again (that could count one request twice): the caller
answers it as busy instead (`Retryable`).

A retry is made only when its longest wait ends before the deadline. What still fails is raised by the
client itself, in domain terms: `Overloaded` for throttling, `Retryable` for contention. The API and the
Portal answer both with 503 and `Retry-After` (`kairos.api.errors`); a queue consumer fails that message
alone. So no caller has to map throttling, and none answers it with a 500."""

import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from kairos import deadline
from kairos.errors import Overloaded, Retryable

if TYPE_CHECKING:
    from botocore.config import _RetryDict

CLIENT_RETRIES: "_RetryDict" = {"mode": "standard", "total_max_attempts": 3}
THROTTLING = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
CONFLICT = "TransactionConflictException"  # a write to an item another transaction holds
CANCELLED = "TransactionCanceledException"
# The cancellation reasons after which the very same transaction may be tried again ("None": that item
# was fine); any other (ConditionalCheckFailed, ValidationError) is an answer, not a collision.
THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})
CONTENTION_REASONS = THROTTLED_REASONS | {"TransactionConflict"}
TRANSACTION_ATTEMPTS = 5
BATCH_ROUNDS = 8
WAIT_BASE_SECONDS = 0.05
WAIT_CAP_SECONDS = 2.0
BUSY = "The table is busy; try again."
_at_most_once: ContextVar[bool] = ContextVar("kairos_at_most_once", default=False)


@contextmanager
def at_most_once() -> Iterator[None]:
    """The DynamoDB calls made inside are not sent again after a failure that may have applied them."""
    token = _at_most_once.set(True)
    try:
        yield
    finally:
        _at_most_once.reset(token)


def jittered_wait(attempt: int) -> float:
    """The wait after the `attempt`-th try (from 1): full jitter over a doubling ceiling."""
    return random.uniform(0, min(WAIT_CAP_SECONDS, WAIT_BASE_SECONDS * 2 ** (attempt - 1)))


def pause(attempt: int) -> None:
    """Waits before a batch's next round of unprocessed keys or items, after its `attempt`-th; raises
    Overloaded instead when the rounds are spent or the wait would end past the deadline."""
    wait = jittered_wait(attempt)
    if attempt >= BATCH_ROUNDS or not deadline.allows(wait):
        raise Overloaded(BUSY)
    time.sleep(wait)


def install(client: Any) -> None:
    """Puts the rules on a DynamoDB client (made with `CLIENT_RETRIES`)."""
    client.meta.events.register_first("needs-retry.dynamodb", _needs_retry)
    client.meta.events.register("after-call.dynamodb", _raise_overload)


def cancellation_reasons(parsed: Mapping[str, Any]) -> list[str]:
    """A cancelled transaction's reason per item, in order ("None" for an item that was fine)."""
    return [str(r.get("Code") or "None") for r in parsed.get("CancellationReasons") or []]


def _contention(parsed: Mapping[str, Any]) -> bool:
    """A refusal that the same request may meet no more when tried again a moment later, and that
    botocore does not retry."""
    code = (parsed.get("Error") or {}).get("Code")
    if code == CONFLICT:
        return True
    reasons = set(cancellation_reasons(parsed)) - {"None"}
    return code == CANCELLED and bool(reasons) and reasons <= CONTENTION_REASONS


def _needs_retry(
    response: tuple[Any, Mapping[str, Any]] | None, attempts: int, **_: Any
) -> float | bool | None:
    """botocore's `needs-retry` event, asked before its own handler: a wait (retry), False (do not), or
    None (botocore decides)."""
    parsed = response[1] if response is not None else {}
    if _at_most_once.get() and (response is None or response[0].status_code >= 500):
        return False  # a lost connection or a server error: the write may have been applied
    if _contention(parsed):
        wait = jittered_wait(attempts)
        return wait if attempts < TRANSACTION_ATTEMPTS and deadline.allows(wait) else False
    longest_botocore_wait = 2.0 ** (attempts - 1)  # its throttling backoff: rand(0, 1) * 2^(n-1) s
    return None if deadline.allows(longest_botocore_wait) else False


def _raise_overload(parsed: Mapping[str, Any], **_: Any) -> None:
    """botocore's `after-call` event, once retries are over: throttling and contention as domain errors."""
    code = (parsed.get("Error") or {}).get("Code")
    if code in THROTTLING or (
        code == CANCELLED and _contention(parsed) and THROTTLED_REASONS & set(cancellation_reasons(parsed))
    ):
        raise Overloaded(BUSY)
    if _contention(parsed):
        raise Retryable("A concurrent transaction touched the same items; try again.")
