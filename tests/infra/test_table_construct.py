"""The deployed table is the one `kairos.storage.table_definition` describes, plus AWS-only protections."""

from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk.assertions import Template

from kairos.storage import table_definition

pytestmark = pytest.mark.xdist_group("infra")


@pytest.fixture(scope="module")
def table(template: Template) -> Mapping[str, Any]:
    tables = template.find_resources("AWS::DynamoDB::Table")
    assert len(tables) == 1, "Kairos is a single-table design"
    (resource,) = tables.values()
    return resource


def test_keys_and_indexes_come_from_the_shared_table_definition(table: Mapping[str, Any]) -> None:
    properties = table["Properties"]
    assert properties["KeySchema"] == table_definition.KEY_SCHEMA
    assert properties["GlobalSecondaryIndexes"] == table_definition.GLOBAL_SECONDARY_INDEXES
    assert sorted(properties["AttributeDefinitions"], key=str) == sorted(
        table_definition.attribute_definitions(), key=str
    )


def test_stream_carries_both_images_for_the_event_mapper(table: Mapping[str, Any]) -> None:
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": table_definition.STREAM_VIEW_TYPE}


def test_rate_windows_expire_through_ttl(table: Mapping[str, Any]) -> None:
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": table_definition.TTL_ATTRIBUTE,
        "Enabled": True,
    }


def test_table_is_on_demand_backed_up_and_never_deleted_by_the_stack(table: Mapping[str, Any]) -> None:
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
