"""The role check of the deployed-layout test (role_access.py) reads calls and statements as IAM does: a
check that allowed what IAM refuses would let a missing permission reach production."""

from typing import Any

import pytest

from tests.infra.role_access import Need, allowed, needs, unused_actions

pytestmark = pytest.mark.xdist_group("infra")

TABLE_ID = "Table"
TABLE = {"Fn::GetAtt": [TABLE_ID, "Arn"]}
INDEXES = {"Fn::Join": ["", [TABLE, "/index/*"]]}


def statement(actions: list[str], patterns: list[str] | None, resource: Any = TABLE) -> dict[str, Any]:
    found: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if patterns is not None:
        found["Condition"] = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": patterns}}
    return found


def key(partition: str) -> dict[str, Any]:
    return {"PK": {"S": partition}, "SK": {"S": "X"}}


def test_a_batch_is_allowed_only_by_one_statement_that_covers_all_its_keys() -> None:
    batch = needs(
        {
            "service": "dynamodb",
            "operation": "BatchGetItem",
            "params": {"RequestItems": {"t": {"Keys": [key("PROJECT#p"), key("PROJECT#p#RESOURCE#r")]}}},
        }
    )
    split = [
        statement(["dynamodb:BatchGetItem"], ["PROJECT#p"]),
        statement(["dynamodb:BatchGetItem"], ["*#RESOURCE#*"]),
    ]
    assert not allowed(batch[0], split, TABLE_ID)
    assert allowed(batch[0], [statement(["dynamodb:BatchGetItem"], ["PROJECT#p", "*#RESOURCE#*"])], TABLE_ID)


def test_a_transaction_is_allowed_item_by_item() -> None:
    items = [
        {"ConditionCheck": {"Key": key("PROJECT#p")}},
        {"Put": {"Item": key("PROJECT#p#RESOURCE#r")}},
    ]
    found = needs(
        {"service": "dynamodb", "operation": "TransactWriteItems", "params": {"TransactItems": items}}
    )
    assert found == [
        Need("dynamodb:ConditionCheckItem", "table", ("PROJECT#p",)),
        Need("dynamodb:PutItem", "table", ("PROJECT#p#RESOURCE#r",)),
    ]


def test_an_index_query_is_checked_against_the_index_partition_and_resource() -> None:
    (query,) = needs(
        {
            "service": "dynamodb",
            "operation": "Query",
            "params": {
                "IndexName": "GSI2",
                "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :low AND :high",
                "ExpressionAttributeValues": {
                    ":pk": {"S": "P#R#BOOKINGS"},
                    ":low": {"S": "a"},
                    ":high": {"S": "b"},
                },
            },
        }
    )
    assert query == Need("dynamodb:Query", "index/GSI2", ("P#R#BOOKINGS",))
    assert not allowed(query, [statement(["dynamodb:Query"], ["*"])], TABLE_ID)  # the table only
    assert allowed(query, [statement(["dynamodb:Query"], ["P#?#BOOKINGS"], INDEXES)], TABLE_ID)
    assert not allowed(query, [statement(["dynamodb:Query"], ["P#?#LISTS"], INDEXES)], TABLE_ID)


def test_a_condition_it_cannot_read_allows_nothing_and_a_deny_wins() -> None:
    need = Need("dynamodb:GetItem", "table", ("TOKEN#t",))
    unknown = {**statement(["dynamodb:GetItem"], None), "Condition": {"StringEquals": {"aws:SourceVpc": "v"}}}
    assert not allowed(need, [unknown], TABLE_ID)
    deny = {**statement(["dynamodb:*"], None), "Effect": "Deny"}
    assert not allowed(need, [statement(["dynamodb:GetItem"], ["TOKEN#*"]), deny], TABLE_ID)


def test_an_action_granted_on_the_table_and_never_taken_is_reported() -> None:
    statements = [
        statement(["dynamodb:GetItem", "dynamodb:Scan"], ["*"]),
        statement(["xray:PutTraceSegments"], None, "*"),
    ]
    assert unused_actions(statements, [Need("dynamodb:GetItem", "table", ("A",))], TABLE_ID) == [
        "dynamodb:Scan"
    ]
