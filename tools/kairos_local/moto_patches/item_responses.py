"""Item-carrying DynamoDB answers written as JSON directly.

moto 5.2 writes every answer through a generic serializer that walks botocore's shape model value by value,
looking up several spellings of each name: about 1 ms per item returned, so a Query of 100 bookings took
over 100 ms. The answers of the item operations are already in DynamoDB's wire form once moto has turned
its types into dicts, so this patch writes them with `json.dumps`, leaving out what the serializer leaves
out (members that are None). Anything `json` cannot write as it stands (bytes, dates) goes the usual way;
the tests compare both writers on the same answers.

Before writing, moto turns its attribute values into dicts with a converter that asks every value, each
string included, five questions (date? attribute value? has `to_json`? dict? list?); `to_dicts` asks the
attribute values by their exact type first and hands anything unusual (binary values, other objects) to
moto's converter. A stream's GetRecords, which carries item images too, is written with `json` as well,
its record times as the serializer writes them (epoch seconds, to the millisecond).
"""

import json
from collections.abc import Callable
from datetime import datetime
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


def plain_json(result: Any, timestamp: Callable[[datetime], Any] | None = None) -> str | None:
    """The answer as DynamoDB's JSON (dates written by `timestamp`, if given), or None when it holds values
    JSON cannot write as they are."""

    def default(value: Any) -> Any:
        if timestamp is not None and isinstance(value, datetime):
            return timestamp(value)
        return _refuse(value)

    if not isinstance(result, dict):
        return None
    try:
        written = json.dumps(result, separators=(",", ":"), default=default)
        if "null" not in written:  # nothing to leave out (the text may also be in a string: then walk)
            return written
        return json.dumps(_without_none(result), separators=(",", ":"), default=default)
    except TypeError:
        return None


SCALARS = frozenset({"S", "N", "BOOL", "NULL"})
SETS = frozenset({"SS", "NS"})
PLAIN = (str, int, float, bool, type(None))


def to_dicts(value: Any, fallback: Callable[[Any], Any], attribute_value: type) -> Any:
    """What moto's `dynamo_to_dict(value)` gives, for plain data and attribute values without binaries."""
    kind = type(value)
    if kind is attribute_value:
        name, inner = value.type, value.value
        if name in SCALARS and type(inner) in PLAIN:
            return {name: inner}
        if name == "M" and type(inner) is dict:
            return {"M": {k: to_dicts(v, fallback, attribute_value) for k, v in inner.items()}}
        if name == "L" and type(inner) is list:
            return {"L": [to_dicts(v, fallback, attribute_value) for v in inner]}
        if name in SETS and type(inner) is list and all(type(v) is str for v in inner):
            return {name: list(inner)}
        return fallback(value)
    if kind in PLAIN:
        return value
    if isinstance(value, dict):  # an item's attributes are moto's LimitedSizeDict
        return {k: to_dicts(v, fallback, attribute_value) for k, v in value.items()}
    if isinstance(value, list):
        return [to_dicts(v, fallback, attribute_value) for v in value]
    return fallback(value)


def install(replace: Replace) -> None:
    from moto.core.responses import ActionResult
    from moto.core.serialize import TimestampSerializer
    from moto.dynamodb import responses
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.utilities import dynamo_to_dict as converter
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    original = responses.DynamoResult.execute_result
    original_get_records = DynamoDBStreamsHandler.get_records

    class StreamRecords(ActionResult):
        def execute_result(self, context: Any) -> Any:
            body = plain_json(self.result, TimestampSerializer._timestamp_unixtimestamp)
            if body is None:
                return super().execute_result(context)
            return 200, {"Content-Type": CONTENT_TYPE}, body

    def get_records(self: Any) -> Any:
        answer = original_get_records(self)
        return StreamRecords(answer.result) if type(answer) is ActionResult else answer

    def dynamo_to_dict(value: Any) -> Any:
        return to_dicts(value, converter, DynamoType)

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name in OPERATIONS:
            body = plain_json(self.result)
            if body is not None:
                return 200, {"Content-Type": CONTENT_TYPE}, body
        return original(self, context)

    replace(responses.DynamoResult, "execute_result", execute_result)
    replace(responses, "dynamo_to_dict", dynamo_to_dict)
    replace(DynamoDBStreamsHandler, "get_records", get_records)
