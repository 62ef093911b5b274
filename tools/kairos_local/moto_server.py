"""The local AWS: moto in server mode, with every request applied alone and every change to DynamoDB data
journaled before its answer leaves (see persistence.py), items that outlive their TTL removed as DynamoDB
removes them, and moto's slow paths patched (see moto_patches/).

moto applies a DynamoDB transaction by copying and swapping the table, so two requests running at once can
lose writes. One lock around each request makes the emulated table behave like DynamoDB (each request
atomic), while the Kairos HTTP server in front stays concurrent, so a read-then-write race in Kairos still
shows up here as it would on AWS. The same lock orders the journal exactly as the changes were applied.

Run by `kairos-local` (and the CLI) with `--stop-with-stdin`: it then ignores Ctrl-C and SIGTERM, which
reach the whole process group, and stops when its parent closes its standard input (or dies), after the
parent has drained its own requests. It stops by writing a final snapshot.
"""

import argparse
import io
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from kairos_local.journal import DamagedData, Record
from kairos_local.persistence import TARGET_PREFIX, Store, changes_data

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/")
DEFAULT_SWEEP_SECONDS = 30.0
log = logging.getLogger("kairos_local.moto")


class Gate:
    """The WSGI app in front of moto: one request at a time, and the journal."""

    def __init__(self, app: WSGIApp, store: Store | None) -> None:
        self._app = app
        self._store = store
        self.lock = threading.Lock()
        self.compact_soon = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        answer: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer[:] = [status, headers]

        with self.lock:
            payload = _run(self._app, environ, keep)
            if self._store is not None and answer[0].startswith("200") and changes_data(target):
                access_key, region = _caller(environ)
                if self._store.append(Record(target, access_key, region, body.decode("utf-8"))):
                    self.compact_soon.set()
        start_response(*answer)
        return [payload]

    def apply(self, record: Record) -> tuple[int, bytes]:
        """Sends a request to moto as its client did (for replay and the TTL sweep); not journaled."""
        authorization = (
            f"AWS4-HMAC-SHA256 Credential={record.access_key}/20200101/{record.region}/dynamodb/aws4_request"
        )
        headers: dict[str, str] = {
            "X-Amz-Target": record.target,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": authorization,
            "Host": "127.0.0.1",
        }
        builder = EnvironBuilder(
            method="POST", path="/", data=record.body.encode("utf-8"), headers=list(headers.items())
        )
        answer: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer[:] = [status, headers]

        payload = _run(self._app, builder.get_environ(), keep)
        return int(answer[0].split()[0]), payload


def _run(app: WSGIApp, environ: dict[str, Any], start_response: Callable[..., Any]) -> bytes:
    result = app(environ, start_response)
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def _caller(environ: dict[str, Any]) -> tuple[str, str]:
    found = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    return (found.group(1), found.group(2)) if found else ("local", "us-east-1")


# --- moto's tables, read directly (the store's process only) ------------------------------------------


def _tables() -> Iterator[tuple[str, Any]]:
    """(region, table) for every table moto holds."""
    from moto.dynamodb.models import dynamodb_backends

    for account in list(dynamodb_backends.keys()):
        for region, backend in list(dynamodb_backends[account].items()):
            for table in list(backend.tables.values()):
                yield region, table


def _items(table: Any) -> list[Any]:
    if table.range_key_attr is None:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def dump() -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """Every table's items as DynamoDB JSON (fresh containers: moto's `to_json` copies them)."""
    for region, table in _tables():
        yield region, table.name, [item.to_json()["Attributes"] for item in _items(table)]


def load_items(created_by: Record, items: list[dict[str, Any]]) -> None:
    """Puts a snapshot's items straight into the table its first request created, with its stream off:
    they are old state, not changes."""
    import json

    from moto.dynamodb.models import dynamodb_backends
    from moto.iam.models import get_account_id_from

    backend = dynamodb_backends[get_account_id_from(created_by.access_key)][created_by.region]
    table = backend.get_table(json.loads(created_by.body)["TableName"])
    stream, table.stream_shard = table.stream_shard, None
    try:
        for item in items:
            table.put_item(item)
    finally:
        table.stream_shard = stream


def expired_keys(now: float) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """(region, table, key, TTL attribute) of each item whose TTL attribute is a number of epoch seconds
    in the past, as DynamoDB's TTL reads it."""
    for region, table in _tables():
        if table.ttl.get("TimeToLiveStatus") != "ENABLED":
            continue
        attribute = table.ttl["AttributeName"]
        for item in _items(table):
            value = item.attrs.get(attribute)
            if value is None or value.type != "N":
                continue
            try:
                expired = Decimal(value.value) <= Decimal(now)
            except InvalidOperation:
                continue
            if expired:
                key = {table.hash_key_attr: item.hash_key.to_json()}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = item.range_key.to_json()
                yield region, table.name, key, attribute


def sweep_expired(gate: Gate, store: Store | None, now: float) -> int:
    """Deletes the expired items, each as a DeleteItem that checks it is still expired (so the stream
    shows a REMOVE, as with DynamoDB's TTL), journaled like any other change. How many."""
    import json

    deleted = 0
    with gate.lock:
        for region, table, key, attribute in list(expired_keys(now)):
            body = {
                "TableName": table,
                "Key": key,
                "ConditionExpression": "#ttl <= :now",
                "ExpressionAttributeNames": {"#ttl": attribute},
                "ExpressionAttributeValues": {":now": {"N": str(int(now))}},
            }
            record = Record(TARGET_PREFIX + "DeleteItem", "local", region, json.dumps(body))
            status, _ = gate.apply(record)
            if status == 200:
                deleted += 1
                if store is not None:
                    store.append(record)
    return deleted


# --- the process -------------------------------------------------------------------------------------


def _compact(gate: Gate, store: Store) -> None:
    with gate.lock:
        snapshot = store.rotate(dump)
    store.commit(snapshot)


def _background(gate: Gate, store: Store | None, sweep_seconds: float, stop: threading.Event) -> None:
    """Sweeps expired items every `sweep_seconds`, and compacts when the journal asks for it."""
    next_sweep = time.monotonic() + sweep_seconds
    while not stop.is_set():
        if gate.compact_soon.wait(timeout=max(0.0, next_sweep - time.monotonic())):
            gate.compact_soon.clear()
            if store is not None and not stop.is_set():
                _compact(gate, store)
        if time.monotonic() >= next_sweep:
            sweep_expired(gate, store, time.time())
            next_sweep = time.monotonic() + sweep_seconds


def serve(host: str, port: int, data_dir: Path | None, stop_with_stdin: bool, sweep_seconds: float) -> None:
    from moto.server import DomainDispatcherApplication, create_backend_app  # type: ignore[attr-defined]

    from kairos_local import moto_patches

    moto_patches.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    store = Store(data_dir) if data_dir is not None else None
    gate = Gate(DomainDispatcherApplication(create_backend_app), store)
    if store is not None:
        started = time.monotonic()
        replayed = store.restore(gate.apply, load_items)
        _compact(gate, store)
        print(
            f"Local store: {data_dir} loaded ({replayed} journaled changes replayed) in "
            f"{time.monotonic() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    server = make_server(host, port, gate, threaded=True)
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, name="moto-http", daemon=True).start()
    threading.Thread(target=_background, args=(gate, store, sweep_seconds, stop), daemon=True).start()
    if stop_with_stdin:
        while sys.stdin.buffer.read(4096):
            pass
    else:
        for received in (signal.SIGINT, signal.SIGTERM):
            signal.signal(received, lambda signum, frame: stop.set())
        stop.wait()
    stop.set()
    server.shutdown()
    if store is not None:
        _compact(gate, store)
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="moto with one request at a time, journaled to a folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, help="where data is kept (none: in memory only)")
    parser.add_argument("--stop-with-stdin", action="store_true", help="stop when standard input closes")
    parser.add_argument("--sweep-seconds", type=float, default=DEFAULT_SWEEP_SECONDS, help="TTL sweep period")
    args = parser.parse_args()
    if args.stop_with_stdin:
        for received in (signal.SIGINT, signal.SIGTERM):
            signal.signal(received, signal.SIG_IGN)  # they reach the whole group: the parent stops first
    try:
        serve(args.host, args.port, args.data_dir, args.stop_with_stdin, args.sweep_seconds)
    except DamagedData as error:
        print(f"The local store cannot start: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
