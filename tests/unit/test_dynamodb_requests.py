"""The DynamoDB client's serializer (`kairos.storage.dynamodb_requests`) makes exactly the requests botocore's
would: compared over the requests the stores send for a booking series, single bookings and the catalogue,
and over items of every attribute type, unicode included."""

import copy
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import boto3
import jmespath
import pytest
from botocore.model import OperationModel
from botocore.serialize import JSONSerializer

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage.dynamodb import from_item, to_item
from kairos.storage.dynamodb_requests import _TABLE_NAMES, OPERATIONS, JsonRequests, TableNames, install
from tests.unit.test_booking_series import FIRST, series_body, weekly_clinic

LATER = FIRST + timedelta(hours=3)  # beside the series' first occurrence
EVERY_TYPE = {
    "PK": "test#Zoë ☃ 日本 \U0001f600",
    "SK": 'quote " backslash \\ tab \t newline \n nul \x00',
    "n": Decimal("-12.5e3"),
    "whole": 7,
    "b": b"\x00\xff binary",
    "t": True,
    "f": False,
    "l": ["é", Decimal("1"), b"\x01", None, [True], {"k": "v"}],
    "m": {"nested": {"deeper": ["∑", Decimal("0.1")]}, "empty": {}, "B": "a key named B"},
    "ss": {"a", "ü", "\u2028"},
    "ns": {Decimal("1"), Decimal("2.5")},
    "bs": {b"a", b"\x02\x03"},
    "nothing": {"NULL": True},
}


class Recorder:
    """Records every request a client serializes (its parameters and operation), then serializes it."""

    def __init__(self, serializer: Any) -> None:
        self.serializer = serializer
        self.sent: list[tuple[dict[str, Any], OperationModel]] = []

    def serialize_to_request(self, parameters: dict[str, Any], operation_model: OperationModel) -> Any:
        self.sent.append((copy.deepcopy(parameters), operation_model))
        return self.serializer.serialize_to_request(parameters, operation_model)


def typed(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, dict) and "NULL" in v else to_item({k: v})[k] for k, v in values.items()}


def test_the_requests_are_those_botocores_serializer_makes(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, name = container.table.client, container.table.name
    assert isinstance(client._serializer, JsonRequests)
    recorder = Recorder(client._serializer)
    monkeypatch.setattr(client, "_serializer", recorder)

    clinic = weekly_clinic(container, principal)
    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))
    booking = container.bookings.create(principal, {**series_body(clinic, "", LATER), "recurrence": None})
    container.bookings.get(principal, series["bookings"][0]["id"])
    container.booking_series.delete(principal, series["id"])
    container.bookings.delete(principal, booking["id"])
    item = typed(EVERY_TYPE)
    key = {"PK": item["PK"], "SK": item["SK"]}
    client.put_item(TableName=name, Item=item)
    client.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET #b = :b, #l = :l REMOVE #n",
        ConditionExpression="attribute_exists(PK) AND #t = :t",
        ExpressionAttributeNames={"#b": "bs", "#l": "l", "#n": "n", "#t": "t"},
        ExpressionAttributeValues={":b": item["bs"], ":l": item["l"], ":t": item["t"]},
        ReturnValues="ALL_NEW",
    )
    stored = container.table.get({"PK": EVERY_TYPE["PK"], "SK": EVERY_TYPE["SK"]})
    assert stored is not None and stored["m"] == from_item({"m": item["m"]})["m"]
    assert container.table.batch_get([{"PK": EVERY_TYPE["PK"], "SK": EVERY_TYPE["SK"]}]) == [stored]
    client.scan(TableName=name, Limit=5, FilterExpression="#t = :t", **_t(item))
    container.table.put_items([typed({**EVERY_TYPE, "SK": "another ✓"})])
    client.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")

    botocore = JSONSerializer()
    sent = recorder.sent
    assert {operation.name for _, operation in sent} >= OPERATIONS
    for parameters, operation in sent:
        assert recorder.serializer.serialize_to_request(parameters, operation) == (
            botocore.serialize_to_request(parameters, operation)
        ), operation.name
    resolver = client._ruleset_resolver  # type: ignore[attr-defined]
    table_names = getattr(resolver, TableNames.METHOD)
    assert isinstance(table_names, TableNames)
    for parameters, operation in sent:
        path = (operation.operation_context_parameters or {}).get(TableNames.PARAMETER, {}).get("path")
        expected = jmespath.search(path, parameters) if path else None
        assert table_names(TableNames.PARAMETER, operation, parameters) == expected, operation.name
    assert {operation.name for _, operation in sent if operation.name in _TABLE_NAMES} == set(_TABLE_NAMES)


def _t(item: dict[str, Any]) -> dict[str, Any]:
    return {"ExpressionAttributeNames": {"#t": "t"}, "ExpressionAttributeValues": {":t": item["t"]}}


def test_a_client_without_botocores_json_serializer_keeps_its_own() -> None:
    """A validating client, or one whose botocore names its serializer otherwise, is left as it is."""
    validating = boto3.client("dynamodb", region_name="eu-central-1")
    own = validating._serializer
    install(validating)
    bare = SimpleNamespace(meta=validating.meta)
    install(bare)

    assert validating._serializer is own and not isinstance(own, JsonRequests)
    assert not hasattr(bare, "_serializer")
