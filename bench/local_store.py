"""The local store with a data folder of about 100 MB and a few hundred Portal accounts (issue: "a store that
never lies"): how long it takes to start, after a clean stop and after kill -9 with a journal as long as
it gets before a compaction, and to stop, each with its goal.

The folder is built as the store writes it, not through the API (at 30 writes a second 100 MB would take
hours): a clinic is made through the API (resources, schedules, bookings) and accounts are made, given a
password and logged in with Cognito's admin calls, as the Portal makes them; then the clinic's items in the
snapshot are copied into further projects (its id replaced) until the snapshot holds the size asked.

    .venv/bin/python -m bench.local_store [--megabytes 100] [--accounts 200]
"""

import argparse
import json
import os
import re
import signal
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from bench.common import BENCH_TOKEN
from bench.local_api import ZONE, Row, book_many, client, local_store
from bench.setup import clinic
from kairos.portal.user_pool import POOL_NAME
from kairos_local import snapshot as snapshots
from kairos_local.persistence import SNAPSHOT
from kairos_local.process import free_port, start_server, stop_server
from kairos_local.store import TABLE_NAME

SERVICE = {"name": "Check-up", "type": "fixed", "duration": "PT30M", "bookable_interval": "PT30M"}
PASSWORD = "Bench-Secret-42"
LOADED = re.compile(r"loaded \((\d+) journaled changes replayed\) in ([\d.]+) s \(([\d.]+) s of CPU\)")
STOPPED = re.compile(r"Local store: stopped in ([\d.]+) s \(([\d.]+) s of CPU\)")
GOAL_SECONDS = 5.0


def _copies(folder: Path, project_id: str, megabytes: float) -> int:
    """Copies the project's items in the snapshot into new projects until its items hold `megabytes`;
    the number of items added."""
    path = folder / SNAPSHOT
    snapshot = snapshots.read(path)
    table = next(t for t in snapshot.tables if json.loads(t.requests[0].body)["TableName"] == TABLE_NAME)
    text = json.dumps([item for item in table.items if project_id in json.dumps(item)])
    held = sum(len(json.dumps(item)) for item in table.items)
    added = 0
    while held < megabytes * 1_000_000:
        copy = json.loads(text.replace(project_id, str(uuid.uuid4())))
        table.items += copy
        held += len(text)
        added += len(copy)
    snapshots.write(path, snapshot)
    return added


def _cognito(folder: Path) -> tuple[Any, str, str]:
    """A Cognito client of the store, the Portal's pool and its app client."""
    local_store(folder)  # points this process's clients at the store
    cognito = boto3.client("cognito-idp")
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool = next(p["Id"] for p in pools if p["Name"] == POOL_NAME)
    app = cognito.list_user_pool_clients(UserPoolId=pool)["UserPoolClients"][0]["ClientId"]
    return cognito, pool, app


def _accounts(folder: Path, count: int, log_ins: int) -> list[str]:
    """`count` accounts made and logged in `log_ins` times each, as the Portal does: their addresses."""
    cognito, pool, _ = _cognito(folder)
    emails = [f"bench-{n}-{uuid.uuid4().hex[:6]}@example.com" for n in range(count)]
    for email in emails:
        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        cognito.admin_create_user(
            UserPoolId=pool, Username=email, MessageAction="SUPPRESS", UserAttributes=attributes
        )
        cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    _log_in(folder, emails, log_ins)
    return emails


def _log_in(folder: Path, emails: list[str], times: int) -> None:
    cognito, pool, app = _cognito(folder)
    for _ in range(times):
        for email in emails:
            cognito.admin_initiate_auth(
                UserPoolId=pool,
                ClientId=app,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
            )


def _counter_updates(table: Any, count: int) -> None:
    """`count` changes as the API's request counter makes them (one UpdateItem each)."""
    for number in range(count):
        table.client.update_item(
            TableName=table.name,
            Key={"PK": {"S": f"BENCH#{number % 50}"}, "SK": {"S": "COUNTER"}},
            UpdateExpression="ADD hits :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )


def _loaded(output: str) -> tuple[str, float]:
    """The store's last start, from the server's log: the figure, and its seconds."""
    found = LOADED.findall(output)
    assert found, output
    replayed, seconds, cpu = found[-1]
    return f"{seconds} s ({cpu} s of CPU; {replayed} changes replayed)", float(seconds)


def _stopped(output: str, seconds: float) -> str:
    """A stop: how long `kairos-local` took, and the store's part, from its log."""
    found = STOPPED.findall(output)
    assert found, output
    store, cpu = found[-1]
    return f"{seconds:.1f} s (the store's snapshot: {store} s, {cpu} s of CPU)"


def _build(folder: Path, megabytes: float, accounts: int) -> tuple[list[str], float]:
    """A clinic through the API and the accounts, then the clinic copied up to `megabytes`: the accounts'
    addresses, and how long the first start, on the empty folder, took until the API answered."""
    began = time.monotonic()
    port = free_port()
    process, empty = _timed_start(folder, port)
    monday = datetime.now(ZONE).date() + timedelta(days=7 - datetime.now(ZONE).weekday())
    api = client(f"http://127.0.0.1:{port}/v1", local_store(folder))
    ids = clinic(api, SERVICE, 10, around_the_clock=False)
    book_many(api, ids, datetime.combine(monday, datetime.min.time(), ZONE), 300, clients=2)
    project = api.call("GET", "/project").json()["id"]
    emails = _accounts(folder, accounts, log_ins=3)
    stop_server(process)
    items = _copies(folder, project, megabytes)
    print(
        f"built: a clinic copied into {items:,} more items, {len(emails)} accounts logged in 3 times each, "
        f"in {time.monotonic() - began:.0f} s",
        flush=True,
    )
    return emails, empty


def _journal_generation(folder: Path) -> int:
    return max(int(path.stem.removeprefix("journal-")) for path in folder.glob("journal-*.log"))


def _changes(folder: Path, emails: list[str], until_compaction: bool) -> int:
    """A log-in of each account, then counter updates: 500 changes, or until the store starts a compaction
    (a new journal), so that kill -9 then leaves the longest journal a start can meet. How many."""
    generation = _journal_generation(folder)
    _log_in(folder, emails, times=1)
    changes = len(emails)
    table = local_store(folder).table
    while changes < 500 or (until_compaction and _journal_generation(folder) == generation):
        _counter_updates(table, 20)
        changes += 20
    return changes


def _timed_start(folder: Path, port: int, *, new_session: bool = False) -> tuple[Any, float]:
    began = time.monotonic()
    process = start_server(folder, port, BENCH_TOKEN, new_session=new_session)
    return process, time.monotonic() - began


def _timed_stop(process: Any) -> tuple[str, float]:
    began = time.monotonic()
    output = stop_server(process)
    return output, time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=100)
    parser.add_argument("--accounts", type=int, default=200)
    args = parser.parse_args()
    rows: list[Row] = []

    def report(what: str, figure: str, seconds: float | None) -> None:
        """A row; `seconds` None: a figure without a goal (the API's start is mostly its cold start)."""
        goal = f"<= {GOAL_SECONDS:.0f} s" if seconds is not None else "-"
        rows.append(Row(what, figure, goal, seconds is None or seconds <= GOAL_SECONDS))
        print(rows[-1].line(), flush=True)

    print(f"load average: {os.getloadavg()[0]:.1f} (2 cores: above 2, the figures are slower)", flush=True)
    with tempfile.TemporaryDirectory() as name:
        folder, port = Path(name), free_port()
        emails, empty = _build(folder, args.megabytes, args.accounts)
        size = f"{(folder / SNAPSHOT).stat().st_size / 1_000_000:.0f} MB"
        report("an empty folder: the API answers (for comparison)", f"{empty:.1f} s", None)

        process, ready = _timed_start(folder, port)
        changes = _changes(folder, emails, until_compaction=False)
        output, stopped = _timed_stop(process)
        report(f"start, {size} snapshot: the store loads", *_loaded(output))
        report("  ... and the API answers", f"{ready:.1f} s", None)
        report(f"stop (Ctrl-C) after {changes:,} changes", _stopped(output, stopped), stopped)

        process, _ = _timed_start(folder, port, new_session=True)
        changes = _changes(folder, emails, until_compaction=True)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process, ready = _timed_start(folder, port)
        time.sleep(10)  # the snapshot after a replay is written in the background
        output, stopped = _timed_stop(process)
        report(f"start after kill -9 as a compaction began ({changes:,} changes)", *_loaded(output))
        report("  ... and the API answers", f"{ready:.1f} s", None)
        report("stop (Ctrl-C), a few changes since the snapshot", _stopped(output, stopped), stopped)
    print(f"load average: {os.getloadavg()[0]:.1f}", flush=True)
    print()
    for row in rows:
        print(row.line())


if __name__ == "__main__":
    main()
