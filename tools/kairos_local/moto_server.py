"""The local AWS: moto in server mode, with every request applied alone and every change to DynamoDB data
(and to Cognito's accounts, `cognito_state.py`) journaled before its answer leaves (see persistence.py),
items that outlive their TTL removed as DynamoDB removes them, and moto's slow paths patched (see
moto_patches/).

moto applies a DynamoDB transaction by copying and swapping the table, so two requests running at once can
lose writes. One lock around each request makes the emulated table behave like DynamoDB (each request
atomic), while the Kairos HTTP server in front stays concurrent, so a read-then-write race in Kairos still
shows up here as it would on AWS. The same lock orders the journal exactly as the changes were applied.

Run by `kairos-local` (and the CLI) with `--stop-with-stdin`: it then ignores Ctrl-C and SIGTERM, which
reach the whole process group, and stops when its parent closes its standard input (or dies), after the
parent has drained its own requests. It stops by writing a final snapshot.
"""

import argparse
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from kairos_local import cognito_state
from kairos_local.journal import DamagedData, Record
from kairos_local.persistence import TARGET_PREFIX, Store, changes_data

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]  # status line, headers, body
CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/")
DEFAULT_SWEEP_SECONDS = 30.0


def call(app: WSGIApp, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
    """One request through a WSGI app."""
    environ = EnvironBuilder(method=method, path=path, headers=headers, data=body).get_environ()
    answer: list[Any] = []

    def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer[:] = [status, headers]

    result = app(environ, keep)
    try:
        payload = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer[0], answer[1], payload


def _json_protocol_handlers() -> dict[str, Callable[..., Any]]:
    """moto's handler of each JSON-protocol service the local API uses, by X-Amz-Target prefix."""
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.events.responses import EventsHandler
    from moto.sqs.responses import SQSResponse

    return {
        "DynamoDB_20120810": DynamoHandler.dispatch,
        "DynamoDBStreams_20120810": DynamoDBStreamsHandler.dispatch,
        "AWSEvents": EventsHandler.dispatch,
        "AmazonSQS": SQSResponse.dispatch,
    }


class Direct:
    """Hands a JSON-protocol request straight to moto's handler of its service, as in-process moto does,
    instead of through moto's server app: that app finds the service by matching the host against every
    service's URL patterns, then routes through Flask, for about a third of the CPU of each call. Requests
    of other services go through the app."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app
        self._handlers = _json_protocol_handlers()

    def __call__(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        from moto.core.request import Request
        from werkzeug.exceptions import HTTPException

        target = _header(headers, "x-amz-target")
        handler = self._handlers.get(target.partition(".")[0]) if method == "POST" else None
        if handler is None:
            return call(self._app, method, path, headers, body)
        request = Request.from_primitives(
            method, f"http://{_header(headers, 'host') or 'localhost'}{path}", dict(headers), body
        )
        try:
            status, answer_headers, content = handler(request, request.raw_url, dict(request.headers))
        except HTTPException as error:
            status, content = error.code or 500, error.get_body()
            answer_headers = dict(error.get_headers())
        payload = content.encode("utf-8") if isinstance(content, str) else bytes(content or b"")
        reason = HTTPStatus(int(status)).phrase if int(status) in HTTPStatus._value2member_map_ else ""
        return f"{int(status)} {reason}", [(k, str(v)) for k, v in dict(answer_headers).items()], payload


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


class Gate:
    """moto behind one lock, with the journal: every request is applied alone, and a change to DynamoDB
    data is journaled before its answer is returned."""

    def __init__(self, app: WSGIApp, store: Store | None) -> None:
        self._moto = Direct(app)
        self._store = store
        self.lock = threading.Lock()
        self.compact_soon = threading.Event()

    def handle(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        target = _header(headers, "x-amz-target")
        with self.lock:
            answer = self._moto(method, path, headers, body)
            if self._store is not None and answer[0].startswith("200"):
                if changes_data(target):
                    self.journal(Record(target, *_caller(headers), body.decode("utf-8")))
                elif cognito_state.changes_state(target):
                    state = cognito_state.state_record()
                    if state is not None:
                        self.journal(state)
        return answer

    def journal(self, record: Record) -> None:
        """Appends a change (under the lock); asks for a compaction when the journal is long."""
        if self._store is not None and self._store.append(record):
            self.compact_soon.set()

    def apply(self, record: Record) -> tuple[int, bytes]:
        """Sends a journaled request to moto as its client did (for replay and the TTL sweep); the caller
        holds the lock or nothing else runs yet. Not journaled."""
        if record.target == cognito_state.TARGET:
            cognito_state.restore(record)
            return 200, b""
        credential = f"Credential={record.access_key}/20200101/{record.region}/dynamodb/aws4_request"
        headers = [
            ("X-Amz-Target", record.target),
            ("Content-Type", "application/x-amz-json-1.0"),
            ("Authorization", f"AWS4-HMAC-SHA256 {credential}"),
            ("Host", "127.0.0.1"),
        ]
        status, _, payload = self._moto("POST", "/", headers, record.body.encode("utf-8"))
        return int(status.split()[0]), payload


def _caller(headers: list[tuple[str, str]]) -> tuple[str, str]:
    """The access key id and region of a signed request (moto routes on both)."""
    found = CREDENTIAL.search(_header(headers, "authorization"))
    return (found.group(1), found.group(2)) if found else ("local", "us-east-1")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gate: Gate) -> None:
        super().__init__(address, _RequestHandler)
        self.gate = gate


class _RequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive in front of the gate. werkzeug's development server closes every connection
    after one answer, so each call to the store cost a connection and a thread on both sides; its
    keep-alive, when forced, hangs reading past the body. Here the body is read to its Content-Length
    (which every AWS SDK sends), and the connection is left at the next request line."""

    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are written apart: without it an answer can wait
    wbufsize = 1 << 16  # headers and body leave in one write (the base class flushes after each answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def _answer(self) -> None:
        if "Content-Length" not in self.headers and self.headers.get("Transfer-Encoding"):
            self.send_error(411, "A Content-Length is required")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, payload = self.server.gate.handle(
            self.command, self.path, list(self.headers.items()), body
        )
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


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


def sweep_expired(gate: Gate, now: float) -> int:
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
                gate.journal(record)
    return deleted


# --- the process -------------------------------------------------------------------------------------


def _compact(gate: Gate, store: Store) -> None:
    with gate.lock:
        snapshot = store.rotate(dump, cognito_state.state_record)
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
            sweep_expired(gate, time.time())
            next_sweep = time.monotonic() + sweep_seconds


def serve(host: str, port: int, data_dir: Path | None, stop_with_stdin: bool, sweep_seconds: float) -> None:
    from moto.server import DomainDispatcherApplication, create_backend_app  # type: ignore[attr-defined]

    from kairos_local import moto_patches

    store = Store(data_dir) if data_dir is not None else None  # holds the folder's lock from here
    moto_patches.install(cognito_state.signing_key(data_dir) if data_dir is not None else None)
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
    server = _Server((host, port), gate)
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
