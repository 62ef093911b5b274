"""The snapshot, `table.json`: everything the local store held at a point in time, in checked lines
(journal.py: `<crc32> <JSON>` each), so that damage is found, and named, line by line:

    {"format": "kairos-local-store", "version": 3, "generation": <the first journal not in it>}
    {"table": <n>, "request": <record>}   each request that shaped table n (CreateTable first), in order
    {"table": <n>, "item": <item>}        each item of table n, as DynamoDB JSON
    {"state": <record>}                   the rest, restored whole by a record (an entry of the accounts)
    {"end": <the number of lines before it>}

It is written to a temporary file, fsynced and renamed into place, so it is whole or absent; the end line
finds a file cut short by later damage. Versions 1 (Kairos' table alone, saved by a Scan) and 2 (one JSON
document, without checksums) are read too.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kairos_local.journal import (
    LEFT_AS_IT_IS,
    DamagedData,
    Line,
    NoRoom,
    Record,
    Say,
    checked_line,
    describe,
    lines,
    no_room,
    replace_durably,
)

FORMAT = "kairos-local-store"
VERSION = 3
TARGET_PREFIX = "DynamoDB_20120810."
V1_TABLE = "kairos-local"  # the first format held this table only
V1_REGION = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")


@dataclass
class Table:
    requests: list[Record]
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Snapshot:
    generation: int
    tables: list[Table] = field(default_factory=list)
    state: list[Record] = field(default_factory=list)


class TableRequest(NamedTuple):  # NamedTuples: one is made per line
    table: int
    record: Record


class TableItem(NamedTuple):
    table: int
    item: dict[str, Any]


class State(NamedTuple):
    record: Record


Part = TableRequest | TableItem | State


@dataclass(frozen=True)
class Contents:
    """A snapshot being read: its generation, then its parts in order (read as they are consumed)."""

    generation: int
    parts: Iterator[Part]


def write(path: Path, snapshot: Snapshot) -> None:
    """Writes the snapshot in place of the old one, whole or not at all (NoRoom: no room on the disk)."""
    temporary = path.with_name(path.name + ".tmp")
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    try:
        with temporary.open("wb") as file:
            file.write(
                checked_line(
                    encode({"format": FORMAT, "version": VERSION, "generation": snapshot.generation}).encode()
                )
            )
            count = 1
            for number, table in enumerate(snapshot.tables):
                for request in table.requests:
                    file.write(checked_line(encode({"table": number, "request": request.fields()}).encode()))
                for item in table.items:
                    file.write(checked_line(encode({"table": number, "item": item}).encode()))
                count += len(table.requests) + len(table.items)
            for record in snapshot.state:
                file.write(checked_line(encode({"state": record.fields()}).encode()))
            count += len(snapshot.state)
            file.write(checked_line(encode({"end": count}).encode()))
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if no_room(error):
            raise NoRoom(f"no room on its disk for a new {path.name}") from None
        raise
    replace_durably(temporary, path)


def contents(path: Path, say_damaged: Say | None = None) -> Contents:
    """The snapshot at `path` (none there: empty). A damaged line raises DamagedData naming it, or, for a
    repair (`say_damaged`), is told and passed over."""
    if not path.exists():
        return Contents(0, iter(()))
    with path.open("rb") as file:
        start = file.read(1)
    if start == b"{":
        return _whole_document(path)
    checked = lines(path)
    header = next(checked, None)
    if header is not None and header.text is None and f'"format":"{FORMAT}"'.encode() in header.raw:
        raise DamagedData(
            f"{path}: line 1, its header, is damaged (its checksum does not match), so which journals it "
            "covers is not known; the file was left as it is"
        )
    value = _json(header.text) if header is not None and header.text is not None else None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise DamagedData(f"{path} is not a Kairos local store file; it was left as it is")
    if value.get("version") != VERSION:
        raise DamagedData(f"{path} has format version {value.get('version')}, this Kairos reads {VERSION}")
    return Contents(int(value["generation"]), _parts(path, checked, say_damaged))


def _parts(path: Path, checked: Iterator[Line], say_damaged: Say | None) -> Iterator[Part]:
    count = 1
    for line in checked:
        value = _json(line.text) if line.text is not None else None
        if isinstance(value, dict) and value.keys() == {"end"}:
            if value["end"] != count:
                _damage(path, line, f"its end line counts {value['end']} lines, not {count}", say_damaged)
            after = next(checked, None)
            if after is not None:
                _damage(path, after, "it follows the end line", say_damaged)
            return
        count += 1
        part = _part(value)
        if part is None:
            _damage(path, line, "it is damaged (its checksum does not match)", say_damaged)
            continue
        yield part
    message = f"{path} was cut short after line {count}: what followed is lost"
    if say_damaged is None:
        raise DamagedData(f"{message}; {LEFT_AS_IT_IS}")
    say_damaged(message)


def _damage(path: Path, line: Line, what: str, say_damaged: Say | None) -> None:
    where = f"{path}: line {line.number} (from byte {line.offset})"
    if say_damaged is None:
        raise DamagedData(f"{where}: {what}; {LEFT_AS_IT_IS}")
    say_damaged(f"{where}: {what}; dropped: {describe(line.readable())}")


_decode = json.JSONDecoder().raw_decode  # json.loads of bytes first guesses their encoding, per line


def _json(text: bytes) -> Any:
    try:
        decoded = text.decode()
        value, end = _decode(decoded)
    except ValueError:  # UnicodeDecodeError too
        return None
    return value if end == len(decoded) else None


def _part(value: Any) -> Part | None:
    if not isinstance(value, dict):
        return None
    try:
        if isinstance(value.get("item"), dict) and isinstance(value.get("table"), int):
            return TableItem(value["table"], value["item"])
        if "request" in value and isinstance(value.get("table"), int):
            return TableRequest(value["table"], Record.of(value["request"]))
        if "state" in value:
            return State(Record.of(value["state"]))
    except ValueError:
        return None
    return None


def read(path: Path) -> Snapshot:
    """The whole snapshot in memory (for tools and tests; the store reads `contents` as it goes)."""
    found = contents(path)
    snapshot = Snapshot(found.generation)
    for part in found.parts:
        if isinstance(part, TableRequest):
            if part.table == len(snapshot.tables):
                snapshot.tables.append(Table([]))
            snapshot.tables[part.table].requests.append(part.record)
        elif isinstance(part, TableItem):
            snapshot.tables[part.table].items.append(part.item)
        else:
            snapshot.state.append(part.record)
    return snapshot


# --- versions 1 and 2: one JSON document ------------------------------------------------------------


def _whole_document(path: Path) -> Contents:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise DamagedData(
            f"{path} is not a Kairos local store file ({error}); it was left as it is"
        ) from None
    if (
        isinstance(document, dict)
        and document.get("version") == 1
        and isinstance(document.get("items"), list)
    ):
        document = _from_first_format(document["items"])
    elif not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DamagedData(f"{path} is not a Kairos local store file; it was left as it is")
    elif document.get("version") != 2:
        raise DamagedData(f"{path} has format version {document.get('version')}, this Kairos reads {VERSION}")

    def parts() -> Iterator[Part]:
        for number, table in enumerate(document["tables"]):
            for request in table["requests"]:
                yield TableRequest(number, Record(*request))
            for item in table["items"]:
                yield TableItem(number, item)
        for fields in document.get("state", []):
            yield State(Record(*fields))

    return Contents(int(document.get("generation", 0)), parts())


def _from_first_format(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A first-format snapshot (Kairos' table, saved by Scan) as the second format's tables."""
    from kairos.storage.table_definition import TTL_ATTRIBUTE, create_table_request

    def request(operation: str, body: dict[str, Any]) -> list[str]:
        return Record(TARGET_PREFIX + operation, "local", V1_REGION, json.dumps(body)).fields()

    ttl = {
        "TableName": V1_TABLE,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    }
    return {
        "format": FORMAT,
        "version": 2,
        "generation": 0,
        "tables": [
            {
                "requests": [
                    request("CreateTable", create_table_request(V1_TABLE)),
                    request("UpdateTimeToLive", ttl),
                ],
                "items": items,
            }
        ],
    }
