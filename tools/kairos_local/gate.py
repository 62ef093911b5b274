"""The gate in front of moto: every request applied alone, under one lock, and every change kept.

moto applies a DynamoDB transaction by copying and swapping the table, so two requests running at once can
lose writes. One lock around each request makes the emulated table behave like DynamoDB (each request
atomic), while the Kairos HTTP server in front stays concurrent, so a read-then-write race in Kairos still
shows up here as it would on AWS. The same lock orders the journal exactly as the changes were applied: a
change to DynamoDB data is journaled before moto applies it (journal.py), a change to the accounts right
after (cognito_state.py), and a change the data folder has no room for is refused with the error
`kairos.aws_clients.STORE_FULL` (HTTP 507, which no AWS SDK retries), kept by neither moto nor the journal.
"""

import json
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from werkzeug.test import EnvironBuilder

from kairos.aws_clients import STORE_FULL
from kairos_local import cognito_state
from kairos_local.journal import NoRoom, Record
from kairos_local.persistence import Store, changes_data

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]  # status line, headers, body
CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/")
FULL_MESSAGE = "Nothing was written: the data folder is full. Make room on its disk and try again."


def say(message: str) -> None:
    """A line of the store's log."""
    print(f"Local store: {message}", file=sys.stderr, flush=True)


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
    """moto behind one lock, with the journal: every request is applied alone; a change to DynamoDB data is
    journaled before moto applies it, a change to the accounts right after (cognito_state.py); a change
    the data folder has no room for is refused, and neither moto nor the journal keeps it."""

    def __init__(self, app: WSGIApp, store: Store | None) -> None:
        self._moto = Direct(app)
        self._store = store
        self.accounts = cognito_state.Accounts()
        self.lock = threading.Lock()
        self.compact_soon = threading.Event()
        self._full = False  # refusing writes for lack of room, said once in the log

    def handle(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        target = _header(headers, "x-amz-target")

        def send() -> Answer:
            return self._moto(method, path, headers, body)

        with self.lock:
            if self._store is not None and changes_data(target):
                return self._write_ahead(self._store, Record(target, *_caller(headers), body.decode()), send)
            if self._store is not None and cognito_state.changes_state(target):
                return self._journal_accounts(self._store, send)
            return send()

    def write(self, record: Record) -> bool:
        """Applies a change of the store's own (the TTL sweep) as a client's, under the lock; True when
        moto applied it."""
        if self._store is None:
            return self.apply(record)[0] == 200
        answer = self._write_ahead(self._store, record, lambda: self._send(record))
        return answer[0].startswith("200")

    def _write_ahead(self, store: Store, record: Record, send: Callable[[], Answer]) -> Answer:
        try:
            store.append(record)
        except NoRoom as error:
            return self._refuse(store, error)
        self._room_again()
        started = time.thread_time()
        try:
            answer = send()
        except BaseException:
            store.cut()
            raise
        if answer[0].startswith("200"):
            store.applied(record, time.thread_time() - started)
            if store.due:
                self.compact_soon.set()
        else:
            store.cut()  # moto refused it: nothing changed
        return answer

    def _journal_accounts(self, store: Store, send: Callable[[], Answer]) -> Answer:
        answer = send()
        changes = self.accounts.changes()
        if changes:
            try:
                store.append(cognito_state.changes_record(changes))
            except NoRoom as error:
                self.accounts.undo(changes)
                return self._refuse(store, error)
            self.accounts.commit(changes)
            self._room_again()
            if store.due:
                self.compact_soon.set()
        return answer

    def _refuse(self, store: Store, error: NoRoom) -> Answer:
        if not self._full:
            say(f"the data folder {store.folder} is full ({error}): writes are refused until there is room")
            self._full = True
        body = json.dumps({"__type": STORE_FULL, "message": FULL_MESSAGE}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", STORE_FULL)]
        return "507 Insufficient Storage", headers, body

    def _room_again(self) -> None:
        if self._full:
            say("there is room in the data folder again: writes are taken")
            self._full = False

    def apply(self, record: Record) -> tuple[int, bytes]:
        """Applies a journaled record (replay), the caller holding the lock or nothing else running yet.
        Not journaled."""
        if record.target in (cognito_state.TARGET, cognito_state.WHOLE):
            cognito_state.apply(record)
            return 200, b""
        status, _, payload = self._send(record)
        return int(status.split()[0]), payload

    def _send(self, record: Record) -> Answer:
        """A DynamoDB request to moto as its client sent it."""
        credential = f"Credential={record.access_key}/20200101/{record.region}/dynamodb/aws4_request"
        headers = [
            ("X-Amz-Target", record.target),
            ("Content-Type", "application/x-amz-json-1.0"),
            ("Authorization", f"AWS4-HMAC-SHA256 {credential}"),
            ("Host", "127.0.0.1"),
        ]
        return self._moto("POST", "/", headers, record.body.encode("utf-8"))


def _caller(headers: list[tuple[str, str]]) -> tuple[str, str]:
    """The access key id and region of a signed request (moto routes on both)."""
    found = CREDENTIAL.search(_header(headers, "authorization"))
    return (found.group(1), found.group(2)) if found else ("local", "us-east-1")
