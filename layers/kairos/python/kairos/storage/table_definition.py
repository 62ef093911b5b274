"""The one DynamoDB table, defined once: the CDK stack, the local server and the tests build it from here."""

from typing import Any

PARTITION_KEY = "PK"
SORT_KEY = "SK"
GSI1 = "GSI1"
TTL_ATTRIBUTE = "expires_at"

KEY_SCHEMA: list[dict[str, str]] = [
    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
]


def _index(name: str) -> dict[str, Any]:
    """A GSI with generic, overloaded keys `<name>PK` / `<name>SK`, projecting whole items."""
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


# GSI2-4 list a resource's, location's and service's bookings (docs/table.md). CloudFormation adds or
# removes one GSI per stack update: a stack made before them is upgraded in steps (docs/infrastructure.md).
GLOBAL_SECONDARY_INDEXES: list[dict[str, Any]] = [
    _index(GSI1),
    _index("GSI2"),
    _index("GSI3"),
    _index("GSI4"),
]

STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"


def attribute_definitions() -> list[dict[str, str]]:
    names = [k["AttributeName"] for k in KEY_SCHEMA]
    for index in GLOBAL_SECONDARY_INDEXES:
        names += [k["AttributeName"] for k in index["KeySchema"]]
    return [{"AttributeName": n, "AttributeType": "S"} for n in dict.fromkeys(names)]


def create_table_request(table_name: str) -> dict[str, Any]:
    """The CreateTable request for boto3 (local server, tests); infra/table.py maps the same fields."""
    return {
        "TableName": table_name,
        "KeySchema": KEY_SCHEMA,
        "AttributeDefinitions": attribute_definitions(),
        "GlobalSecondaryIndexes": GLOBAL_SECONDARY_INDEXES,
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE},
    }
