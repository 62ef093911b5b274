"""The fault mode: DynamoDB answering as it does under overload, for tests and benches (docs/local.md,
"Fault mode"). Off unless asked for: `KAIROS_LOCAL_FAULTS` (a JSON list of faults) when `kairos-local`
starts, or `attach(client.meta.events, faults)` in a test.

It sits where the network is: a `before-send` hook on the DynamoDB clients answers a request in place of
the store, with DynamoDB's own status, error body and cancellation reasons, so botocore's retries and
Kairos' (`kairos.storage.retries`) meet exactly what they meet on AWS. Each fault names

- `partition`: the partition key values it hits, as a pattern (`USAGE#*`, `PROJECT#*#RESOURCE#*`, `*`);
- `on`: `read` (GetItem, BatchGetItem, Query, Scan, TransactGetItems) or `write` (PutItem, UpdateItem,
  DeleteItem, BatchWriteItem, TransactWriteItems);
- `error`: ProvisionedThroughputExceededException, ThrottlingException, RequestLimitExceeded, or
  TransactionConflict (which hits transactions only);
- `every`: it fails one in so many of the requests it could hit (the 1st, then the every+1-th, ...;
  default 1: each one), and `times`: that many in all (default: no end).

A request fails as DynamoDB fails it: a single-item request or a Query with the error (HTTP 400); a batch
with the items of hit partitions unprocessed (`UnprocessedKeys`, `UnprocessedItems`) and the others
served, or the error when all are hit; a transaction cancelled (TransactionCanceledException) with a reason
per item (TransactionConflict, ProvisionedThroughputExceeded, or ThrottlingError for ThrottlingException;
None for the items not hit), or refused whole for RequestLimitExceeded, an account's limit. A Scan has no
partition: only `*` hits it.
"""

import fnmatch
import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from kairos import aws_clients

log = logging.getLogger("kairos_local.faults")
ENVIRONMENT = "KAIROS_LOCAL_FAULTS"
Error = Literal[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflict",
]
READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
MESSAGES = {
    "ProvisionedThroughputExceededException": "The level of configured provisioned throughput for the table "
    "was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    "ThrottlingException": "Throughput exceeds the current capacity of your table or index. DynamoDB is "
    "automatically scaling your table or index so please try again shortly.",
    "RequestLimitExceeded": "Throughput exceeds the current throughput limit for your account.",
    "TransactionConflict": "Transaction is ongoing for the item",
}
REASONS = {  # a hit item's cancellation reason in a transaction
    "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
    "ThrottlingException": "ThrottlingError",
    "TransactionConflict": "TransactionConflict",
}
NOWHERE = "http://faults.kairos.invalid/"
_UNPROCESSED = "kairos_fault_unprocessed"  # in the request's context, until the answer comes back
_KEY_CONDITION = re.compile(r"([#\w]+)\s*=\s*(:\w+)")


class Fault(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    partition: str = "*"
    on: Literal["read", "write"]
    error: Error
    times: int | None = Field(default=None, ge=1)
    every: int = Field(default=1, ge=1)


FAULTS = TypeAdapter(list[Fault])


@dataclass(frozen=True)
class Hit:
    """One request a fault failed (or one batch it left partly unprocessed): what tests assert on."""

    operation: str
    error: str
    partitions: tuple[str, ...]


@dataclass
class Faults:
    faults: list[Fault]
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._seen = [0] * len(self.faults)  # requests each fault could hit
        self._failed = [0] * len(self.faults)  # and failed
        self._lock = threading.Lock()

    def before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        """botocore's `before-send` event: a faulty answer, or None to let the request through (a batch's
        hit items taken out of it first)."""
        (getattr(request, "context", None) or {}).pop(
            _UNPROCESSED, None
        )  # an earlier attempt's: not this one's
        target = request.headers.get("X-Amz-Target") or ""
        operation = (target.decode() if isinstance(target, bytes) else str(target)).rsplit(".", 1)[-1]
        if operation not in READS | WRITES:
            return None
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "{}")
        params: dict[str, Any] = json.loads(body)
        items = list(_items(operation, params))
        errors = self._decide(operation, [partition for _, _, partition in items])
        if not any(errors):
            return None
        hit = tuple(partition for (_, _, partition), error in zip(items, errors, strict=True) if error)
        first = next(e for e in errors if e)
        self._record(Hit(operation, first, hit))
        if operation.startswith("Transact"):
            if "RequestLimitExceeded" in errors:
                return _error_response(request, "RequestLimitExceeded", MESSAGES["RequestLimitExceeded"])
            return _cancelled(request, [REASONS[e] if e else "None" for e in errors])
        if operation.startswith("Batch") and not all(errors):
            _serve_the_rest(request, params, items, errors)
            return None
        return _error_response(request, first, MESSAGES[first])

    def after_call(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """botocore's `after-call` event: a batch's hit items are in its answer, unprocessed."""
        unprocessed = context.pop(_UNPROCESSED, None)
        if unprocessed is None or "Error" in parsed:
            return
        name, kept = unprocessed
        answer = parsed.setdefault(name, {})
        for table, value in kept.items():
            if isinstance(value, list):
                answer[table] = [*answer.get(table, []), *value]
            else:
                answer.setdefault(table, {**value, "Keys": []})["Keys"] += value["Keys"]

    def _decide(self, operation: str, partitions: list[str]) -> list[str | None]:
        """For each item of the request, the error of the first fault that hits it (each fault counted
        once per request)."""
        kind = "read" if operation in READS else "write"
        errors: list[str | None] = [None] * len(partitions)
        with self._lock:
            for n, fault in enumerate(self.faults):
                conflict_elsewhere = fault.error == "TransactionConflict" and not operation.startswith(
                    "Transact"
                )
                if fault.on != kind or conflict_elsewhere:
                    continue
                matching = [i for i, p in enumerate(partitions) if errors[i] is None and _matches(fault, p)]
                if not matching:
                    continue
                self._seen[n] += 1
                if (self._seen[n] - 1) % fault.every or self._failed[n] == fault.times:
                    continue
                self._failed[n] += 1
                for i in matching:
                    errors[i] = fault.error
        return errors

    def _record(self, hit: Hit) -> None:
        """Keeps the hit, and says it (a warning: the local server prints it)."""
        with self._lock:
            self.hits.append(hit)
        log.warning("fault: %s %s on %s", hit.operation, hit.error, ", ".join(hit.partitions) or "the table")


def _matches(fault: Fault, partition: str) -> bool:
    return fnmatch.fnmatchcase(partition, fault.partition)


def _partition(key: Mapping[str, Any]) -> str:
    return str(next(iter(key["PK"].values()))) if "PK" in key else ""


def _items(operation: str, params: Mapping[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """Each item a request touches: (its table or, for a transaction, its operation; the item's request;
    its partition key value)."""
    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        yield params["TableName"], params["Key"], _partition(params["Key"])
    elif operation == "PutItem":
        yield params["TableName"], params["Item"], _partition(params["Item"])
    elif operation == "Query":
        yield params["TableName"], params, _queried_partition(params)
    elif operation == "Scan":
        yield params["TableName"], params, ""
    elif operation == "BatchGetItem":
        for table, wanted in params["RequestItems"].items():
            for key in wanted["Keys"]:
                yield table, key, _partition(key)
    elif operation == "BatchWriteItem":
        for table, writes in params["RequestItems"].items():
            for write in writes:
                ((_, request),) = write.items()
                yield table, write, _partition(request.get("Item") or request["Key"])
    else:  # TransactWriteItems, TransactGetItems
        for entry in params["TransactItems"]:
            ((kind, request),) = entry.items()
            yield kind, entry, _partition(request.get("Item") or request["Key"])


def _queried_partition(params: Mapping[str, Any]) -> str:
    names = params.get("ExpressionAttributeNames") or {}
    for name, placeholder in _KEY_CONDITION.findall(params.get("KeyConditionExpression", "")):
        if names.get(name, name).endswith("PK"):
            return str(next(iter(params["ExpressionAttributeValues"][placeholder].values())))
    return ""


def _serve_the_rest(
    request: AWSPreparedRequest,
    params: dict[str, Any],
    items: list[tuple[str, Any, str]],
    errors: list[str | None],
) -> None:
    """Takes a batch's hit items out of the request (the store serves the others) and keeps them, for
    `after_call` to put in the answer as unprocessed."""
    batch_get = "Keys" in next(iter(params["RequestItems"].values()), {})
    kept: dict[str, Any] = {}
    served: dict[str, Any] = {}
    for (table, entry, _), error in zip(items, errors, strict=True):
        if batch_get:
            wanted = params["RequestItems"][table]
            target = kept if error else served
            target.setdefault(table, {**wanted, "Keys": []})["Keys"].append(entry)
        else:
            (kept if error else served).setdefault(table, []).append(entry)
    body = json.dumps({**params, "RequestItems": served}).encode()
    request.body = body
    request.headers["Content-Length"] = str(len(body))
    context: dict[str, Any] = getattr(request, "context")  # noqa: B009 (botocore's stubs leave it out)
    context[_UNPROCESSED] = ("UnprocessedKeys" if batch_get else "UnprocessedItems", kept)


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


def _answer(request: AWSPreparedRequest, content: Mapping[str, Any]) -> AWSResponse:
    """DynamoDB's 400 with `content`. botocore hands the request to every `before-send` hook whatever the
    first answers, and moto's in-process mock is one: the request is pointed nowhere, so that it lets the
    request be instead of carrying it out."""
    answered_at = request.url
    request.url = NOWHERE
    body = json.dumps(content).encode()
    headers: Any = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "kairos-fault"}
    return AWSResponse(answered_at, 400, headers, _Body(body))


def _error_response(request: AWSPreparedRequest, code: str, message: str) -> AWSResponse:
    namespace = (
        "com.amazon.coral.availability"
        if code == "ThrottlingException"
        else "com.amazonaws.dynamodb.v20120810"
    )
    return _answer(request, {"__type": f"{namespace}#{code}", "message": message})


def _cancelled(request: AWSPreparedRequest, reasons: list[str]) -> AWSResponse:
    messages = {reason: MESSAGES[code] for code, reason in REASONS.items()}
    return _answer(
        request,
        {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": f"Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{', '.join(reasons)}]",
            "CancellationReasons": [
                {"Code": r, **({"Message": messages[r]} if r in messages else {})} for r in reasons
            ],
        },
    )


def attach(events: Any, faults: Faults) -> Faults:
    """Puts the fault mode on an event emitter: a DynamoDB client's (`client.meta.events`), or a session's,
    for every client made from it afterwards. After the client's own `before-send` hooks (the round-trip
    count), before moto's in-process mock (a more general event name)."""
    events.register_last("before-send.dynamodb", faults.before_send)
    events.register("after-call.dynamodb", faults.after_call)
    return faults


def detach(events: Any, faults: Faults) -> None:
    """Takes the fault mode off an emitter `attach` put it on (a test's session-wide faults)."""
    events.unregister("before-send.dynamodb", faults.before_send)
    events.unregister("after-call.dynamodb", faults.after_call)


def from_environment(environ: Mapping[str, str] = os.environ) -> Faults | None:
    """The faults `KAIROS_LOCAL_FAULTS` asks for, put on every DynamoDB client the process makes from now
    on (`kairos.aws_clients`); None when it is unset. A malformed value stops the server at start."""
    raw = environ.get(ENVIRONMENT, "").strip()
    if not raw:
        return None
    return attach(aws_clients.session_events(), Faults(FAULTS.validate_json(raw)))
