"""moto's DynamoDB tables read and filled directly, in the store's process: the items a snapshot holds, put
back without moto's per-request work, and those past their TTL."""

import base64
import json
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from kairos_local.journal import Record

Loader = Callable[[dict[str, Any]], None]  # puts one item (DynamoDB JSON) into a table
NESTED = frozenset({"M", "L"})
BINARY = frozenset({"B", "BS"})  # held as bytes by moto, as base64 text in a snapshot (DynamoDB JSON)


def _tables() -> Iterator[tuple[str, Any]]:
    """(region, table) for every table moto holds."""
    from moto.dynamodb.models import dynamodb_backends

    for account in list(dynamodb_backends.keys()):
        for region, backend in list(dynamodb_backends[account].items()):
            for table in list(backend.tables.values()):
                yield region, table


def _items(table: Any) -> list[Any]:
    if table.range_key_attr is None:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def dump() -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """Every table's items as DynamoDB JSON (fresh containers: moto's `to_json` copies them), binary values
    as base64 text as on the wire (moto hands them over as bytes)."""
    for region, table in _tables():
        yield region, table.name, [_as_text(item.to_json()["Attributes"]) for item in _items(table)]


def _as_text(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {name: _as_text(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_as_text(inner) for inner in value]
    return value


def _stored(kind: str, raw: Any) -> Any:
    """A snapshot's binary value as moto holds it (bytes)."""
    if kind == "B":
        return base64.b64decode(raw)
    return [base64.b64decode(each) for each in raw]


def loader(created_by: Record) -> Loader:
    """Puts items of a snapshot straight into the table its first request created. They are old state,
    checked when they were first written: not a change (no stream record), not checked again (moto's
    `put_item` costs about 30 times more, most of it measuring the item's size once per attribute)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.iam.models import get_account_id_from

    from kairos_local.moto_patches.query_index import forget_index

    backend = dynamodb_backends[get_account_id_from(created_by.access_key)][created_by.region]
    table = backend.get_table(json.loads(created_by.body)["TableName"])
    forget_index(table)  # built again, from every item, by the next Query
    new_value = DynamoType.__new__
    new_item = object.__new__  # not moto's BaseModel.__new__, which keeps every Item ever made in a list

    def value(typed: dict[str, Any]) -> Any:
        for kind, raw in typed.items():
            converted = new_value(DynamoType)
            converted.type = kind
            converted.value = (
                nested(kind, raw) if kind in NESTED else _stored(kind, raw) if kind in BINARY else raw
            )
            return converted
        raise ValueError("an attribute value without a type")

    def nested(kind: str, raw: Any) -> Any:
        if kind == "M":
            return {name: value(inner) for name, inner in raw.items()}
        return [value(inner) for inner in raw]

    hash_name, range_name = table.hash_key_attr, table.range_key_attr

    def put(attributes: dict[str, Any]) -> None:
        attrs = LimitedSizeDict()
        for name, typed in attributes.items():  # value() inlined: most values are strings or numbers
            for kind, raw in typed.items():
                converted = new_value(DynamoType)
                converted.type = kind
                converted.value = (
                    nested(kind, raw) if kind in NESTED else _stored(kind, raw) if kind in BINARY else raw
                )
                dict.__setitem__(attrs, name, converted)
        item = new_item(Item)
        item.attrs = attrs
        item.hash_key = value(attributes[hash_name])
        if range_name is None:
            item.range_key = None
            table.items[item.hash_key] = item  # type: ignore[assignment]  # moto's own way (put_item)
        else:
            item.range_key = value(attributes[range_name])
            table.items[item.hash_key][item.range_key] = item

    return put


def expired_keys(now: float) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """(region, table, key, TTL attribute) of each item whose TTL attribute is a number of epoch seconds
    in the past, as DynamoDB's TTL reads it."""
    for region, table in _tables():
        if table.ttl.get("TimeToLiveStatus") != "ENABLED":
            continue
        attribute = table.ttl["AttributeName"]
        for item in _items(table):
            found = item.attrs.get(attribute)
            if found is None or found.type != "N":
                continue
            try:
                expired = Decimal(found.value) <= Decimal(now)
            except InvalidOperation:
                continue
            if expired:
                key = {table.hash_key_attr: item.hash_key.to_json()}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = item.range_key.to_json()
                yield region, table.name, key, attribute
