"""The DynamoDB adapter: the only code that talks to the table. It implements the repository interfaces of
`kairos.domain.shared.ports` on the single table (keys from `kairos.storage.keys`), and `translate` turns
`ClientError`s into domain errors in one place.

Entities are stored as a JSON document (`data`) beside their key and bookkeeping attributes: metadata is
arbitrary JSON (floats, empty objects, nesting), which a JSON string round-trips exactly.
"""

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from kairos import aws_clients
from kairos.config import Settings
from kairos.domain.shared.records import Record
from kairos.errors import Conflict, DomainError
from kairos.parallel import Waves
from kairos.storage import dynamodb_requests, dynamodb_responses, retries

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
else:
    DynamoDBClient = Any

__all__ = ["DynamoDBClient", "RoundTrips", "Table"]

BATCH_WRITE_LIMIT = 25
_COUNT_LOCK = threading.Lock()
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class RoundTrips:
    """Counts DynamoDB HTTP round trips per request (a Lambda invocation, or one local-server request),
    and the sequential waves they make (`kairos.parallel.Waves`). The counts live in context
    variables, so reads a request runs on worker threads (started with a copy of its context, see
    `kairos.parallel`) add to that request's count."""

    _count: ContextVar[list[int] | None] = ContextVar("kairos_round_trips", default=None)

    @classmethod
    def reset(cls) -> None:
        cls._count.set([0])
        Waves.reset()

    @classmethod
    def waves(cls) -> int:
        return Waves.count()

    @classmethod
    def count(cls) -> int:
        counter = cls._count.get()
        return counter[0] if counter else 0

    @classmethod
    def _on_send(cls, **_: Any) -> None:
        counter = cls._count.get()
        if counter is not None:
            with _COUNT_LOCK:
                counter[0] += 1
            Waves.step()


def make_client(settings: Settings) -> DynamoDBClient:
    """The table's client. Without botocore's client-side validation of the parameters: DynamoDB validates
    every request itself (a malformed one is refused with a ValidationException), and walking each
    attribute of a transaction's items against the model was a third of a booking series' CPU. Its requests
    are serialized as JSON directly (`dynamodb_requests`), and its answers read so (`dynamodb_responses`)."""
    client: DynamoDBClient = aws_clients.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint,
        config=Config(
            retries=retries.CLIENT_RETRIES.copy(), max_pool_connections=64, parameter_validation=False
        ),
    )
    dynamodb_requests.install(client)
    dynamodb_responses.install(client)
    client.meta.events.register("before-send.dynamodb", RoundTrips._on_send)
    retries.install(client)
    return client


def translate(error: ClientError, entity: str = "item") -> DomainError:
    """The one mapping from DynamoDB's refusals of a condition to domain errors. Throttling and contention
    never get here: the client raises them as domain errors itself, once retried (`storage.retries`)."""
    code = error.response.get("Error", {}).get("Code", "")
    if code in ("ConditionalCheckFailedException", "TransactionCanceledException"):
        return Conflict(f"The {entity} changed while it was being written.")
    raise error


def cancellation_reasons(error: ClientError) -> list[str]:
    return retries.cancellation_reasons(error.response)


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` in DynamoDB's typed form, the None left out. A string (most of a write's attributes: keys,
    times, documents) is typed here, without a call for each; any other value by `to_attribute`."""
    item: dict[str, Any] = {}
    for name, value in values.items():
        if type(value) is str:
            item[name] = {"S": value}
        elif value is not None:
            item[name] = to_attribute(value)
    return item


def to_attribute(value: Any) -> dict[str, Any]:
    """A value in DynamoDB's typed form. Strings, booleans and whole numbers (nearly every attribute a
    write sends: a 52-week series sends some 5,000) are written directly; the rest as boto3 does."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int:
        return {"N": str(value)}
    return cast(dict[str, Any], _serializer.serialize(value))


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A typed item as boto3 reads it. A string (most of what a read returns: keys, times, documents) is
    read here, without a call for each; any other value by `from_attribute`."""
    found: dict[str, Any] = {}
    for name, value in item.items():
        text = value.get("S")
        found[name] = text if text is not None and len(value) == 1 else from_attribute(value)
    return found


def from_attribute(value: Mapping[str, Any]) -> Any:
    """A typed value as boto3 reads it. Strings, numbers and booleans (nearly every attribute a read
    returns: a series reads some 5,000) are read directly, numbers as boto3's Decimals; the rest as
    boto3 does."""
    if len(value) == 1:
        if "S" in value:
            return value["S"]
        if "N" in value:
            return DYNAMODB_CONTEXT.create_decimal(value["N"])
        if "BOOL" in value:
            return value["BOOL"]
    return _deserializer.deserialize(cast(Any, value))


def stored_time(value: datetime) -> str:
    """A bookkeeping time (created_at, updated_at) as stored: ISO 8601 with its offset."""
    return value.isoformat()


def read_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# What `json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)` makes for each call, made
# once: the same text, without building an encoder for each of a series' hundred documents.
_DOCUMENTS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dump_document(doc: Mapping[str, Any]) -> str:
    """An entity's document as stored: compact strict JSON (a non-finite number is a bug, never kept)."""
    return _DOCUMENTS.encode(doc)


def load_document(text: str) -> dict[str, Any]:
    """A stored document. `NaN` and `Infinity` were accepted in metadata before the API refused them;
    they are read as null, so such an entity renders as strict JSON instead of breaking every list."""
    doc: dict[str, Any] = json.loads(text, parse_constant=lambda _: None)
    return doc


def record_attributes(project_id: str, record: Record) -> dict[str, Any]:
    """The attributes every stored entity has besides its key: the document and the bookkeeping."""
    return {
        "entity": record.kind,
        "project_id": project_id,
        "id": record.id,
        "data": dump_document(record.doc),
        "created_at": stored_time(record.created_at),
        "updated_at": stored_time(record.updated_at),
        "version": record.version,
    }


def record_from(item: Mapping[str, Any]) -> Record:
    return Record(
        kind=item["entity"],
        id=item["id"],
        doc=load_document(item["data"]),
        created_at=read_time(item["created_at"]),
        updated_at=read_time(item["updated_at"]),
        version=int(item["version"]),
    )


class Table:
    """Thin helpers over the client that every store shares: paginated queries and batched deletes.

    The client is made by the first call that uses it (`connect`), not with the table: making one loads
    botocore's DynamoDB model and endpoint rules (about half a bare `import boto3`), which a function's
    cold start need not wait for before its handler runs."""

    def __init__(self, connect: Callable[[], DynamoDBClient], name: str) -> None:
        self._connect = connect
        self.name = name

    @cached_property
    def client(self) -> DynamoDBClient:
        return self._connect()

    def query(self, partition: str, prefix: str = "", index: str | None = None) -> Iterator[dict[str, Any]]:
        pk, sk = ("GSI1PK", "GSI1SK") if index else ("PK", "SK")
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": f"{pk} = :pk" + (f" AND begins_with({sk}, :prefix)" if prefix else ""),
            "ExpressionAttributeValues": to_item(
                {":pk": partition, **({":prefix": prefix} if prefix else {})}
            ),
        }
        if index:
            request["IndexName"] = index
        yield from self.paginate_query(request)

    def paginate_query(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every page of a Query (one round trip per 1 MB page)."""
        request = dict(request)
        while True:
            page = self.client.query(**request)
            yield from (from_item(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def batch_get(self, item_keys: list[dict[str, str]], consistent: bool = True) -> list[dict[str, Any]]:
        """Up to 100 items by key in one round trip. Keys DynamoDB leaves unprocessed (throttled) are asked
        again after a jittered, growing wait, within the deadline (`retries.pause`)."""
        found: list[dict[str, Any]] = []
        pending: list[Any] = [to_item(k) for k in {tuple(sorted(k.items())): k for k in item_keys}.values()]
        rounds = 0
        while pending:
            if rounds:
                retries.pause(rounds)
            result = self.client.batch_get_item(
                RequestItems={self.name: {"Keys": pending[:100], "ConsistentRead": consistent}}
            )
            found += [from_item(i) for i in result.get("Responses", {}).get(self.name, [])]
            left_over: Any = result.get("UnprocessedKeys", {})
            unprocessed = list(left_over.get(self.name, {}).get("Keys", []))
            pending = pending[100:] + unprocessed
            rounds = rounds + 1 if unprocessed else 0
        return found

    def get(self, key: Mapping[str, str], consistent: bool = True) -> dict[str, Any] | None:
        found = self.client.get_item(TableName=self.name, Key=to_item(key), ConsistentRead=consistent)
        return from_item(found["Item"]) if "Item" in found else None

    def delete_keys(self, item_keys: list[dict[str, str]]) -> None:
        for start in range(0, len(item_keys), BATCH_WRITE_LIMIT):
            requests: list[Any] = [
                {"DeleteRequest": {"Key": to_item(k)}} for k in item_keys[start : start + BATCH_WRITE_LIMIT]
            ]
            self._batch_write(requests)

    def put_items(self, items: list[dict[str, Any]]) -> None:
        """Raw typed items (already DynamoDB JSON), as the local snapshot stores them."""
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            self._batch_write([{"PutRequest": {"Item": i}} for i in items[start : start + BATCH_WRITE_LIMIT]])

    def _batch_write(self, requests: list[Any]) -> None:
        """Up to 25 writes; those DynamoDB leaves unprocessed are sent again as `batch_get` does."""
        rounds = 0
        while requests:
            if rounds:
                retries.pause(rounds)
            result = self.client.batch_write_item(RequestItems={self.name: requests})
            requests = list(result.get("UnprocessedItems", {}).get(self.name, []))
            rounds += 1
