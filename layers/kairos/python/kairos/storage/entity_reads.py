"""Reading locations, resources, services and booking groups by key from their own items
(`keys.entity_read`), and the fallback to their listed items for those written before they had one (copied
by the backfill `catalogue`, `copy_entities`): docs/table.md, "Entities read by key"."""

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from kairos.storage import keys
from kairos.storage.backfill import scan_entities
from kairos.storage.dynamodb import Table, to_item


def listed_fallback(
    table: Table,
    project_id: str,
    wanted: Sequence[tuple[str, str]],
    found: list[dict[str, Any]],
    consistent: bool,
) -> list[dict[str, Any]]:
    """The items of the `wanted` (kind, id) of the spread kinds that `found` (read under their own keys)
    lacks, read under their listed keys: entities not copied yet (none once the backfill has run)."""
    seen = {(str(item.get("entity")), str(item.get("id"))) for item in found}
    missing = [
        keys.entity(project_id, kind, entity_id)
        for kind, entity_id in wanted
        if kind in keys.SPREAD_ENTITY_KINDS and (kind, entity_id) not in seen
    ]
    return table.batch_get(missing, consistent) if missing else []


def copy_entities(table: Table) -> int:
    """The backfill `catalogue`: gives each location, resource, service and group its own item, a copy of its
    listed one, where it has none or an older one (conditioned on the version, so a newer write, which
    writes both, is never overwritten, and a second run copies none). Returns how many it copied."""
    copied = 0
    for item in scan_entities(table, tuple(sorted(keys.SPREAD_ENTITY_KINDS))):
        if item["PK"] != keys.entity_partition(str(item["project_id"])):
            continue  # an own item already
        own = {**item, **keys.entity_read(str(item["project_id"]), str(item["entity"]), str(item["id"]))}
        try:
            table.client.put_item(
                TableName=table.name,
                Item=to_item(own),
                ConditionExpression="attribute_not_exists(PK) OR version < :version",
                ExpressionAttributeValues=to_item({":version": item["version"]}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                continue
            raise
        copied += 1
    return copied
