"""The local store's moto patches change how fast moto answers, never what it answers: the same random
workload of writes, transactions and queries gives the same answers, the same items and the same stream
with the patches as without them."""

import random
import urllib.request
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from kairos.storage.table_definition import create_table_request
from kairos_local import moto_patches
from kairos_local.moto_patches import streams

TABLE = "patched"
PARTITIONS = [f"P#{n}" for n in range(4)]
SORT_KEYS = [f"{prefix}#{n:02d}" for prefix in ("A", "AB", "B", "TL") for n in range(8)]
GSI_PARTITIONS = ["G#1", "G#2"]
ACCOUNT, REGION = "123456789012", "eu-central-1"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _item(rng: random.Random) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": {"S": rng.choice(PARTITIONS)},
        "SK": {"S": rng.choice(SORT_KEYS)},
        "n": {"N": str(rng.randint(0, 5))},
        "data": {"S": "x" * rng.randint(0, 40)},
        "tags": {"L": [{"S": "a"}, {"N": "1"}, {"BOOL": True}, {"NULL": True}]},
        "nested": {"M": {"k": {"SS": ["a", "b"]}}},
    }
    if rng.random() < 0.2:  # binary values take moto's own request parser: both paths are compared
        item["blob"] = {"B": bytes([rng.randint(0, 255)] * 3)}
        item["blobs"] = {"BS": [b"a", bytes([rng.randint(1, 255)])]}
    if rng.random() < 0.7:
        item["GSI1PK"] = {"S": rng.choice(GSI_PARTITIONS)}
        item["GSI1SK"] = {"S": rng.choice(SORT_KEYS)}
    return item


def _key(rng: random.Random) -> dict[str, Any]:
    return {"PK": {"S": rng.choice(PARTITIONS)}, "SK": {"S": rng.choice(SORT_KEYS)}}


def _condition(rng: random.Random, name: str) -> tuple[str, dict[str, Any]]:
    low, high = sorted(rng.sample(SORT_KEYS, 2))
    choice = rng.choice(["=", "<", "<=", ">", ">=", "between", "begins", "none"])
    if choice == "none":
        return "", {}
    if choice == "between":
        return f" AND {name} BETWEEN :low AND :high", {":low": {"S": low}, ":high": {"S": high}}
    if choice == "begins":
        return f" AND begins_with({name}, :low)", {":low": {"S": rng.choice(["A", "AB", "B#0", "TL#", "Z"])}}
    return f" AND {name} {choice} :low", {":low": {"S": low}}


def _query(rng: random.Random, client: Any) -> list[dict[str, Any]]:
    """Every page of one random query, table or GSI, forwards or backwards, filtered or projected."""
    on_index = rng.random() < 0.4
    pk, sk = ("GSI1PK", "GSI1SK") if on_index else ("PK", "SK")
    extra, values = _condition(rng, sk)
    request: dict[str, Any] = {
        "TableName": TABLE,
        "KeyConditionExpression": f"{pk} = :pk{extra}",
        "ExpressionAttributeValues": {
            ":pk": {"S": rng.choice(GSI_PARTITIONS if on_index else PARTITIONS)},
            **values,
        },
        "ScanIndexForward": rng.random() < 0.5,
    }
    if on_index:
        request["IndexName"] = "GSI1"
    if rng.random() < 0.5:
        request["Limit"] = rng.randint(1, 5)
    if rng.random() < 0.3:
        request["FilterExpression"] = "n > :n"
        request["ExpressionAttributeValues"][":n"] = {"N": "2"}
    if rng.random() < 0.3:
        request["ProjectionExpression"] = "PK, SK, n"
    pages = []
    while True:
        page = client.query(**request)
        page.pop("ResponseMetadata")
        pages.append(page)
        if "LastEvaluatedKey" not in page or len(pages) > 40:
            return pages
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _write(rng: random.Random, client: Any) -> Any:
    kind = rng.choice(["put", "put", "update", "delete", "batch", "transact", "get"])
    try:
        if kind == "put":
            return client.put_item(TableName=TABLE, Item=_item(rng), ReturnValues="ALL_OLD")
        if kind == "update":
            return client.update_item(
                TableName=TABLE,
                Key=_key(rng),
                UpdateExpression="SET GSI1PK = :g, GSI1SK = :s ADD n :one"
                if rng.random() < 0.5
                else "REMOVE GSI1PK",
                ExpressionAttributeValues={
                    ":g": {"S": rng.choice(GSI_PARTITIONS)},
                    ":s": {"S": "AB#03"},
                    ":one": {"N": "1"},
                }
                if True
                else {},
                ReturnValues="ALL_NEW",
            )
        if kind == "delete":
            return client.delete_item(TableName=TABLE, Key=_key(rng), ReturnValues="ALL_OLD")
        if kind == "batch":
            puts = {str(i["PK"]) + str(i["SK"]): i for i in (_item(rng) for _ in range(rng.randint(1, 6)))}
            requests = [{"PutRequest": {"Item": i}} for i in puts.values()]
            return client.batch_write_item(RequestItems={TABLE: requests})
        if kind == "transact":
            first, second = _item(rng), _key(rng)
            if first["PK"] == second["PK"] and first["SK"] == second["SK"]:
                return None
            return client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": first,
                            "ConditionExpression": "attribute_not_exists(PK)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {"Delete": {"TableName": TABLE, "Key": second}},
                ]
            )
        return client.get_item(TableName=TABLE, Key=_key(rng))
    except ClientError as error:  # a cancelled transaction's reasons hold the items ALL_OLD returns
        return error.response["Error"]["Code"], error.response.get("CancellationReasons")


def _without_metadata(answer: Any) -> Any:
    if isinstance(answer, dict):
        answer.pop("ResponseMetadata", None)
    return answer


def _workload(seed: int) -> list[Any]:
    """Everything a client sees of one random workload: each answer, every query's pages, the stream."""
    rng = random.Random(seed)
    seen: list[Any] = []
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**create_table_request(TABLE))
        for _ in range(120):
            seen.append(_without_metadata(_write(rng, client)))
            if rng.random() < 0.4:
                seen.append(_query(rng, client))
        scan = client.scan(TableName=TABLE)
        seen.append(sorted(scan["Items"], key=lambda i: (i["PK"]["S"], i["SK"]["S"])))
        seen.append(_stream())
    return seen


def _backends() -> tuple[Any, Any]:
    """moto's DynamoDB and streams backends (in-process moto answers no DescribeStream: use them directly)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodb_backends[ACCOUNT][REGION], dynamodbstreams_backends[ACCOUNT][REGION]


def _stream() -> list[Any]:
    shard = _backends()[0].get_table(TABLE).stream_shard
    records = [r.to_json() for r in shard.items]
    return [(r["eventName"], r["dynamodb"].get("Keys"), r["dynamodb"].get("NewImage")) for r in records]


@pytest.fixture
def unpatched() -> Iterator[None]:
    with moto_patches.installed():
        pass  # leaves moto as it found it: proves restore() works before the comparison relies on it
    yield


@pytest.mark.parametrize("seed", range(6))
def test_the_patched_moto_answers_a_random_workload_exactly_as_moto_does(seed: int, unpatched: None) -> None:
    expected = _workload(seed)
    with moto_patches.installed():
        patched = _workload(seed)
    assert patched == expected


def test_a_trimmed_stream_keeps_sequence_numbers_and_reads_from_the_oldest_record_kept() -> None:
    from moto.core.utils import utcnow

    with moto_patches.installed(), mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(**create_table_request(TABLE))
        tables, stream_backend = _backends()
        table = tables.get_table(TABLE)

        def iterator(kind: str) -> str:
            shard_iterator = stream_backend.get_shard_iterator(table.table_arn, table.stream_shard.id, kind)
            return str(shard_iterator.arn)

        def put(sk: str) -> None:
            client.put_item(TableName=TABLE, Item={"PK": {"S": "P"}, "SK": {"S": sk}})

        def keys(shard_iterator: str) -> list[str]:
            records = stream_backend.get_records(shard_iterator, 1000)["Records"]
            return [r["dynamodb"]["Keys"]["SK"]["S"] for r in records]

        old_reader = iterator("TRIM_HORIZON")
        for n in range(3):
            put(f"old-{n}")
        assert streams.trim(table.stream_shard, utcnow() + streams.RETENTION + timedelta(seconds=1)) == 3
        put("new-0")
        latest = iterator("LATEST")
        put("new-1")

        assert keys(old_reader) == ["new-0", "new-1"]  # pointed into trimmed records: reads what is kept
        assert keys(iterator("TRIM_HORIZON")) == ["new-0", "new-1"]
        assert keys(latest) == ["new-1"]


def _stream_answers() -> list[Any]:
    """The GetRecords answers of a stream (all kinds of values, binary ones too), as a client reads them,
    from moto in server mode; with the records' times as moto's backend holds them."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
        client = boto3.client("dynamodb", region_name=REGION, endpoint_url=url)
        streams_client = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=url)
        client.create_table(**create_table_request(TABLE))
        values = {
            "m": {"M": {"k": {"L": [{"S": "x"}, {"N": "1.5"}, {"NULL": True}]}}},
            "ss": {"SS": ["a", "b"]},
            "ns": {"NS": ["1", "2"]},
            "flag": {"BOOL": False},
        }
        client.put_item(TableName=TABLE, Item={"PK": {"S": "P"}, "SK": {"S": "1"}, **values})
        client.put_item(TableName=TABLE, Item={"PK": {"S": "P"}, "SK": {"S": "2"}, "b": {"B": b"\x00\xff"}})
        client.update_item(
            TableName=TABLE,
            Key={"PK": {"S": "P"}, "SK": {"S": "1"}},
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "7"}},
        )
        client.delete_item(TableName=TABLE, Key={"PK": {"S": "P"}, "SK": {"S": "2"}})
        arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        shard = streams_client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        position = streams_client.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams_client.get_records(ShardIterator=position)["Records"]
        held = [_created(r) for r in _backends()[0].get_table(TABLE).stream_shard.items]
        unstable = {"ApproximateCreationDateTime": None, "SizeBytes": None}  # moto's size counts the time
        return [
            {**record, "eventID": None, "dynamodb": {**record["dynamodb"], **unstable}} for record in records
        ] + [
            (record["dynamodb"]["ApproximateCreationDateTime"], moment)
            for record, moment in zip(records, held, strict=True)
        ]
    finally:
        server.stop()


def _created(record: Any) -> Any:
    moment = record.record["dynamodb"]["ApproximateCreationDateTime"]
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000, tzinfo=UTC)


def test_a_streams_records_are_written_as_moto_writes_them(unpatched: None) -> None:
    expected = _stream_answers()
    with moto_patches.installed():
        patched = _stream_answers()
    answers = len(patched) // 2
    assert patched[:answers] == expected[:answers]
    for read, held in patched[answers:] + expected[answers:]:
        assert read == held  # both writers: the record's time, to the millisecond


def _queue_workload(seed: int) -> list[Any]:
    """What a consumer receives from a queue: random batches, some deleted, one message past retention."""
    from moto.sqs.models import sqs_backends

    rng = random.Random(seed)
    seen: list[Any] = []
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="work", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        for n in range(40):
            sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
        sqs_backends[ACCOUNT][REGION].get_queue("work")._messages[25].sent_timestamp -= 61_000
        for _ in range(8):
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=rng.randint(1, 10)).get(
                "Messages", []
            )
            seen.append([m["Body"] for m in batch])
            for message in batch:
                if rng.random() < 0.5:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        seen.append({k: v for k, v in attributes.items() if k.startswith("ApproximateNumber")})
    return seen


@pytest.mark.parametrize("seed", range(3))
def test_the_patched_moto_hands_out_queue_messages_as_moto_does(seed: int, unpatched: None) -> None:
    expected = _queue_workload(seed)
    with moto_patches.installed():
        patched = _queue_workload(seed)
    assert patched == expected
    assert [] in expected or len(expected[-1]) == 3  # the expired message stops a batch: both the same
