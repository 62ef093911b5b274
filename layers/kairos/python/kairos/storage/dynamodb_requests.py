"""The DynamoDB client's request serializer: the body of a DynamoDB request is its parameters as JSON, which
`json.dumps` writes in one pass in C, where botocore's serializer walks the model for every attribute value
of every item first (a 52-week series sends some 5,000): about two thirds of that serializer's CPU.

The request is exactly the one botocore's `JSONSerializer` makes (`tests/unit/test_dynamodb_requests.py`
compares them over the requests the stores send): the same path, method, headers and body, bytes (the
only blobs of these operations: `B` and `BS` values) base64-encoded as botocore encodes them. Only the
operations the stores call, whose inputs hold nothing botocore would convert but blobs (no timestamps, no
floats, no renamed members), take this path; any other goes to botocore's serializer, and so does every
request of a client whose serializer is not botocore's JSON one (validating, or another protocol). A `B`
given as a string (which botocore would encode too) is not sent by the stores: `to_item` gives bytes."""

import base64
import json
from typing import Any

from botocore.model import OperationModel
from botocore.serialize import JSONSerializer

# The operations the stores send (and the local tools' scans), every value of their input a string, a
# number, a boolean, null, a blob of an attribute value, or a list or map of them.
OPERATIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactWriteItems",
        "UpdateItem",
    }
)


class JsonRequests:
    """Serializes the `OPERATIONS` as JSON directly, every other operation with botocore's serializer."""

    def __init__(self, botocore_serializer: JSONSerializer) -> None:
        self._botocore = botocore_serializer

    def serialize_to_request(
        self, parameters: dict[str, Any], operation_model: OperationModel
    ) -> dict[str, Any]:
        if operation_model.name not in OPERATIONS:
            return self._botocore.serialize_to_request(parameters, operation_model)
        metadata = operation_model.metadata
        return {
            "url_path": "/",
            "query_string": "",
            "method": operation_model.http.get("method", JSONSerializer.DEFAULT_METHOD),
            "headers": {
                "X-Amz-Target": f"{metadata['targetPrefix']}.{operation_model.name}",
                "Content-Type": f"application/x-amz-json-{metadata['jsonVersion']}",
            },
            "body": json.dumps(parameters, default=_blob).encode(JSONSerializer.DEFAULT_ENCODING),
        }


def install(client: Any) -> None:
    """Gives the client this serializer, if it has botocore's JSON one (a private attribute: a botocore
    that names it otherwise keeps its own) on a service that needs nothing more (not query-compatible);
    and the table names of its requests for the endpoint rules (`TableNames`)."""
    found = getattr(client, "_serializer", None)
    if type(found) is JSONSerializer and not client.meta.service_model.is_query_compatible:
        client._serializer = JsonRequests(found)
    resolver = getattr(client, "_ruleset_resolver", None)
    if resolver is not None and hasattr(resolver, TableNames.METHOD):
        setattr(resolver, TableNames.METHOD, TableNames(getattr(resolver, TableNames.METHOD)))


class TableNames:
    """The endpoint rules' `ResourceArnList` (the tables a request names) of the operations the stores send
    with several tables' items, read directly where botocore evaluates the model's JMESPath over every
    item of the request: a transaction of 90 items took it about half a millisecond. The same list
    (`tests/unit/test_dynamodb_requests.py` compares them); any other parameter or operation is
    botocore's."""

    METHOD = "_resolve_param_as_operation_context_param"
    PARAMETER = "ResourceArnList"

    def __init__(self, botocore_resolve: Any) -> None:
        self._botocore = botocore_resolve

    def __call__(self, param_name: str, operation_model: OperationModel, call_args: dict[str, Any]) -> Any:
        read = _TABLE_NAMES.get(operation_model.name) if param_name == self.PARAMETER else None
        found = read(call_args) if read is not None else None
        return found if found is not None else self._botocore(param_name, operation_model, call_args)


def _transaction_tables(call_args: dict[str, Any]) -> list[str] | None:
    """`TransactItems[*].[ConditionCheck.TableName, Put.TableName, Delete.TableName, Update.TableName][]`."""
    items = call_args.get("TransactItems")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return None  # botocore's to say
    return [
        name
        for item in items
        for kind in _WRITES
        if isinstance(request := item.get(kind), dict) and (name := request.get("TableName")) is not None
    ]


def _request_tables(call_args: dict[str, Any]) -> list[str] | None:
    """`keys(RequestItems)`."""
    items = call_args.get("RequestItems")
    return list(items) if isinstance(items, dict) else None


_WRITES = ("ConditionCheck", "Put", "Delete", "Update")
_TABLE_NAMES = {
    "TransactWriteItems": _transaction_tables,
    "BatchGetItem": _request_tables,
    "BatchWriteItem": _request_tables,
}  # None: botocore's evaluation


def _blob(value: Any) -> str:
    """A blob as botocore sends it (`Serializer._get_base64`); anything else cannot be sent."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).strip().decode(JSONSerializer.DEFAULT_ENCODING)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
