"""The local store never says it kept what it did not, nor keeps what it refused. On a full disk it refuses
writes (503 in the API's shape, with Retry-After), keeps none of them, in memory or on disk, and still
serves reads. A flipped bit in the last record of the journal, or in a value of the snapshot, stops the
start with the file and line named, and `kairos-local --repair` keeps what is intact and says exactly what
it dropped. A start on a full disk says so in one line.

A full disk is the store process's file-size limit (RLIMIT_FSIZE, set from outside with prlimit): its
writes then fail as on a full disk, for any user and without mounting anything."""

import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from kairos_local.journal import Journal, Record
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import TABLE_NAME
from tests.integration.conftest import LOCAL_TOKEN

HEADERS = {"Authorization": f"Bearer {LOCAL_TOKEN}"}
PUT_ITEM = "DynamoDB_20120810.PutItem"
REGION = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")


@dataclass
class Run:
    """One server's life: resources made, the disk full for one create, then room again, then Ctrl-C."""

    folder: Path
    ids: dict[str, str]  # name -> id, of the creates acknowledged before the disk was full
    refused: requests.Response
    reads_while_full: list[int]
    journal_unchanged_while_full: bool
    retried: requests.Response
    names_after: list[str]


def _create(base_url: str, name: str, capacity: int | None = None) -> requests.Response:
    body = {"name": name, "max_simultaneous_bookings": capacity}
    return requests.post(f"{base_url}/resources", json=body, headers=HEADERS, timeout=60)


def _get(base_url: str, path: str) -> requests.Response:
    return requests.get(base_url + path, headers=HEADERS, timeout=60)


def _limit_file_size(pid: int, size: int) -> None:
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("store")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(folder, port, LOCAL_TOKEN)
    try:
        ids = {name: _create(base_url, name, 1).json()["id"] for name in ("Dr. A", "Dr. B")}
        store = int((folder / "store.lock").read_text().split()[1])
        journal = max(folder.glob("journal-*.log"))
        size = journal.stat().st_size
        _limit_file_size(store, size + 10)  # room for 10 more bytes: less than any record
        refused = _create(base_url, "Dr. Refused")
        reads = [
            _get(base_url, "/resources").status_code,
            _get(base_url, f"/resources/{ids['Dr. A']}").status_code,
        ]
        unchanged = journal.stat().st_size == size
        _limit_file_size(store, resource.RLIM_INFINITY)
        retried = _create(base_url, "Dr. Refused")  # what a client does after a 503
        names = sorted(r["name"] for r in _get(base_url, "/resources").json()["data"])
    finally:
        stop_server(server)
    return Run(folder, ids, refused, reads, unchanged, retried, names)


def test_a_full_disk_refuses_writes_with_503_keeps_none_of_them_and_still_serves_reads(run: Run) -> None:
    assert run.refused.status_code == 503
    assert "the data folder is full" in run.refused.json()["message"]
    assert int(run.refused.headers["retry-after"]) > 0
    assert run.reads_while_full == [200, 200]
    assert run.journal_unchanged_while_full  # nothing of the refused create reached the disk
    assert run.retried.status_code == 201  # not a 409: the refused create left nothing behind
    assert run.names_after == ["Dr. A", "Dr. B", "Dr. Refused"]


def _kairos_local(folder: Path, *args: str, limit: Callable[[], None] | None = None) -> tuple[int, str]:
    """Runs `kairos-local` to its end (it refuses to start, or repairs); its exit code and output."""
    command = [sys.executable, "-m", "kairos_local", "--port", str(free_port()), "--data-dir", str(folder)]
    env = {**os.environ, "KAIROS_LOCAL_TOKEN": LOCAL_TOKEN}
    done = subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=120, preexec_fn=limit, check=False
    )
    return done.returncode, done.stdout + done.stderr


def _flip_a_bit(path: Path, at: int) -> bytes:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x02
    path.write_bytes(data)
    return bytes(data)


def test_a_flipped_bit_in_the_last_journal_record_stops_the_start_and_names_it(
    run: Run, tmp_path: Path
) -> None:
    folder = shutil.copytree(run.folder, tmp_path / "data")
    journal_file = max(folder.glob("journal-*.log"))
    # Empty after a stop that wrote its snapshot; a stop cut short on a loaded machine leaves its records.
    records_before = len(journal_file.read_bytes().splitlines())
    item = {"PK": {"S": "PROJECT#p"}, "SK": {"S": "NOTE#n"}, "note": {"S": "kept"}}
    journal = Journal(journal_file)
    for _ in range(3):  # as the store appends a PutItem
        journal.append(Record(PUT_ITEM, "local", REGION, json.dumps({"TableName": TABLE_NAME, "Item": item})))
    journal.close()
    last = journal_file.read_bytes().splitlines(keepends=True)[-1]
    start = journal_file.stat().st_size - len(last)
    damaged = _flip_a_bit(journal_file, start + 40)  # in the last record, whole with its newline

    code, output = _kairos_local(folder)

    assert code != 0
    named = f"{journal_file.name}: record {records_before + 3} (from byte {start}) is damaged"
    assert named in output, output  # the whole output when it is not: pytest shortens the comparison
    assert "Traceback" not in output
    assert journal_file.read_bytes() == damaged


def test_a_damaged_snapshot_stops_the_start_and_a_repair_keeps_all_but_the_damaged_item(
    run: Run, tmp_path: Path
) -> None:
    folder = shutil.copytree(run.folder, tmp_path / "data")
    snapshot = folder / "table.json"
    lines = snapshot.read_bytes().splitlines(keepends=True)
    listed = f'"SK":{{"S":"RESOURCE#{run.ids["Dr. A"]}"}}'.encode()  # the item lists read, not its own copy
    number = next(n for n, line in enumerate(lines, start=1) if listed in line)
    line = lines[number - 1]
    at = sum(map(len, lines[: number - 1])) + line.index(b'max_simultaneous_bookings\\":1') + 28
    _flip_a_bit(snapshot, at)  # capacity 1 -> 3

    code, output = _kairos_local(folder)
    assert code != 0
    assert f"table.json: line {number}" in output
    assert "Traceback" not in output

    code, output = _kairos_local(folder, "--repair")
    assert code == 0, output
    assert f"table.json: line {number}" in output and run.ids["Dr. A"] in output
    assert output.count("\n- ") == 1  # one thing dropped, said once

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(folder, port, LOCAL_TOKEN)
    try:
        # the damaged item dropped, never served: the list leaves Dr. A out, and a read by key finds the
        # resource's own copy (docs/table.md, "Entities read by key") as it was written, capacity 1, not 3
        assert _get(base_url, f"/resources/{run.ids['Dr. A']}").json()["max_simultaneous_bookings"] == 1
        assert _get(base_url, f"/resources/{run.ids['Dr. B']}").json()["max_simultaneous_bookings"] == 1
        names = sorted(r["name"] for r in _get(base_url, "/resources").json()["data"])
        assert names == ["Dr. B", "Dr. Refused"]
    finally:
        stop_server(server)


def test_a_start_on_a_full_disk_says_so_in_one_line(tmp_path: Path) -> None:
    def no_room() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))

    code, output = _kairos_local(tmp_path, limit=no_room)

    assert code != 0
    assert output.strip().splitlines() == [
        f"The local store cannot start: the data folder {tmp_path} is full (no room on its disk to write "
        "store.lock); make room on its disk and start again"
    ]
