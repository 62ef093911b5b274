"""The API request log: one entry per counted API request (method, path with query, status, processing
time, token, time; the request's and the answer's bodies, secrets redacted and cut: `kept_body`), kept
30 days. Entries are written by the metering
consumer from the usage events the API already sends (`kairos.usage.events`), so the log adds no
DynamoDB round trip to an API request. Listed newest first with filters and an opaque cursor."""

import base64
import binascii
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from kairos.domain.shared.queries import Errors, int_param, raise_if, timestamp_param
from kairos.values.formats import SPACE, format_timestamp, now_utc

KEPT_FOR = timedelta(days=30)
DEFAULT_PAGE = 25
MAX_PAGE = 100
MOST_READ = 1000  # entries examined for one page at most: a narrow filter answers with a cursor to go on
POSITION = re.compile(r"\d{15}#[\w-]{1,100}", re.ASCII)  # what a cursor holds: a log entry's sort key
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# The filters as the admin OpenAPI document states them (whitespace alone is no filter, as empty is).
STATUS_FILTER = re.compile(f"[{SPACE}]*(?:([2-5])[xX]{{2}}|([1-5][0-9]{{2}}))?[{SPACE}]*")
PATH_FILTER = f"^[{SPACE}]*(/|$)"
METHOD_FILTER = "|".join("".join(f"[{c}{c.lower()}]" for c in m) for m in sorted(METHODS)).join(
    (f"^[{SPACE}]*(", f")?[{SPACE}]*$")
)


@dataclass(frozen=True)
class LoggedRequest:
    event_id: str
    project_id: str
    at: datetime
    method: str
    path: str  # with the query
    status: int
    duration_ms: int
    token_id: str | None
    token_name: str | None
    body: str | None  # the answer's (`kairos.usage.events.kept_body`)
    request_body: str | None = None  # the request's, the same way


class RequestLogReader(Protocol):
    def read_log(
        self, project_id: str, first: datetime | None, last: datetime | None, after: str | None
    ) -> Iterator[tuple[str, LoggedRequest]]:
        """Entries newest first between `first` and `last`, each with its cursor position, starting
        after the position `after`; their bodies may be left out (`with_bodies`)."""

    def with_bodies(self, entries: Sequence[LoggedRequest]) -> list[LoggedRequest]:
        """The entries with their bodies, in one round trip at most: read for a page's rows alone."""


def render_logged(entry: LoggedRequest) -> dict[str, Any]:
    return {
        "id": entry.event_id,
        "time": format_timestamp(entry.at),
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "duration_ms": entry.duration_ms,
        "token": {"id": entry.token_id, "name": entry.token_name} if entry.token_id else None,
        "request_body": entry.request_body,
        "response_body": entry.body,
    }


@dataclass(frozen=True)
class LogFilter:
    status_class: int | None = None  # 2, 3, 4, 5
    status: int | None = None
    method: str | None = None
    path_prefix: str | None = None

    def keeps(self, entry: LoggedRequest) -> bool:
        return (
            (self.status_class is None or entry.status // 100 == self.status_class)
            and (self.status is None or entry.status == self.status)
            and (self.method is None or entry.method == self.method)
            and (self.path_prefix is None or entry.path.startswith(self.path_prefix))
        )


def _filter(query: Mapping[str, str], errors: Errors) -> LogFilter:
    status_class = status = None
    found = STATUS_FILTER.fullmatch(query.get("status", ""))
    if found is None:
        errors["status"] = ["The status field must be a status code (404) or a class (4xx)."]
    elif found[1]:
        status_class = int(found[1])
    elif found[2]:
        status = int(found[2])
    method = query.get("method", "").strip().upper() or None
    if method is not None and method not in METHODS:
        errors["method"] = ["The selected method is invalid."]
    path = query.get("path", "").strip() or None
    if path is not None and not path.startswith("/"):
        errors["path"] = ["The path field must start with /."]
    return LogFilter(status_class, status, method, path)


def encode_cursor(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def _cursor(query: Mapping[str, str], errors: Errors) -> str | None:
    raw = query.get("cursor", "").strip()
    if not raw:
        return None
    try:
        position = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        position = ""
    if not POSITION.fullmatch(position):
        errors["cursor"] = ["The cursor field is invalid."]
        return None
    return position


class RequestLog:
    def __init__(self, reader: RequestLogReader, clock: Callable[[], datetime] = now_utc) -> None:
        self._reader = reader
        self._clock = clock

    def page(self, project_id: str, query: Mapping[str, str]) -> dict[str, Any]:
        """`data` newest first, and `next_cursor` (None at the end) to ask for the next page with."""
        errors: Errors = {}
        wanted = _filter(query, errors)
        limit = int_param(query, "limit", errors, default=DEFAULT_PAGE, low=1, high=MAX_PAGE)
        after = _cursor(query, errors)
        first = timestamp_param(query, "from", errors, required=False)
        last = timestamp_param(query, "to", errors, required=False)
        if first and last and last < first:
            errors["to"] = ["The to field must be a date after or equal to from."]
        raise_if(errors)
        rows: list[LoggedRequest] = []
        next_position: str | None = None  # None: the log is exhausted
        for read, (position, entry) in enumerate(self._reader.read_log(project_id, first, last, after), 1):
            if wanted.keeps(entry):
                rows.append(entry)
            if len(rows) == limit or read == MOST_READ:
                next_position = position
                break
        data = [render_logged(entry) for entry in self._reader.with_bodies(rows)]
        return {"data": data, "next_cursor": encode_cursor(next_position) if next_position else None}
