"""The local store's files: a record cut short by a crash at the very end of the journal is dropped, and said
(it was never acknowledged); a damaged record anywhere else, the last whole one included, and a damaged
line of the snapshot stop the start, naming the file and the line; a folder is held by one store at a
time."""

import json
from pathlib import Path

import pytest

from kairos_local import snapshot as snapshots
from kairos_local.journal import DamagedData, Journal, Record, read
from kairos_local.persistence import Store
from kairos_local.snapshot import Snapshot, Table

RECORDS = [Record("DynamoDB_20120810.PutItem", "local", "eu-central-1", f'{{"n": {n}}}') for n in range(3)]


def _journal(path: Path) -> Path:
    journal = Journal(path)
    for record in RECORDS:
        journal.append(record)
    journal.close()
    return path


def _flip_a_bit(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x02]) + data[at + 1 :]


def _records(path: Path, said: list[str] | None = None) -> list[Record]:
    return [entry.record for entry in read(path, last=True, say=(said if said is not None else []).append)]


def test_the_records_come_back_in_order(tmp_path: Path) -> None:
    assert _records(_journal(tmp_path / "journal.log")) == RECORDS


def test_a_record_cut_short_at_the_end_is_dropped_cut_from_the_file_and_said(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.log")
    whole = path.read_bytes()
    path.write_bytes(whole + RECORDS[0].line()[:20])
    said: list[str] = []
    assert _records(path, said) == RECORDS
    assert path.read_bytes() == whole
    assert len(said) == 1 and "record 4" in said[0] and "cut short" in said[0]


@pytest.mark.parametrize("line", [0, 1, 2], ids=["first", "middle", "last"])
def test_a_flipped_bit_in_any_whole_record_stops_the_read_and_leaves_the_file(
    tmp_path: Path, line: int
) -> None:
    path = _journal(tmp_path / "journal.log")
    lines = path.read_bytes().splitlines(keepends=True)
    offset = sum(len(earlier) for earlier in lines[:line])
    damaged = _flip_a_bit(path.read_bytes(), offset + 30)
    path.write_bytes(damaged)
    with pytest.raises(
        DamagedData, match=rf"journal.log: record {line + 1} \(from byte {offset}\) is damaged"
    ):
        _records(path)
    assert path.read_bytes() == damaged


def test_a_last_record_whose_newline_alone_is_damaged_is_damage_not_a_torn_write(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.log")
    path.write_bytes(path.read_bytes()[:-1] + b"\x0b")  # "\n" with a bit flipped
    with pytest.raises(DamagedData, match="record 3"):
        _records(path)


def test_a_record_cut_short_in_a_journal_that_is_not_the_last_is_damage(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.log")
    path.write_bytes(path.read_bytes() + b"12345678 [")
    with pytest.raises(DamagedData):
        list(read(path, last=False, say=print))


def _snapshot(path: Path) -> Path:
    create = Record("DynamoDB_20120810.CreateTable", "local", "eu-central-1", '{"TableName": "t"}')
    items = [
        {"PK": {"S": f"item-{n}"}, "capacity": {"N": "1"}, "name": {"S": "Dr. Åsa Öst"}} for n in range(3)
    ]
    snapshots.write(path, Snapshot(7, [Table([create], items)], [Record("Kairos.X", "", "", "state")]))
    return path


def test_a_snapshot_comes_back_as_it_was_written(tmp_path: Path) -> None:
    read_back = snapshots.read(_snapshot(tmp_path / "table.json"))
    assert read_back.generation == 7
    assert [item["PK"]["S"] for item in read_back.tables[0].items] == ["item-0", "item-1", "item-2"]
    assert read_back.tables[0].items[0]["name"] == {"S": "Dr. Åsa Öst"}
    assert read_back.state == [Record("Kairos.X", "", "", "state")]


def test_a_flipped_bit_in_a_snapshot_value_is_found_and_its_line_named(tmp_path: Path) -> None:
    path = _snapshot(tmp_path / "table.json")
    data = path.read_bytes()
    at = data.index(b'"item-1"},"capacity":{"N":"1"') + len(b'"item-1"},"capacity":{"N":"')
    path.write_bytes(_flip_a_bit(data, at))  # capacity 1 -> 3
    with pytest.raises(DamagedData, match=r"table.json: line 4 \(from byte \d+\)"):
        snapshots.read(path)


def test_a_snapshot_cut_short_is_damage(tmp_path: Path) -> None:
    path = _snapshot(tmp_path / "table.json")
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2]))
    with pytest.raises(DamagedData, match="cut short after line 5"):
        snapshots.read(path)


def test_a_second_store_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    first = Store(tmp_path)
    try:
        with pytest.raises(DamagedData, match="in use"):
            Store(tmp_path)
    finally:
        first.close()
    Store(tmp_path).close()  # free again once the first has closed


def test_a_snapshot_of_the_previous_format_is_read(tmp_path: Path) -> None:
    path = tmp_path / "table.json"
    create = ["DynamoDB_20120810.CreateTable", "local", "eu-central-1", '{"TableName": "t"}']
    state = ["Kairos.CognitoState", "local", "", "c3RhdGU="]
    document = {"format": "kairos-local-store", "version": 2, "generation": 4, "state": [state]}
    document["tables"] = [{"requests": [create], "items": [{"PK": {"S": "a"}}]}]
    path.write_text(json.dumps(document))
    read_back = snapshots.read(path)
    assert (read_back.generation, read_back.tables[0].items, read_back.state) == (
        4,
        [{"PK": {"S": "a"}}],
        [Record(*state)],
    )
