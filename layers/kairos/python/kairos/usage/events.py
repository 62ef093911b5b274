"""Usage events: one per counted API request, sent to the usage queue after the handler ran (the adapter:
`kairos.messaging.usage_queue`). The metering consumer counts them and writes the request log from them.

An event has an id of its own, drawn when it is made: the metering consumer counts an id once, so an
event sent twice (a send that timed out but landed, then retried) is counted once.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from kairos.events.definitions import USAGE_SOURCE

API_REQUEST = "api.request"
BODY_KEPT_CHARS = 4000  # of a request's and an answer's body: Hapio's error shape with every field fits
REDACTED = "[redacted]"
# What a body must never carry into the log: the value of any key naming a secret, and any long run of
# letters and digits, which is how Kairos' secrets look (an API token: 48; a webhook's signing secret and a
# calendar feed's key: 64 hex digits, the feed's also inside its `url`). Ids are UUIDs, cut by hyphens.
SECRET_KEY = re.compile(r"secret|token|password|authorization|api[_-]?key", re.IGNORECASE)
OPAQUE_RUN = 40  # characters: the shortest run taken for a secret
OPAQUE = re.compile(rf"[A-Za-z0-9]{{{OPAQUE_RUN},}}")
PARSED_AT_MOST = 64_000  # characters: a longer body (a full page of a list) is not parsed on the request


@dataclass(frozen=True)
class ApiRequest:
    project_id: str
    method: str
    operation_id: str
    status: int
    duration_ms: int
    time: str  # YYYY-MM-DDThh:mm:ss+00:00
    # For the request log (kairos.usage.request_log); events sent before it lack them.
    path: str = ""  # as the client called it, with the query
    epoch_ms: int = 0  # the time to the millisecond, which orders the log
    token_id: str = ""
    token_name: str = ""
    body: str | None = None  # the answer's body (`kept_body`)
    request_body: str | None = None  # the request's body (`kept_body`)


class UsageEmitter(Protocol):
    def emit(self, request: ApiRequest) -> None:
        """Sends the event; never raises."""


def usage_event(request: ApiRequest, event_id: str) -> dict[str, Any]:
    """The usage queue's message: an EventBridge event's shape, as the usage rule delivered it before the
    events left the bus, so the metering consumer (`kairos.usage.metering`) reads either the same way."""
    return {
        "version": "0",
        "id": event_id,
        "source": USAGE_SOURCE,
        "detail-type": API_REQUEST,
        "time": request.time,
        "detail": asdict(request),
    }


def _redacted_json(value: Any) -> Iterator[str]:
    """`json.dumps(value, ensure_ascii=False)` of `value` with its secrets redacted, in pieces, so that a
    caller keeping only the start reads and redacts no further (a listing's answer is often many times
    BODY_KEPT_CHARS): the value under a secret's key is REDACTED, a long opaque run in a string too."""
    if isinstance(value, dict):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield f"{', ' if number else ''}{json.dumps(key, ensure_ascii=False)}: "
            if SECRET_KEY.search(str(key)):
                yield json.dumps(REDACTED)
            else:
                yield from _redacted_json(item)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for number, item in enumerate(value):
            if number:
                yield ", "
            yield from _redacted_json(item)
        yield "]"
    elif isinstance(value, str):
        yield json.dumps(OPAQUE.sub(REDACTED, value), ensure_ascii=False)
    else:
        yield json.dumps(value)


def kept_body(text: str | None) -> str | None:
    """A body as the request log may keep it: secrets replaced by REDACTED (in JSON, under a secret's key,
    and wherever a long opaque string stands), then cut to BODY_KEPT_CHARS. None for no body."""
    if not text:
        return None
    try:
        if len(text) > PARSED_AT_MOST:
            raise ValueError("too long to parse for the log: its secrets are found by their shape alone")
        parsed = json.loads(text)
        pieces, length = [], 0
        for piece in _redacted_json(parsed):
            pieces.append(piece)
            length += len(piece)
            if length >= BODY_KEPT_CHARS:
                break
    except (ValueError, RecursionError):  # not JSON, or nested past what the parser and the redaction recurse
        return _redacted_start(text)
    return "".join(pieces)[:BODY_KEPT_CHARS]


def _redacted_start(text: str) -> str:
    """`OPAQUE.sub(REDACTED, text)[:BODY_KEPT_CHARS]` (redacted before the cut: no secret is kept in part),
    reading the text only as far as it keeps: an answer past PARSED_AT_MOST (a 52-week series, a full page
    of a list) was scanned whole for its first 4,000 characters, about 1.4 ms for 130 KB. Each search looks
    OPAQUE_RUN characters past what is still to keep, so a run starting inside it is seen, then followed
    to its end."""
    pieces: list[str] = []
    kept = at = 0
    while kept < BODY_KEPT_CHARS and at < len(text):
        wanted = BODY_KEPT_CHARS - kept
        found = OPAQUE.search(text, at, at + wanted + OPAQUE_RUN)
        if found is None or found.start() - at >= wanted:
            pieces.append(text[at : at + wanted])
            break
        pieces += [text[at : found.start()], REDACTED]
        kept += found.start() - at + len(REDACTED)
        run = OPAQUE.match(text, found.start())  # the whole run, past the search's end
        assert run is not None
        at = run.end()
    return "".join(pieces)[:BODY_KEPT_CHARS]
