"""What makes the local DynamoDB durable: a snapshot of every table, plus the journal of the requests that
changed data since (see journal.py).

Files in the data folder:
- `table.json`, the snapshot: for each table the requests that shaped it (CreateTable, UpdateTable,
  UpdateTimeToLive, in order) and its items, the Cognito state (`cognito_state.py`), and the generation
  of the first journal not yet in it;
- `journal-<generation>.log`, the journals: replayed in order on top of the snapshot at start;
- `store.lock`, held while a store runs, so two stores never write the same folder.

Compaction writes a new snapshot of everything and starts a new journal: at start, at stop, and when the
journal passes COMPACT_AFTER_RECORDS. Its order makes every crash safe: the new journal is opened (under
the lock, with the items copied) before the snapshot that covers the old one is renamed into place, and the
old journal is deleted only after that. A snapshot of the first format (Kairos' table alone, saved by a
full Scan) is read too.
"""

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from kairos_local.journal import DamagedData, Journal, Record, read, write_atomically

SNAPSHOT = "table.json"
LOCK = "store.lock"
FORMAT = "kairos-local-store"
VERSION = 2
COMPACT_AFTER_RECORDS = 20_000
TABLE_SHAPING = frozenset({"CreateTable", "UpdateTable", "UpdateTimeToLive"})
CHANGING = TABLE_SHAPING | {
    "DeleteTable",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
}
TARGET_PREFIX = "DynamoDB_20120810."
V1_TABLE = "kairos-local"  # the first format held this table only
V1_REGION = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")

Apply = Callable[[Record], tuple[int, bytes]]  # sends one request to moto: its status and body


def changes_data(target: str) -> bool:
    return target.startswith(TARGET_PREFIX) and target[len(TARGET_PREFIX) :] in CHANGING


class Store:
    """The data folder of one running local DynamoDB."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._lock_file: IO[str] = (folder / LOCK).open("a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.seek(0)
            holder = self._lock_file.read().strip() or "another process"
            raise DamagedData(f"{folder} is in use by another local Kairos store ({holder})") from None
        self._lock_file.truncate(0)
        self._lock_file.write(f"pid {os.getpid()}")
        self._lock_file.flush()
        self._shaping: dict[tuple[str, str], list[Record]] = {}  # (region, table) -> requests, in order
        self._journal: Journal | None = None
        self._retired: Journal | None = None  # the journal a snapshot being written will cover
        self._generation = 0
        self._compacting = threading.Lock()

    # --- start: snapshot, then journals --------------------------------------------------------------

    def restore(self, apply: Apply, load_items: Callable[[Record, list[dict[str, Any]]], None]) -> int:
        """Rebuilds every table: the snapshot's (its shaping requests through `apply`, its items through
        `load_items`), then every journal's requests through `apply`. The number of requests replayed."""
        snapshot = self._read_snapshot()
        self._generation = int(snapshot.get("generation", 0))
        for table in snapshot["tables"]:
            requests = [Record(*request) for request in table["requests"]]
            for request in requests:
                self._replay(apply, request)
            load_items(requests[0], table["items"])
        for fields in snapshot.get("state", []):  # what is kept whole, not per table (Cognito's accounts)
            self._replay(apply, Record(*fields))
        replayed = 0
        journals = self._journals()
        for number, (generation, path) in enumerate(journals):
            if generation < self._generation:  # already in the snapshot (a crash after its rename)
                path.unlink()
                continue
            for record in read(path, last=number == len(journals) - 1):
                self._replay(apply, record)
                replayed += 1
            self._generation = generation
        return replayed

    def _replay(self, apply: Apply, record: Record) -> None:
        status, body = apply(record)
        if status != 200:
            raise DamagedData(
                f"{self.folder}: replaying {record.target} failed ({status}: {body[:200]!r}); "
                "the files were left as they are"
            )
        self.note(record)

    def _read_snapshot(self) -> dict[str, Any]:
        path = self.folder / SNAPSHOT
        if not path.exists():
            return {"tables": []}
        try:
            snapshot = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise DamagedData(
                f"{path} is not a Kairos local store file ({error}); it was left as it is"
            ) from None
        if (
            isinstance(snapshot, dict)
            and snapshot.get("version") == 1
            and isinstance(snapshot.get("items"), list)
        ):
            return _from_first_format(snapshot["items"])
        if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT:
            raise DamagedData(f"{path} is not a Kairos local store file; it was left as it is")
        if snapshot.get("version") != VERSION:
            raise DamagedData(
                f"{path} has format version {snapshot.get('version')}, this Kairos reads {VERSION}"
            )
        return snapshot

    def _journals(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.folder.glob("journal-*.log"):
            try:
                found.append((int(path.stem.removeprefix("journal-")), path))
            except ValueError:
                raise DamagedData(f"{path} is not a journal this store wrote; it was left as it is") from None
        return sorted(found)

    # --- running: the journal ------------------------------------------------------------------------

    def note(self, record: Record) -> None:
        """Keeps the requests that shape tables, for the next snapshot."""
        operation = record.target.removeprefix(TARGET_PREFIX)
        try:
            name = str(json.loads(record.body)["TableName"])
        except (ValueError, KeyError, TypeError):
            return
        key = (record.region, name)
        if operation == "DeleteTable":
            self._shaping.pop(key, None)
        elif operation == "CreateTable":
            self._shaping[key] = [record]
        elif operation in TABLE_SHAPING and key in self._shaping:
            self._shaping[key].append(record)

    def append(self, record: Record) -> bool:
        """Journals a request that changed data (its answer has not left yet); True when the journal has
        grown past COMPACT_AFTER_RECORDS."""
        assert self._journal is not None, "rotate() first: it opens the journal"
        self._journal.append(record)
        self.note(record)
        return self._journal.records >= COMPACT_AFTER_RECORDS

    # --- compaction ----------------------------------------------------------------------------------

    def rotate(
        self,
        dump: Callable[[], Iterator[tuple[str, str, list[dict[str, Any]]]]],
        state: Callable[[], Record | None] = lambda: None,
    ) -> dict[str, Any]:
        """Starts a new journal and returns the snapshot that covers everything before it, from `dump()`
        (region, table, items copied) and `state()` (a record that restores the rest whole, if any). Call
        it with no request in progress (under the store's lock), then `commit` the snapshot, which may
        take a while, outside it."""
        self._compacting.acquire()  # released by commit(): one compaction at a time
        try:
            self._generation += 1
            self._retired, self._journal = (
                self._journal,
                Journal(self.folder / f"journal-{self._generation:08d}.log"),
            )
            tables = [
                {"requests": [r.fields() for r in self._shaping[(region, name)]], "items": items}
                for region, name, items in dump()
                if (region, name) in self._shaping
            ]
            kept = state()
        except BaseException:
            self._compacting.release()
            raise
        return {
            "format": FORMAT,
            "version": VERSION,
            "generation": self._generation,
            "tables": tables,
            "state": [kept.fields()] if kept is not None else [],
        }

    def commit(self, snapshot: dict[str, Any]) -> None:
        """Writes the snapshot `rotate` made, then deletes the journals it covers."""
        try:
            write_atomically(self.folder / SNAPSHOT, snapshot)
            if self._retired is not None:
                self._retired.close()
                self._retired = None
            for generation, path in self._journals():
                if generation < snapshot["generation"]:
                    path.unlink()
        finally:
            self._compacting.release()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        self._lock_file.close()


def _from_first_format(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A first-format snapshot (Kairos' table, saved by Scan) as this format's tables."""
    from kairos.storage.table_definition import TTL_ATTRIBUTE, create_table_request

    def request(operation: str, body: dict[str, Any]) -> list[str]:
        return Record(TARGET_PREFIX + operation, "local", V1_REGION, json.dumps(body)).fields()

    ttl = {
        "TableName": V1_TABLE,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    }
    return {
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
