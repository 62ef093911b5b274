"""Upgrading a stack made before the booking listing indexes: CloudFormation adds one GSI per update, so
`-c tableIndexes=<n>` deploys the first n of the table definition, and `-c bookingLists=project` has the
functions list bookings as before until the backfill ran (docs/infrastructure.md)."""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from infra.constants import BOOKING_LISTS_CONTEXT_KEY, BOOKING_LISTS_ENV, TABLE_INDEXES_CONTEXT_KEY
from infra.functions import kairos_function
from infra.table import KairosTable
from kairos.storage import table_definition

pytestmark = pytest.mark.xdist_group("infra")
LAYER_ARN = "arn:aws:lambda:eu-central-1:123456789012:layer:kairos:1"


def upgrading(**context: str) -> Template:
    stack = cdk.Stack(cdk.App(context=context), "Upgrade")
    table = KairosTable(stack, "Table").table
    layer = lambda_.LayerVersion.from_layer_version_arn(stack, "Layer", LAYER_ARN)
    kairos_function(cdk.Stack.of(table), name="bookings", description="bookings", table=table, layer=layer)
    return Template.from_stack(stack)


def test_an_upgrade_step_deploys_the_first_indexes_and_lists_bookings_as_before() -> None:
    template = upgrading(**{TABLE_INDEXES_CONTEXT_KEY: "2", BOOKING_LISTS_CONTEXT_KEY: "project"})
    (table,) = template.find_resources("AWS::DynamoDB::Table").values()
    indexes = table["Properties"]["GlobalSecondaryIndexes"]
    assert indexes == table_definition.GLOBAL_SECONDARY_INDEXES[:2]
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like({BOOKING_LISTS_ENV: "project"})}},
    )


def test_without_the_upgrade_context_every_index_is_deployed_and_lists_use_them() -> None:
    template = upgrading()
    (table,) = template.find_resources("AWS::DynamoDB::Table").values()
    assert table["Properties"]["GlobalSecondaryIndexes"] == table_definition.GLOBAL_SECONDARY_INDEXES
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    assert BOOKING_LISTS_ENV not in function["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize("wanted", ["0", "5", "two"])
def test_a_number_of_indexes_the_definition_does_not_have_is_refused(wanted: str) -> None:
    with pytest.raises(ValueError, match=TABLE_INDEXES_CONTEXT_KEY):
        upgrading(**{TABLE_INDEXES_CONTEXT_KEY: wanted})
