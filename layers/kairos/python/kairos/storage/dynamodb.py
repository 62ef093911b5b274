"""The DynamoDB adapter: the only code that talks to the table. It implements the repository interfaces of
`kairos.domain.ports` on the single table (keys from `kairos.storage.keys`), and `translate` turns
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
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from kairos import aws_clients
from kairos.config import Settings
from kairos.domain.errors import Conflict, DomainError, NotFound
from kairos.domain.parallel import Waves
from kairos.domain.records import Association, Record
from kairos.storage import keys, retries

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
else:
    DynamoDBClient = Any

__all__ = ["CatalogueStore", "DynamoDBClient", "RoundTrips", "Table"]

BATCH_WRITE_LIMIT = 25
_COUNT_LOCK = threading.Lock()
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class RoundTrips:
    """Counts DynamoDB HTTP round trips per request (a Lambda invocation, or one local-server request),
    and the sequential waves they make (`kairos.domain.parallel.Waves`). The counts live in context
    variables, so reads a request runs on worker threads (started with a copy of its context, see
    `kairos.domain.parallel`) add to that request's count."""

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
    client: DynamoDBClient = aws_clients.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint,
        config=Config(retries=retries.CLIENT_RETRIES.copy(), max_pool_connections=64),
    )
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
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def stored_time(value: datetime) -> str:
    """A bookkeeping time (created_at, updated_at) as stored: ISO 8601 with its offset."""
    return value.isoformat()


def read_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def dump_document(doc: Mapping[str, Any]) -> str:
    """An entity's document as stored: compact strict JSON (a non-finite number is a bug, never kept)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


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


class CatalogueStore:
    """Locations, resources and services under `PROJECT#<p>`, and the two mirrors of each association."""

    def __init__(self, table: Table) -> None:
        self._t = table

    def get(self, project_id: str, kind: str, entity_id: str) -> Record | None:
        item = self._t.get(keys.entity(project_id, kind, entity_id))
        return record_from(item) if item else None

    def get_many(
        self, project_id: str, wanted: list[tuple[str, str]], consistent: bool = True
    ) -> dict[tuple[str, str], Record]:
        """Entities by (kind, id), in one round trip for up to 100."""
        found = self._t.batch_get([keys.entity(project_id, k, i) for k, i in wanted], consistent)
        records = [record_from(item) for item in found]
        return {(r.kind, r.id): r for r in records}

    def list_all(self, project_id: str, kind: str) -> list[Record]:
        partition = keys.entity_partition(project_id)
        return [record_from(i) for i in self._t.query(partition, keys.entity_prefix(kind))]

    def create(self, project_id: str, record: Record) -> None:
        try:
            self._t.client.put_item(
                TableName=self._t.name,
                Item=to_item(
                    {
                        **keys.entity(project_id, record.kind, record.id),
                        **record_attributes(project_id, record),
                    }
                ),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            raise translate(error, record.kind) from None

    def replace(self, project_id: str, record: Record, expected_version: int) -> None:
        try:
            self._t.client.put_item(
                TableName=self._t.name,
                Item=to_item(
                    {
                        **keys.entity(project_id, record.kind, record.id),
                        **record_attributes(project_id, record),
                    }
                ),
                ConditionExpression="attribute_exists(PK) AND version = :expected",
                ExpressionAttributeValues={":expected": {"N": str(expected_version)}},
            )
        except ClientError as error:
            if self.get(project_id, record.kind, record.id) is None:
                raise NotFound(record.kind) from None
            raise translate(error, record.kind) from None

    def delete(self, project_id: str, kind: str, entity_id: str) -> bool:
        """What the entity owns first (associations, and a resource's schedules and timeline), then the
        entity; a second sweep catches anything added in between."""
        self._delete_owned(project_id, kind, entity_id)
        try:
            self._t.client.delete_item(
                TableName=self._t.name,
                Key=to_item(keys.entity(project_id, kind, entity_id)),
                ConditionExpression="attribute_exists(PK)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise translate(error, kind) from None
        self._delete_owned(project_id, kind, entity_id)
        return True

    def _delete_owned(self, project_id: str, kind: str, entity_id: str) -> None:
        owned = list(self._t.query(keys.owned_partition(project_id, kind, entity_id)))
        doomed = [{"PK": i["PK"], "SK": i["SK"]} for i in owned]
        for item in owned:
            if item.get("entity") == "association":  # and its mirror, on the other side
                other = "service" if kind == "resource" else "resource"
                doomed.append(keys.association(project_id, other, item[f"{other}_id"], kind, entity_id))
        self._t.delete_keys(doomed)

    def associate(
        self, project_id: str, service_id: str, resource_id: str, at: datetime
    ) -> tuple[Association, bool]:
        """One transaction: both entities must exist, and both mirrors are written if new."""
        association = Association(service_id, resource_id, at)
        service_key = keys.entity(project_id, "service", service_id)
        resource_key = keys.entity(project_id, "resource", resource_id)
        attributes = {
            "entity": "association",
            "project_id": project_id,
            "service_id": service_id,
            "resource_id": resource_id,
            "created_at": stored_time(at),
        }
        mirrors = [
            keys.association(project_id, "service", service_id, "resource", resource_id),
            keys.association(project_id, "resource", resource_id, "service", service_id),
        ]
        exists = "attribute_exists(PK)"
        items: list[Any] = [
            {
                "ConditionCheck": {
                    "TableName": self._t.name,
                    "Key": to_item(service_key),
                    "ConditionExpression": exists,
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self._t.name,
                    "Key": to_item(resource_key),
                    "ConditionExpression": exists,
                }
            },
            *(
                {
                    "Put": {
                        "TableName": self._t.name,
                        "Item": to_item({**key, **attributes}),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
                for key in mirrors
            ),
        ]
        try:
            self._t.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            reasons = cancellation_reasons(error)
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise NotFound("service") from None
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                raise NotFound("resource") from None
            if "ConditionalCheckFailed" in reasons[2:]:
                existing = self.get_association(project_id, service_id, resource_id)
                if existing is not None:
                    return existing, False
            raise translate(error, "association") from None
        return association, True

    def get_association(self, project_id: str, service_id: str, resource_id: str) -> Association | None:
        item = self._t.get(keys.association(project_id, "service", service_id, "resource", resource_id))
        return self._association(item) if item else None

    def list_associations(self, project_id: str, owner_kind: str, owner_id: str) -> list[Association]:
        other = "resource" if owner_kind == "service" else "service"
        partition = keys.owned_partition(project_id, owner_kind, owner_id)
        return [self._association(i) for i in self._t.query(partition, keys.entity_prefix(other))]

    def dissociate(self, project_id: str, service_id: str, resource_id: str) -> bool:
        mirrors = [
            keys.association(project_id, "service", service_id, "resource", resource_id),
            keys.association(project_id, "resource", resource_id, "service", service_id),
        ]
        try:
            self._t.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._t.name,
                            "Key": to_item(key),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    }
                    for key in mirrors
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_reasons(error):
                return False
            raise translate(error, "association") from None
        return True

    @staticmethod
    def _association(item: Mapping[str, Any]) -> Association:
        return Association(item["service_id"], item["resource_id"], read_time(item["created_at"]))
