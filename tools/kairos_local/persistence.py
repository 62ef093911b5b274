"""What makes the local store durable: a snapshot of every table and of the accounts (snapshot.py), plus the
journal of the changes since (journal.py).

Files in the data folder:
- `table.json`, the snapshot, with the generation of the first journal not in it;
- `journal-<generation>.log`, the journals: replayed in order on top of the snapshot at start;
- `store.lock`, held while a store runs (with its pid), so two stores never write the same folder.

At start the snapshot is loaded and the journals are replayed, then a new journal is opened; nothing else
is written, so a start costs what reading costs. A snapshot of everything is written, and the journals it
covers deleted (compaction), at stop (when the journals hold changes), in the background after a start
that replayed journals, and in the background when replaying the journal would take REPLAY_SECONDS (the
CPU time moto spent applying its requests: replay goes through moto request by request, about 1 ms each),
or it reaches COMPACT_AFTER_RECORDS records or COMPACT_AFTER_BYTES; so a start replays a second's worth at
most. The order of a compaction makes every crash safe: the new journal is opened (under the lock, with
the items copied) before the snapshot that covers the old one is renamed into place, and the old journal
is deleted only after that. A disk with no room for the snapshot leaves the journals as they are.
"""

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kairos_local import snapshot as snapshots
from kairos_local.journal import DamagedData, Journal, NoRoom, Record, Say, no_room, read
from kairos_local.snapshot import TARGET_PREFIX, Snapshot, Table, TableItem, TableRequest

SNAPSHOT = "table.json"
LOCK = "store.lock"
REPLAY_SECONDS = 1.0
COMPACT_AFTER_RECORDS = 10_000
COMPACT_AFTER_BYTES = 32 << 20
ROOM_TO_START = 1 << 20  # bytes free on the data folder's disk, at least, for a start
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

Apply = Callable[[Record], tuple[int, bytes]]  # sends one request to moto: its status and body
Loader = Callable[[Record], Callable[[dict[str, Any]], None]]  # (CreateTable) -> puts one item


def changes_data(target: str) -> bool:
    return target.startswith(TARGET_PREFIX) and target[len(TARGET_PREFIX) :] in CHANGING


class Store:
    """The data folder of one running local store."""

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
        try:
            self._lock_file.truncate(0)
            self._lock_file.write(f"pid {os.getpid()}")
            self._lock_file.flush()
        except OSError as error:
            if no_room(error):
                raise NoRoom(f"no room on its disk to write {LOCK}") from None
            raise
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        if free < ROOM_TO_START:
            raise NoRoom(f"{free:,} bytes free on its disk; the store needs {ROOM_TO_START:,} to start")
        self._shaping: dict[tuple[str, str], list[Record]] = {}  # (region, table) -> requests, in order
        self._journal: Journal | None = None
        self._retired: Journal | None = None  # the journal a snapshot being written will cover
        self._generation = 0
        self._compacting = threading.Lock()

    # --- start: snapshot, then journals --------------------------------------------------------------

    def restore(self, apply: Apply, loader: Loader, say: Say, damaged: Say | None = None) -> int:
        """Rebuilds everything: the snapshot's tables (their shaping requests through `apply`, their items
        through `loader`) and the rest (through `apply`), then every journal's requests through `apply`.
        The number of journaled requests replayed. Damage raises DamagedData, or, for a repair
        (`damaged`), is told there and passed over, as is what then fails to replay."""
        found = snapshots.contents(self.folder / SNAPSHOT, damaged)
        self._generation = found.generation
        put: dict[int, Callable[[dict[str, Any]], None]] = {}
        lost: dict[int, int] = {}  # items of a table whose requests were lost, by table
        for part in found.parts:
            if isinstance(part, TableItem):
                if part.table in put:
                    put[part.table](part.item)
                else:
                    lost[part.table] = lost.get(part.table, 0) + 1
                continue
            status, body = _applied(apply, part.record)
            if status != 200:
                _damage(
                    f"{self.folder / SNAPSHOT}: {part.record.target} failed ({status}: {body!r})", damaged
                )
                continue
            self.note(part.record)
            if isinstance(part, TableRequest) and part.table not in put:
                put[part.table] = loader(part.record)
        for table, count in lost.items():
            _damage(
                f"{self.folder / SNAPSHOT}: {count} items of table {table}, whose requests are lost", damaged
            )
        replayed = 0
        journals = self._journals()
        for number, (generation, path) in enumerate(journals):
            if generation < self._generation:  # already in the snapshot (a crash after its rename)
                path.unlink()
                continue
            last = number == len(journals) - 1
            for entry in read(path, last=last, say=say, damaged=damaged):
                status, body = _applied(apply, entry.record)
                if status == 200:
                    self.note(entry.record)
                    replayed += 1
                    continue
                where = f"{path}: record {entry.line.number} (from byte {entry.line.offset})"
                if last and entry.final:  # its answer never left: the store stopped while applying it
                    if damaged is None:
                        with path.open("r+b") as file:
                            file.truncate(entry.line.offset)
                    say(
                        f"{where}, the last, a request the store was applying when it stopped, failed again "
                        f"({status}: {body!r}); as its answer never left, it was dropped"
                    )
                    break
                _damage(f"{where}, {entry.record.target}, failed on replay ({status}: {body!r})", damaged)
            self._generation = generation
        return replayed

    def _journals(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.folder.glob("journal-*.log"):
            try:
                found.append((int(path.stem.removeprefix("journal-")), path))
            except ValueError:
                raise DamagedData(f"{path} is not a journal this store wrote; it was left as it is") from None
        return sorted(found)

    def open(self) -> None:
        """Starts the journal the requests from now on are appended to."""
        self._generation += 1
        self._journal = Journal(self.folder / f"journal-{self._generation:08d}.log")

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

    def append(self, record: Record) -> None:
        """Journals a change before it is applied (NoRoom: the disk has no room, nothing was kept)."""
        assert self._journal is not None, "open() first"
        self._journal.append(record)

    def cut(self) -> None:
        """Takes back the record just appended (moto refused the request: it changed nothing)."""
        assert self._journal is not None
        self._journal.cut()

    def applied(self, record: Record, seconds: float) -> None:
        """The record just appended was applied, in `seconds` of CPU."""
        assert self._journal is not None
        self._journal.cost += seconds
        self.note(record)

    @property
    def due(self) -> bool:
        """The journal is long enough to be compacted."""
        journal = self._journal
        return journal is not None and (
            journal.cost >= REPLAY_SECONDS
            or journal.records >= COMPACT_AFTER_RECORDS
            or journal.size >= COMPACT_AFTER_BYTES
        )

    def changed(self) -> bool:
        """The journals hold changes that no snapshot holds."""
        journals = self._journals()
        return len(journals) > 1 or any(path.stat().st_size for _, path in journals)

    # --- compaction ----------------------------------------------------------------------------------

    def rotate(
        self,
        dump: Callable[[], Iterator[tuple[str, str, list[dict[str, Any]]]]],
        state: Callable[[], Iterable[Record]],
    ) -> Snapshot:
        """Starts a new journal and returns the snapshot that covers everything before it, from `dump()`
        (region, table, items copied) and `state()` (the records that restore the rest). Call it with no
        request in progress (under the store's lock), then `commit` the snapshot, which takes a while,
        outside it."""
        self._compacting.acquire()  # released by commit(): one compaction at a time
        try:
            self._retired = self._journal
            self.open()
            tables = [
                Table(list(self._shaping[(region, name)]), items)
                for region, name, items in dump()
                if (region, name) in self._shaping
            ]
            return Snapshot(self._generation, tables, list(state()))
        except BaseException:
            self._compacting.release()
            raise

    def commit(self, snapshot: Snapshot) -> None:
        """Writes the snapshot `rotate` made, then deletes the journals it covers; NoRoom leaves them."""
        try:
            if self._retired is not None:
                self._retired.close()
                self._retired = None
            snapshots.write(self.folder / SNAPSHOT, snapshot)
            for generation, path in self._journals():
                if generation < snapshot.generation:
                    path.unlink()
        finally:
            self._compacting.release()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        self._lock_file.close()


def _applied(apply: Apply, record: Record) -> tuple[int, bytes]:
    """The status and body of a replayed record; a failure of moto's or of the record's is a 500."""
    try:
        status, body = apply(record)
    except Exception as error:  # any failure of a replay is reported the same way
        return 500, repr(error).encode()
    return status, body[:200]


def _damage(what: str, damaged: Say | None) -> None:
    if damaged is None:
        raise DamagedData(
            f"{what}; the files were left as they are: `kairos-local --repair` keeps what is intact"
        )
    damaged(f"{what}; dropped")
