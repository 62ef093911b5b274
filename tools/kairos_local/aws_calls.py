"""Every AWS call a process makes, recorded as botocore is asked to make it, and what a DynamoDB call
touches, item by item. One source for both readers of a recording: the least-privilege test
(tests/infra/role_access.py: what IAM authorizes) and the key-heat model (bench/heat.py: the load on each
partition and item).

Standard library and botocore only when loaded: the deployed-layout test loads this file by its path into
a function's clean interpreter (tests/infra/lambda_bootstrap.py), where nothing of the development
environment is importable; the table's key names are read from `kairos.storage.table_definition` (the
layer's) only when a recording is read."""

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLE = "table"
TRANSACTION_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
WRITE_ACTIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"})
TABLE_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
EQUALS = re.compile(r"([#\w]+)\s*=\s*(:\w+)")
# What the running invocation is (its function and request), for a recorder that tags each call with it;
# set by whoever invokes a handler (tools/kairos_local/lambda_runtime.py). Worker threads a request starts
# copy its context (kairos.parallel), so their calls carry its tag too.
INVOCATION: ContextVar[Mapping[str, str] | None] = ContextVar("kairos_invocation", default=None)


def record_calls(calls_file: str | Path, *, responses: bool = False, only: str | None = None) -> None:
    """Wraps botocore's one entry of every client call: each call is appended to `calls_file` as a JSON
        line: the service's IAM prefix (`service`), botocore's name of it (`client`), the operation, its
        parameters, the running invocation (`invocation`, when one is set) and, with `responses`, what
        DynamoDB answered (item sizes and read results are what the heat model counts). `only`: the calls of
    that client alone (botocore's service name: `dynamodb` leaves out its streams, queues and buses)."""
    from botocore.client import BaseClient

    make_call = BaseClient._make_api_call  # type: ignore[attr-defined]
    lock = threading.Lock()

    def write(call: Mapping[str, Any]) -> None:
        with lock, open(calls_file, "a") as calls:
            calls.write(json.dumps(call, default=repr) + "\n")

    def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
        model = client.meta.service_model
        if only is not None and model.service_name != only:
            return make_call(client, operation, params)
        call = {
            "service": model.signing_name,
            "client": model.service_name,
            "operation": operation,
            "params": params,
            "invocation": INVOCATION.get(),
        }
        if not responses:
            write(call)
            return make_call(client, operation, params)
        answer = make_call(client, operation, params)
        write({**call, "response": answer})
        return answer

    BaseClient._make_api_call = recorded  # type: ignore[attr-defined]


def read_calls(calls_file: Path) -> list[dict[str, Any]]:
    if not calls_file.exists():
        return []
    return [json.loads(line) for line in calls_file.read_text().splitlines() if line]


@dataclass(frozen=True)
class Access:
    """What one DynamoDB call does to one item or one partition: `action` is the item's (a transaction's
    and a batch's items each have theirs: PutItem, GetItem, ...; a Query's or a Scan's is the call's), on
    the table or an index (`index/<name>`), in the partition `partition` (None for a Scan). `key` is the
    item's key, `item` the item written whole (a Put), `read` the items the call answered (with a
    recorded response), `transaction` whether the call is a transaction."""

    operation: str
    action: str
    resource: str
    partition: str | None
    key: Mapping[str, Any] | None = None
    item: Mapping[str, Any] | None = None
    read: tuple[Mapping[str, Any], ...] = ()
    transaction: bool = False
    consistent: bool = False

    @property
    def writes(self) -> bool:
        return self.action in WRITE_ACTIONS


def accesses(call: Mapping[str, Any]) -> list[Access]:
    """The items and partitions one recorded DynamoDB table call touches (none for any other call)."""
    operation, params = call["operation"], call["params"]
    if call.get("client", "dynamodb") != "dynamodb" or operation not in TABLE_OPERATIONS:
        return []
    response = call.get("response") or {}
    if operation in ("TransactWriteItems", "TransactGetItems"):
        answers = response.get("Responses") or []
        found = []
        for number, entry in enumerate(params["TransactItems"]):
            ((kind, request),) = entry.items()
            key = request.get("Key") or request["Item"]
            read = answers[number].get("Item") if number < len(answers) else None
            found.append(
                Access(
                    operation,
                    TRANSACTION_ACTIONS[kind],
                    TABLE,
                    _partition(key, TABLE),
                    key=key,
                    item=request.get("Item"),
                    read=(read,) if read else (),
                    transaction=True,
                    consistent=True,
                )
            )
        return found
    if operation == "BatchGetItem":
        answered = [item for items in (response.get("Responses") or {}).values() for item in items]
        return [
            Access(
                operation,
                "GetItem",
                TABLE,
                _partition(key, TABLE),
                key=key,
                read=tuple(i for i in answered if _same_key(i, key)),
                consistent=bool(request.get("ConsistentRead")),
            )
            for request in params["RequestItems"].values()
            for key in request["Keys"]
        ]
    if operation == "BatchWriteItem":
        return [
            Access(
                operation,
                "PutItem" if "PutRequest" in request else "DeleteItem",
                TABLE,
                _partition(key, TABLE),
                key=key,
                item=request.get("PutRequest", {}).get("Item"),
            )
            for requests in params["RequestItems"].values()
            for request in requests
            for key in [request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]]
        ]
    resource = f"index/{params['IndexName']}" if params.get("IndexName") else TABLE
    consistent = bool(params.get("ConsistentRead"))
    if operation in ("Query", "Scan"):
        partition = _queried_partition(params, resource) if operation == "Query" else None
        return [
            Access(
                operation, operation, resource, partition, read=tuple(_read(response)), consistent=consistent
            )
        ]
    key = params.get("Key") or params.get("Item")
    return [
        Access(
            operation,
            operation,
            resource,
            _partition(key, resource) if key else None,
            key=key,
            item=params.get("Item"),
            read=tuple(_read(response)),
            consistent=consistent,
        )
    ]


def hash_key(resource: str) -> str:
    """The partition key's attribute of the table (`table`) or of an index (`index/<name>`)."""
    from kairos.storage import table_definition

    if resource == TABLE:
        schema: Sequence[Mapping[str, Any]] = table_definition.KEY_SCHEMA
    else:
        (index,) = [
            i
            for i in table_definition.GLOBAL_SECONDARY_INDEXES
            if i["IndexName"] == resource.removeprefix("index/")
        ]
        schema = index["KeySchema"]
    return next(str(k["AttributeName"]) for k in schema if k["KeyType"] == "HASH")


def _partition(key: Mapping[str, Any], resource: str) -> str:
    return str(key[hash_key(resource)]["S"])


def _same_key(item: Mapping[str, Any], key: Mapping[str, Any]) -> bool:
    return all(item.get(name) == value for name, value in key.items())


def _read(response: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    if response.get("Item"):
        yield response["Item"]
    yield from response.get("Items") or ()


def _queried_partition(params: Mapping[str, Any], resource: str) -> str:
    wanted = hash_key(resource)
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    for name, placeholder in EQUALS.findall(params["KeyConditionExpression"]):
        if names.get(name, name) == wanted:
            return str(values[placeholder]["S"])
    raise AssertionError(f"no partition key in {params['KeyConditionExpression']}")
