"""What every backfill of the table shares (docs/infrastructure.md, "Upgrading the table"): the Scan of the
items of some entities, page by page. A backfill gives items written by an earlier version what this one
writes, each by a conditioned update that a newer write makes unnecessary, so a second run updates none
and a run beside live traffic is safe. The backfills themselves, by name, are in `kairos.upgrades`."""

from collections.abc import Iterator
from typing import Any

from kairos.storage.dynamodb import Table, from_item, to_item


def scan_entities(
    table: Table, entities: tuple[str, ...], projection: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every item whose `entity` is one of `entities` (only the attributes `projection` names, when
    given), one Scan page (1 MB) at a time."""
    request: dict[str, Any] = {
        "TableName": table.name,
        "FilterExpression": "entity IN (" + ", ".join(f":e{n}" for n in range(len(entities))) + ")",
        "ExpressionAttributeValues": to_item({f":e{n}": e for n, e in enumerate(entities)}),
    }
    if projection:
        request["ProjectionExpression"] = projection
    while True:
        page = table.client.scan(**request)
        yield from (from_item(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
