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
    that names it otherwise keeps its own) on a service that needs nothing more (not query-compatible)."""
    found = getattr(client, "_serializer", None)
    if type(found) is JSONSerializer and not client.meta.service_model.is_query_compatible:
        client._serializer = JsonRequests(found)


def _blob(value: Any) -> str:
    """A blob as botocore sends it (`Serializer._get_base64`); anything else cannot be sent."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).strip().decode(JSONSerializer.DEFAULT_ENCODING)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
