"""The local store's snapshot of the table (`kairos_local.tables.dump`, read back by `loader`) keeps binary
attributes: the request log keeps its bodies compressed (`B`), and a snapshot that could not be written
stopped the local server at its save (SIGTERM, the periodic save) with `bytes is not JSON serializable`."""

import json
import zlib
from typing import Any

import boto3
from moto import mock_aws

from kairos_local import tables
from kairos_local.journal import Record

TABLE = {
    "TableName": "snapshot-test",
    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
BODIES = zlib.compress(b'{"request": "\\u00e9t\\u00e9", "response": "ok"}')
ITEM: dict[str, Any] = {
    "PK": {"S": "REQLOG#p#BODY#e1"},
    "SK": {"S": "BODIES"},
    "bodies": {"B": BODIES},
    "set": {"BS": [b"\x00\x01", b"\xff"]},
    "nested": {"M": {"inner": {"B": b"\x02"}, "list": {"L": [{"B": b"\x03"}]}}},
}


@mock_aws
def test_a_binary_attribute_is_saved_as_base64_text_and_read_back_as_it_was_written() -> None:
    client = boto3.client("dynamodb", region_name="eu-central-1")
    client.create_table(**TABLE)
    client.put_item(TableName="snapshot-test", Item=ITEM)

    ((_, _, items),) = [t for t in tables.dump() if t[1] == "snapshot-test"]
    saved = json.loads(json.dumps(items))  # what the snapshot file holds
    (only,) = saved
    assert isinstance(only["bodies"]["B"], str)

    client.delete_table(TableName="snapshot-test")
    client.create_table(**TABLE)
    created = Record("DynamoDB_20120810.CreateTable", "AKIAEXAMPLE", "eu-central-1", json.dumps(TABLE))
    tables.loader(created)(only)
    stored = client.get_item(TableName="snapshot-test", Key={"PK": ITEM["PK"], "SK": ITEM["SK"]})["Item"]
    assert zlib.decompress(stored["bodies"]["B"]) == zlib.decompress(BODIES)
    assert sorted(stored["set"]["BS"]) == [b"\x00\x01", b"\xff"]
    assert stored["nested"]["M"]["inner"]["B"] == b"\x02"
    assert stored["nested"]["M"]["list"]["L"][0]["B"] == b"\x03"
