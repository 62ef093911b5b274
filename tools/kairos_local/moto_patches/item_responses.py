"""Item-carrying DynamoDB answers written as JSON directly.

moto 5.2 writes every answer through a generic serializer that walks botocore's shape model value by value,
looking up several spellings of each name: about 1 ms per item returned, so a Query of 100 bookings took
over 100 ms. The answers of the item operations are already in DynamoDB's wire form once moto has turned
its types into dicts, so this patch writes them with `json.dumps`, leaving out what the serializer leaves
out (members that are None). Anything `json` cannot write as it stands (bytes, dates) goes the usual way;
the tests compare both writers on the same answers.
"""

import json
from typing import Any

from kairos_local.moto_patches.registry import Replace

OPERATIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
CONTENT_TYPE = "application/x-amz-json-1.0"


def _refuse(value: Any) -> Any:
    raise TypeError(f"not plain JSON: {type(value).__name__}")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def plain_json(result: Any) -> str | None:
    """The answer as DynamoDB's JSON, or None when it holds values JSON cannot write as they are."""
    if not isinstance(result, dict):
        return None
    try:
        return json.dumps(_without_none(result), separators=(",", ":"), default=_refuse)
    except TypeError:
        return None


def install(replace: Replace) -> None:
    from moto.dynamodb.responses import DynamoResult

    original = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name in OPERATIONS:
            body = plain_json(self.result)
            if body is not None:
                return 200, {"Content-Type": CONTENT_TYPE}, body
        return original(self, context)

    replace(DynamoResult, "execute_result", execute_result)
