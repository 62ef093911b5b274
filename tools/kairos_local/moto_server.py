"""The local AWS: moto in server mode behind the gate (gate.py: every request applied alone, every change
journaled, see persistence.py), items that outlive their TTL removed as DynamoDB removes them, and moto's
slow paths patched (see moto_patches/).

Run by `kairos-local` (and the CLI) with `--stop-with-stdin`: it then ignores Ctrl-C and SIGTERM, which
reach the whole process group, and stops when its parent closes its standard input (or dies), after the
parent has drained its own requests. It stops by writing a snapshot when the journal holds changes.
"""

import argparse
import gc
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kairos_local import tables
from kairos_local.gate import Gate, say
from kairos_local.journal import DamagedData, NoRoom, Record, Say
from kairos_local.moto_process import STOP_POLL_SECONDS, STORE_REFUSED
from kairos_local.persistence import Store
from kairos_local.snapshot import TARGET_PREFIX

DEFAULT_SWEEP_SECONDS = 30.0
RETRY_COMPACTION_SECONDS = 60.0


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


def sweep_expired(gate: Gate, now: float) -> int:
    """Deletes the expired items, each as a DeleteItem that checks it is still expired (so the stream
    shows a REMOVE, as with DynamoDB's TTL), journaled like any other change. How many."""
    deleted = 0
    with gate.lock:
        for region, table, key, attribute in list(tables.expired_keys(now)):
            body = {
                "TableName": table,
                "Key": key,
                "ConditionExpression": "#ttl <= :now",
                "ExpressionAttributeNames": {"#ttl": attribute},
                "ExpressionAttributeValues": {":now": {"N": str(int(now))}},
            }
            deleted += gate.write(Record(TARGET_PREFIX + "DeleteItem", "local", region, json.dumps(body)))
    return deleted


# --- the process -------------------------------------------------------------------------------------


def compact(gate: Gate, store: Store) -> bool:
    """A snapshot of everything, the journals it covers deleted; False when the disk had no room."""
    with gate.lock:
        snapshot = store.rotate(tables.dump, gate.accounts.records)
    try:
        store.commit(snapshot)
    except NoRoom as error:
        say(f"no snapshot was written ({error}); the journals keep every change")
        return False
    return True


def _background(gate: Gate, store: Store | None, sweep_seconds: float, stop: threading.Event) -> None:
    """Sweeps expired items every `sweep_seconds`, and compacts when asked (again after a minute when the
    disk had no room)."""
    next_sweep = time.monotonic() + sweep_seconds
    next_compaction = 0.0
    while not stop.is_set():
        if gate.compact_soon.wait(timeout=max(0.0, next_sweep - time.monotonic())):
            if store is not None and not stop.is_set() and time.monotonic() >= next_compaction:
                gate.compact_soon.clear()
                if not compact(gate, store):
                    next_compaction = time.monotonic() + RETRY_COMPACTION_SECONDS
            else:
                stop.wait(1.0)
        if time.monotonic() >= next_sweep:
            sweep_expired(gate, time.time())
            next_sweep = time.monotonic() + sweep_seconds


def restore(gate: Gate, store: Store, damaged: Say | None = None) -> int:
    """Loads the data folder (the collector off meanwhile: it would walk the growing heap again and again,
    for most of the time a large folder takes), then freezes what was loaded out of its reach."""
    gc.disable()
    try:
        replayed = store.restore(gate.apply, tables.loader, damaged or say, damaged)
        gate.accounts.commit(gate.accounts.changes())  # what the journal holds from now on
        store.open()
    finally:
        gc.freeze()
        gc.enable()
    return replayed


def serve(host: str, port: int, data_dir: Path | None, stop_with_stdin: bool, sweep_seconds: float) -> None:
    from moto.server import DomainDispatcherApplication, create_backend_app  # type: ignore[attr-defined]

    from kairos_local import cognito_state, moto_patches

    store = Store(data_dir) if data_dir is not None else None  # holds the folder's lock from here
    moto_patches.install(cognito_state.signing_key(data_dir) if data_dir is not None else None)
    gate = Gate(DomainDispatcherApplication(create_backend_app), store)
    if store is not None:
        started = _clocks()
        replayed = restore(gate, store)
        say(f"{data_dir} loaded ({replayed} journaled changes replayed) in {_since(started)}")
        if replayed:
            gate.compact_soon.set()  # a snapshot, in the background
    server = _Server((host, port), gate)
    stop = threading.Event()
    threading.Thread(
        target=server.serve_forever, args=(STOP_POLL_SECONDS,), name="moto-http", daemon=True
    ).start()
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
        started = _clocks()
        if store.changed():
            compact(gate, store)
        store.close()
        say(f"stopped in {_since(started)}")


def _clocks() -> tuple[float, float]:
    return time.monotonic(), time.process_time()


def _since(started: tuple[float, float]) -> str:
    """The time since `started`, and the CPU time of it: on a busy machine they differ."""
    wall, cpu = _clocks()
    return f"{wall - started[0]:.1f} s ({cpu - started[1]:.1f} s of CPU)"


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
        raise SystemExit(STORE_REFUSED) from None
    except NoRoom as error:
        print(
            f"The local store cannot start: the data folder {args.data_dir} is full ({error}); "
            "make room on its disk and start again",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(STORE_REFUSED) from None
    os._exit(0)  # everything is saved and closed: freeing a large heap object by object takes seconds


if __name__ == "__main__":
    main()
