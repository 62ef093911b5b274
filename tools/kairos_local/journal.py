"""The local store's journal: every DynamoDB request that changes data, written BEFORE moto applies it.

Both files of the store are made of checked lines, `<crc32 of the text, 8 hex digits> <text>\n`, the text
being one JSON value (JSON escapes every newline inside it): the journal a record a line, the snapshot an
item a line (snapshot.py). A flipped bit anywhere makes its line's checksum fail.

Write-ahead, under the store's one-request-at-a-time lock: a request's record is written and flushed to the
operating system first; then moto applies it; if moto refuses it (a failed condition, a bad request), the
record is cut from the file again, so the journal holds exactly the changes moto holds. A disk with no room
for the record (`NoRoom`) refuses the request before moto sees it: what was written of it is cut off. So
no answer leaves for a change that is not in the file, and nothing refused is kept; the file is fsynced
once a second while it changes (a machine that loses power may lose the last second).

Reading it back: a line whose checksum fails is damage wherever it is, the last whole line included, and
the store refuses to start, naming the file, the record and its byte. The one exception is the end of the
last journal: bytes without their final newline there are a record cut short by a crash in the middle of
its write (its answer never left), dropped with a line in the log, unless they hold a whole record whose
newline alone was damaged.
"""

import contextlib
import errno
import json
import os
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

FSYNC_EVERY_SECONDS = 1.0
NO_ROOM_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})  # EFBIG: the file-size limit
Say = Callable[[str], None]
LEFT_AS_IT_IS = "the file was left as it is: `kairos-local --repair` keeps what is intact"


class DamagedData(Exception):
    """A data file that is not what the local store wrote; it is left as it is."""


class NoRoom(Exception):
    """The disk of the data folder has no room for a write; what was written of it was taken back."""


def no_room(error: OSError) -> bool:
    return error.errno in NO_ROOM_ERRORS


@dataclass(frozen=True)
class Record:
    """One request: its X-Amz-Target, the caller's access key id and region (moto routes on both), and the
    body as sent (for the store's own records, see cognito_state.py, what they restore)."""

    target: str
    access_key: str
    region: str
    body: str

    def fields(self) -> list[str]:
        """As the journal and the snapshot write it: `Record(*fields)` reads it back."""
        return [self.target, self.access_key, self.region, self.body]

    def line(self) -> bytes:
        return checked_line(json.dumps(self.fields(), ensure_ascii=False).encode())

    @classmethod
    def of(cls, value: object) -> "Record":
        """The record of a JSON value read back; ValueError when it is not one."""
        if not isinstance(value, list) or len(value) != 4 or not all(isinstance(f, str) for f in value):
            raise ValueError("not a record")
        return cls(*value)


def checked_line(text: bytes) -> bytes:
    return b"%08x %s\n" % (zlib.crc32(text), text)


def checked_text(line: bytes) -> bytes | None:
    """The text of a whole line whose checksum holds; None otherwise."""
    if len(line) < 10 or line[8:9] != b" " or not line.endswith(b"\n"):
        return None
    text = line[9:-1]
    try:
        return text if int(line[:8], 16) == zlib.crc32(text) else None
    except ValueError:
        return None


class Line(NamedTuple):  # not a frozen dataclass: a snapshot has a line per item, and these are made faster
    """One line of a data file as read: its number (from 1), the byte it starts at, its bytes, and its text
    when its checksum holds."""

    number: int
    offset: int
    raw: bytes
    text: bytes | None

    def cut_short(self) -> bool:
        """The final bytes of a file, without their newline, that are not a whole record with a damaged
        newline: a write the crash interrupted."""
        return not self.raw.endswith(b"\n") and checked_text(self.raw[:-1] + b"\n") is None

    def readable(self) -> object:
        """What a damaged line still says, as far as its JSON can be read (None if not at all)."""
        try:
            return json.loads(self.raw.partition(b" ")[2])
        except ValueError:
            return None


def lines(path: Path) -> Iterator[Line]:
    offset = 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            yield Line(number, offset, raw, checked_text(raw))
            offset += len(raw)


@dataclass(frozen=True)
class Entry:
    """A journal's record, where it is in its file, and whether it is the file's final one."""

    record: Record
    line: Line
    final: bool


def _record(line: Line) -> Record | None:
    if line.text is None:
        return None
    try:
        return Record.of(json.loads(line.text))
    except ValueError:
        return None


def read(path: Path, *, last: bool, say: Say, damaged: Say | None = None) -> Iterator[Entry]:
    """The records of a journal, in order. In the last journal a record cut short at the very end is cut
    from the file, and `say` is told. Any other bad line raises DamagedData, or, for a repair
    (`damaged`), is told there and passed over."""
    held: tuple[Record, Line] | None = None
    for line in lines(path):
        record = _record(line)
        if record is None:
            if last and line.cut_short():
                if damaged is None:  # a repair keeps the files as they were, beside the repaired ones
                    with path.open("r+b") as file:
                        file.truncate(line.offset)
                say(
                    f"{path}: its last record (record {line.number}, from byte {line.offset}, "
                    f"{len(line.raw)} bytes) was cut short by a crash before its answer left; it was dropped"
                )
                break
            where = f"{path}: record {line.number} (from byte {line.offset}) is damaged"
            if damaged is None:
                raise DamagedData(f"{where} (its checksum does not match); {LEFT_AS_IT_IS}")
            damaged(f"{where}; dropped: {describe(line.readable())}")
            continue
        if held is not None:
            yield Entry(*held, final=False)
        held = (record, line)
    if held is not None:
        yield Entry(*held, final=True)


def describe(value: object) -> str:
    """What a line of the journal or the snapshot held, as far as its damaged JSON can still be read."""
    if isinstance(value, list) and len(value) == 4 and isinstance(value[0], str):
        try:
            table = json.loads(value[3]).get("TableName", "?")
        except (ValueError, AttributeError):
            table = "?"
        return f"a request {value[0]} on table {table}"
    if isinstance(value, dict):
        if isinstance(value.get("item"), dict):
            keys = {k: v for k, v in value["item"].items() if k in ("PK", "SK", "id", "entity")}
            return f"an item of table {value.get('table')}: {json.dumps(keys, ensure_ascii=False)[:300]}"
        if "request" in value:
            return f"a request that shaped table {value.get('table')}: {describe(value['request'])}"
        if "state" in value:
            return "an entry of the accounts"
    return "a line that cannot be read at all"


class Journal:
    """A journal file being appended to, fsynced in the background while it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0
        self.cost = 0.0  # CPU seconds moto spent applying its records: about what replaying them costs
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            if no_room(error):
                raise NoRoom(f"no room on its disk to create {path.name}") from None
            raise
        self.size = os.fstat(self._fd).st_size
        self._last_start = self.size
        self._dirty = threading.Event()
        self._closed = threading.Event()
        self._syncer = threading.Thread(target=self._sync_while_open, name="journal-fsync", daemon=True)
        self._syncer.start()

    def append(self, record: Record) -> None:
        """Writes the record whole, or not at all (NoRoom: the disk had no room, what was written is cut)."""
        data = record.line()
        start = self.size
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
        except OSError as error:
            os.ftruncate(self._fd, start)
            if no_room(error):
                raise NoRoom(f"no room on its disk for {len(data)} more bytes of {self.path.name}") from None
            raise
        self._last_start, self.size = start, start + len(data)
        self.records += 1
        self._dirty.set()

    def cut(self) -> None:
        """Takes back the record just appended: moto refused its request, which therefore changed nothing."""
        os.ftruncate(self._fd, self._last_start)
        self.size = self._last_start
        self.records -= 1

    def _sync_while_open(self) -> None:
        while not self._closed.wait(FSYNC_EVERY_SECONDS):
            if self._dirty.is_set():
                self._dirty.clear()
                with contextlib.suppress(OSError):
                    os.fsync(self._fd)

    def close(self) -> None:
        self._closed.set()
        self._syncer.join()
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)


def write_atomically(path: Path, payload: Any, mode: int = 0o666) -> None:
    """Writes JSON to a temporary file, fsyncs it, and renames it into place: the old file or the new one,
    never half of one. The file is created with `mode` (less the umask) before anything is written."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)  # a leftover keeps its permissions: start afresh
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with open(descriptor, "w", encoding="utf-8") as file:
        json.dump(payload, file, ensure_ascii=False, separators=(",", ":"))
        file.flush()
        os.fsync(file.fileno())
    replace_durably(temporary, path)


def replace_durably(temporary: Path, path: Path) -> None:
    """Renames a written and fsynced file into place, then fsyncs its folder so the rename survives a crash:
    the old file or the new one, never half of one."""
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
