"""The fault mode answers as DynamoDB answers under overload: the error codes and bodies botocore parses,
a batch's throttled keys unprocessed beside the served ones, a transaction cancelled with a reason per
item and nothing written; only the partitions a fault names, and only as many times as it says."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from pydantic import ValidationError

from kairos.storage.table_definition import create_table_request
from kairos_local.faults import Fault, Faults, attach, from_environment

TABLE = "faulty"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A DynamoDB client that does not retry (each request is one answer), on a table of four items."""
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        made = boto3.client("dynamodb", "eu-central-1", config=Config(retries={"total_max_attempts": 1}))
        made.create_table(**create_table_request(TABLE))
        for n in range(4):
            made.put_item(TableName=TABLE, Item={**key(n), "n": {"N": str(n)}, "GSI1PK": {"S": f"G#{n}"}})
        yield made


def key(n: int) -> dict[str, Any]:
    return {"PK": {"S": f"P#{n}"}, "SK": {"S": "ITEM"}}


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def faulty(client: Any, *faults: Fault) -> Faults:
    return attach(client.meta.events, Faults(list(faults)))


def test_a_throttled_partition_refuses_reads_with_dynamodbs_error_and_serves_the_others(client: Any) -> None:
    faulty(client, Fault(partition="P#1", on="read", error="ProvisionedThroughputExceededException"))
    with pytest.raises(ClientError) as refused:
        client.get_item(TableName=TABLE, Key=key(1))
    assert code(refused) == "ProvisionedThroughputExceededException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "provisioned throughput" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError):
        client.query(
            TableName=TABLE, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": {"S": "P#1"}}
        )
    assert client.get_item(TableName=TABLE, Key=key(2))["Item"]["n"] == {"N": "2"}
    client.put_item(TableName=TABLE, Item={**key(1), "n": {"N": "9"}})  # writes are another fault's


def test_an_index_query_is_hit_by_its_index_partition(client: Any) -> None:
    faulty(client, Fault(partition="G#*", on="read", error="ThrottlingException"))
    with pytest.raises(ClientError) as refused:
        client.query(
            TableName=TABLE,
            IndexName="GSI1",
            KeyConditionExpression="#k = :g",
            ExpressionAttributeNames={"#k": "GSI1PK"},
            ExpressionAttributeValues={":g": {"S": "G#3"}},
        )
    assert code(refused) == "ThrottlingException"


def test_a_batch_read_leaves_the_throttled_keys_unprocessed_and_serves_the_others(client: Any) -> None:
    faults = faulty(
        client, Fault(partition="P#[12]", on="read", error="ProvisionedThroughputExceededException")
    )
    answer = client.batch_get_item(
        RequestItems={TABLE: {"Keys": [key(n) for n in range(4)], "ConsistentRead": True}}
    )
    assert sorted(i["PK"]["S"] for i in answer["Responses"][TABLE]) == ["P#0", "P#3"]
    assert answer["UnprocessedKeys"] == {TABLE: {"Keys": [key(1), key(2)], "ConsistentRead": True}}
    assert [h.partitions for h in faults.hits] == [("P#1", "P#2")]
    with pytest.raises(ClientError) as refused:  # every key throttled: the error, as DynamoDB answers
        client.batch_get_item(RequestItems={TABLE: {"Keys": [key(1), key(2)]}})
    assert code(refused) == "ProvisionedThroughputExceededException"


def test_a_batch_write_leaves_the_throttled_items_unprocessed_and_writes_the_others(client: Any) -> None:
    faulty(client, Fault(partition="P#1", on="write", error="ThrottlingException"))
    puts = [{"PutRequest": {"Item": {**key(n), "n": {"N": "7"}}}} for n in (0, 1)]
    answer = client.batch_write_item(RequestItems={TABLE: puts})
    assert answer["UnprocessedItems"] == {TABLE: [puts[1]]}
    assert client.get_item(TableName=TABLE, Key=key(0))["Item"]["n"] == {"N": "7"}


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("TransactionConflict", "TransactionConflict"),
        ("ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded"),
        ("ThrottlingException", "ThrottlingError"),
    ],
)
def test_a_transaction_is_cancelled_with_a_reason_per_item_and_writes_nothing(
    client: Any, error: Any, reason: str
) -> None:
    faulty(client, Fault(partition="P#1", on="write", error=error))
    items = [{"Put": {"TableName": TABLE, "Item": {**key(n), "n": {"N": "8"}}}} for n in (0, 1)]
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=items)
    assert code(cancelled) == "TransactionCanceledException"
    assert [r["Code"] for r in cancelled.value.response["CancellationReasons"]] == ["None", reason]
    assert client.get_item(TableName=TABLE, Key=key(0))["Item"]["n"] == {"N": "0"}


def test_an_accounts_request_limit_refuses_a_transaction_whole(client: Any) -> None:
    faulty(client, Fault(on="write", error="RequestLimitExceeded"))
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": key(5)}}])
    assert code(refused) == "RequestLimitExceeded"


def test_a_conflict_fault_cancels_transactions_only(client: Any) -> None:
    faulty(client, Fault(on="write", error="TransactionConflict"))
    client.put_item(TableName=TABLE, Item=key(6))
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": key(7)}}])
    assert "Item" not in client.get_item(TableName=TABLE, Key=key(7))


def test_times_fails_only_the_first_requests_a_fault_hits(client: Any) -> None:
    faults = faulty(client, Fault(partition="P#1", on="read", error="ThrottlingException", times=2))
    client.get_item(TableName=TABLE, Key=key(0))  # not hit: not counted
    for _ in range(2):
        with pytest.raises(ClientError):
            client.get_item(TableName=TABLE, Key=key(1))
    assert client.get_item(TableName=TABLE, Key=key(1))["Item"]["n"] == {"N": "1"}
    assert len(faults.hits) == 2


def test_every_fails_one_in_so_many_of_the_requests_a_fault_could_hit(client: Any) -> None:
    faults = faulty(client, Fault(partition="P#1", on="read", error="ThrottlingException", every=3, times=2))
    outcomes = []
    for _ in range(8):
        try:
            client.get_item(TableName=TABLE, Key=key(1))
            outcomes.append("served")
        except ClientError:
            outcomes.append("refused")
    assert outcomes == ["refused", "served", "served", "refused", *["served"] * 4]
    assert len(faults.hits) == 2


def test_the_environment_variable_is_checked_when_the_server_starts() -> None:
    assert from_environment({}) is None
    with pytest.raises(ValidationError):
        from_environment({"KAIROS_LOCAL_FAULTS": '[{"on": "read", "error": "Slow"}]'})
