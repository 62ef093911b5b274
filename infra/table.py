"""The single DynamoDB table, mapped from `kairos.storage.table_definition` so that the deployed table, the
local one and the test tables can never drift apart: this module adds only what exists in AWS alone
(billing, backups, deletion protection)."""

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.constants import TABLE_INDEXES_CONTEXT_KEY
from kairos.storage import table_definition

# DynamoDB's attribute type codes, as the boto3-style definition writes them.
ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


class KairosTable(Construct):
    """On-demand, with point-in-time recovery, deletion protection and RETAIN: the table holds every
    customer's bookings, so no stack update or `cdk destroy` may take it away."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        partition_key, sort_key = _key_attributes(table_definition.KEY_SCHEMA)
        self.table = dynamodb.Table(
            self,
            "Resource",
            partition_key=partition_key,
            sort_key=sort_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType(table_definition.STREAM_VIEW_TYPE),
            time_to_live_attribute=table_definition.TTL_ATTRIBUTE,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in deployed_indexes(self):
            index_partition_key, index_sort_key = _key_attributes(index["KeySchema"])
            self.table.add_global_secondary_index(
                index_name=index["IndexName"],
                partition_key=index_partition_key,
                sort_key=index_sort_key,
                projection_type=dynamodb.ProjectionType(index["Projection"]["ProjectionType"]),
                non_key_attributes=index["Projection"].get("NonKeyAttributes"),
            )


def deployed_indexes(scope: Construct) -> list[dict[str, Any]]:
    """The table definition's GSIs, or its first `-c tableIndexes=<n>` while a stack is upgraded one GSI
    per deploy."""
    indexes = table_definition.GLOBAL_SECONDARY_INDEXES
    wanted = scope.node.try_get_context(TABLE_INDEXES_CONTEXT_KEY)
    if wanted is None:
        return indexes
    if not str(wanted).isdigit() or not 1 <= int(wanted) <= len(indexes):
        raise ValueError(f"{TABLE_INDEXES_CONTEXT_KEY} must be a number of indexes from 1 to {len(indexes)}")
    return indexes[: int(wanted)]


def _key_attributes(
    key_schema: Sequence[Mapping[str, Any]],
) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
    """A boto3-style key schema as CDK's (partition key, sort key), typed from the attribute definitions."""
    types = {d["AttributeName"]: d["AttributeType"] for d in table_definition.attribute_definitions()}
    by_role = {
        k["KeyType"]: dynamodb.Attribute(
            name=k["AttributeName"], type=ATTRIBUTE_TYPES[types[k["AttributeName"]]]
        )
        for k in key_schema
    }
    return by_role["HASH"], by_role.get("RANGE")
