"""The DynamoDB client's response parser (`kairos.storage.dynamodb_responses`) reads exactly what botocore's
would: compared over the answers the stores receive for a booking series, single bookings, a refused
transaction and the catalogue, and over items of every attribute type, unicode and blobs included."""

import copy
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from botocore.model import Shape
from botocore.parsers import JSONParser, ResponseParserFactory

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.storage.dynamodb import from_item
from kairos.storage.dynamodb_responses import OUTPUTS, JsonResponses, JsonResponsesFactory, install
from tests.unit.test_booking_series import series_body, weekly_clinic
from tests.unit.test_dynamodb_requests import EVERY_TYPE, LATER, typed


class Recorder(JsonResponsesFactory):
    """Records every answer parsed (the raw answer, its shape, what the client's parser made of it)."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[tuple[dict[str, Any], Shape | None, Any]] = []

    def create_parser(self, protocol_name: str) -> Any:
        parser = super().create_parser(protocol_name)
        recorder = self

        class Recording(type(parser)):  # type: ignore[misc]
            def parse(self, response: dict[str, Any], shape: Shape | None) -> Any:
                raw = copy.deepcopy(response)
                parsed = super().parse(response, shape)
                recorder.read.append((raw, shape, copy.deepcopy(parsed)))
                return parsed

        return Recording()


def test_the_answers_are_read_as_botocores_parser_reads_them(
    container: Container, principal: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, name = container.table.client, container.table.name
    endpoint = client._endpoint  # type: ignore[attr-defined]
    assert isinstance(endpoint._response_parser_factory, JsonResponsesFactory)
    recorder = Recorder()
    monkeypatch.setattr(endpoint, "_response_parser_factory", recorder)

    clinic = weekly_clinic(container, principal)
    series = container.booking_series.create(principal, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))
    booking = container.bookings.create(principal, {**series_body(clinic, "", LATER), "recurrence": None})
    container.bookings.page(principal, {"per_page": "100"})
    container.booking_series.delete(principal, series["id"])
    container.bookings.delete(principal, booking["id"])
    item = typed(EVERY_TYPE)
    key = {"PK": item["PK"], "SK": item["SK"]}
    client.put_item(TableName=name, Item=item)
    client.put_item(TableName=name, Item={**item, "SK": {"S": "second"}}, ReturnValues="NONE")
    client.get_item(TableName=name, Key=key)
    client.batch_get_item(RequestItems={name: {"Keys": [key, {**key, "SK": {"S": "second"}}]}})
    client.query(
        TableName=name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": item["PK"]},
        Limit=1,
    )
    client.scan(TableName=name, Limit=5)
    client.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET #b = :b REMOVE #n",
        ExpressionAttributeNames={"#b": "bs", "#n": "n"},
        ExpressionAttributeValues={":b": item["bs"]},
        ReturnValues="ALL_NEW",
    )
    with pytest.raises(ClientError):  # refused: its cancellation reasons, with the item found
        client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": key,
                        "ConditionExpression": "attribute_not_exists(PK)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            ]
        )
    client.batch_write_item(RequestItems={name: [{"DeleteRequest": {"Key": {**key, "SK": {"S": "second"}}}}]})
    found = client.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")

    assert found["Attributes"]["b"] == {"B": EVERY_TYPE["b"]}
    assert set(found["Attributes"]["bs"]["BS"]) == EVERY_TYPE["bs"]
    read = recorder.read
    assert {shape.name for _, shape, _ in read if shape is not None} >= OUTPUTS
    assert any(raw["status_code"] >= 400 for raw, _, _ in read)
    for raw, shape, parsed in read:
        assert parsed == JSONParser().parse(raw, shape), shape and shape.name


def test_a_client_without_botocores_plain_parsers_keeps_its_own() -> None:
    """A client whose parsers have defaults of their own, or whose botocore names them otherwise, is left
    as it is; so is every protocol but JSON."""
    meta = boto3.client("dynamodb", region_name="eu-central-1").meta
    factory = ResponseParserFactory()  # not the session's, which every client shares
    factory.set_parser_defaults(blob_parser=bytes)
    customized = SimpleNamespace(meta=meta, _endpoint=SimpleNamespace(_response_parser_factory=factory))
    install(customized)
    bare = SimpleNamespace(meta=meta)
    install(bare)

    assert customized._endpoint._response_parser_factory is factory
    assert not hasattr(bare, "_endpoint")
    assert not isinstance(JsonResponsesFactory().create_parser("rest-json"), JsonResponses)
    assert type(ResponseParserFactory().create_parser("json")) is JSONParser


def test_items_are_read_as_boto3_reads_them() -> None:
    """`from_item`'s direct reading of strings, numbers and booleans gives boto3's values and types."""
    item = {**typed(EVERY_TYPE), "big": {"N": "12345678901234567890123456789012345678e-5"}, "z": {"N": "-0"}}

    read, boto3_read = from_item(item), {k: TypeDeserializer().deserialize(v) for k, v in item.items()}

    assert read == boto3_read
    assert [type(v) for v in read.values()] == [type(v) for v in boto3_read.values()]
    assert str(read["big"]) == str(boto3_read["big"]) and str(read["z"]) == str(boto3_read["z"])
