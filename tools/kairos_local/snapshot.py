"""Local data that survives a restart: the table is written to a file through the public DynamoDB API
(Scan) and read back at start (BatchWriteItem). Items stay in DynamoDB's typed JSON, so nothing is lost."""

import json
import os
from pathlib import Path
from typing import Any

from kairos.storage.dynamodb import DynamoDBClient, Table


def scan_all(client: DynamoDBClient, table_name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table_name}
    while True:
        page = client.scan(**request)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def save(client: DynamoDBClient, table_name: str, path: Path) -> int:
    """Writes every item to `path` atomically (write to a temporary file, then rename)."""
    items = scan_all(client, table_name)
    items.sort(key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": 1, "items": items}, ensure_ascii=False))
    os.replace(temporary, path)
    return len(items)


def load(table: Table, path: Path) -> int:
    if not path.exists():
        return 0
    items: list[dict[str, Any]] = json.loads(path.read_text())["items"]
    table.put_items(items)
    return len(items)
