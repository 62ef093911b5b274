"""The local store's journal: a record torn by a crash at the very end is dropped (it was never
acknowledged), damage anywhere else stops the start, and a folder is held by one store at a time."""

from pathlib import Path

import pytest

from kairos_local.journal import DamagedData, Journal, Record, read
from kairos_local.persistence import Store

RECORDS = [Record("DynamoDB_20120810.PutItem", "local", "eu-central-1", f'{{"n": {n}}}') for n in range(3)]


def _journal(path: Path) -> Path:
    journal = Journal(path)
    for record in RECORDS:
        journal.append(record)
    journal.close()
    return path


def test_the_records_come_back_in_order(tmp_path: Path) -> None:
    assert list(read(_journal(tmp_path / "journal.log"), last=True)) == RECORDS


def test_a_torn_last_record_is_dropped_and_cut_from_the_file(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.log")
    whole = path.read_bytes()
    path.write_bytes(whole + RECORDS[0].line()[:20])
    assert list(read(path, last=True)) == RECORDS
    assert path.read_bytes() == whole


def test_a_damaged_record_before_the_end_stops_the_read_and_leaves_the_file(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.log")
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"1}", b"7}")  # the checksum no longer matches
    damaged = b"".join(lines)
    path.write_bytes(damaged)
    with pytest.raises(DamagedData, match="record 2"):
        list(read(path, last=True))
    assert path.read_bytes() == damaged


def test_a_torn_record_in_a_journal_that_is_not_the_last_is_damage(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.log")
    path.write_bytes(path.read_bytes() + b"12345678 [")
    with pytest.raises(DamagedData):
        list(read(path, last=False))


def test_a_second_store_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    first = Store(tmp_path)
    try:
        with pytest.raises(DamagedData, match="in use"):
            Store(tmp_path)
    finally:
        first.close()
    Store(tmp_path).close()  # free again once the first has closed
