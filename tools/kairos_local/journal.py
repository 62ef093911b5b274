"""The local store's journal: every DynamoDB request that changed data, appended before its answer leaves.

One line a record, `<crc32 of the JSON, 8 hex digits> <JSON>\n`, written with one `write` and flushed to
the operating system under the store's one-request-at-a-time lock, so a record is whole in the file before
the client hears "200" and survives the process being killed. A machine that loses power may lose the
last second: the file is fsynced once a second while it changes. A record cut short at the end of the last
journal (a crash in the middle of a write, never acknowledged) is dropped when the journal is read; a bad
record anywhere else means the file was damaged, and the store refuses to start rather than guess.
"""

import contextlib
import json
import os
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FSYNC_EVERY_SECONDS = 1.0


class DamagedData(Exception):
    """A data file that is not what the local store wrote; it is left as it is."""


@dataclass(frozen=True)
class Record:
    """One DynamoDB request: its X-Amz-Target, the caller's access key id and region (moto routes on
    both), and the JSON body as sent."""

    target: str
    access_key: str
    region: str
    body: str

    def fields(self) -> list[str]:
        """As the journal and the snapshot write it: `Record(*fields)` reads it back."""
        return [self.target, self.access_key, self.region, self.body]

    def line(self) -> bytes:
        text = json.dumps(self.fields(), ensure_ascii=False)
        return f"{zlib.crc32(text.encode()):08x} {text}\n".encode()


def _parse(line: bytes) -> Record | None:
    """The record of a whole, intact line; None otherwise."""
    if not line.endswith(b"\n") or len(line) < 10 or line[8:9] != b" ":
        return None
    text = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(text):
            return None
        target, access_key, region, body = json.loads(text)
    except ValueError:
        return None
    return Record(str(target), str(access_key), str(region), str(body))


def read(path: Path, *, last: bool) -> Iterator[Record]:
    """The records of a journal. In the last journal a bad final line is a torn write: the file is cut
    back to the last whole record. Any other bad line is damage."""
    with path.open("rb") as file:
        lines = file.readlines()
    good_bytes = 0
    for number, line in enumerate(lines, start=1):
        record = _parse(line)
        if record is None:
            if last and number == len(lines):
                with path.open("r+b") as file:
                    file.truncate(good_bytes)
                return
            raise DamagedData(f"{path}: record {number} is damaged; the file was left as it is")
        good_bytes += len(line)
        yield record


class Journal:
    """An open journal file being appended to, fsynced in the background while it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0
        self._file: IO[bytes] = path.open("ab")
        self._dirty = threading.Event()
        self._closed = threading.Event()
        self._syncer = threading.Thread(target=self._sync_while_open, name="journal-fsync", daemon=True)
        self._syncer.start()

    def append(self, record: Record) -> None:
        self._file.write(record.line())
        self._file.flush()
        self.records += 1
        self._dirty.set()

    def _sync_while_open(self) -> None:
        while not self._closed.wait(FSYNC_EVERY_SECONDS):
            if self._dirty.is_set():
                self._dirty.clear()
                self._sync()

    def _sync(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # closed meanwhile: close() synced it
            os.fsync(self._file.fileno())

    def close(self) -> None:
        self._closed.set()
        self._sync()
        self._file.close()


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
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
