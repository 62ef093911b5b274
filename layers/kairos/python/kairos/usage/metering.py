"""The metering consumer: rolls `api.request` usage events up into the project's daily counters and writes
each into the request log. Each event is counted once, by its id, drawn by the API function before its
first send (`kairos.usage.events.usage_event`): a message sent again or redelivered finds its log entry,
which is written in the same transaction as the counts. A batch of events is counted in one write when
none of them was counted before, the usual case. Webhook delivery attempts are counted by the dispatcher
itself, straight into the same daily item."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from kairos.events.definitions import USAGE_SOURCE
from kairos.observability import logger
from kairos.usage.events import API_REQUEST
from kairos.usage.request_log import LoggedRequest

MOST_IN_ONE_WRITE = 40  # events counted in one transaction (two items at most each, of DynamoDB's 100)


@dataclass(frozen=True)
class CountedRequest:
    event_id: str
    project_id: str
    day: str  # YYYY-MM-DD, UTC
    duration_ms: int
    now: int  # epoch seconds of the request, from which its log entry expires
    logged: LoggedRequest


class RequestCounter(Protocol):
    def count_requests(self, requests: Sequence[CountedRequest]) -> bool:
        """Counts all in one write, once per event id; False, and nothing counted, if any was before."""


class Metering:
    def __init__(self, counter: RequestCounter) -> None:
        self._counter = counter

    def record(self, event: Mapping[str, Any]) -> bool:
        """Counts one usage event; False when it was counted before or is not ours."""
        request = _counted(event)
        return request is not None and self._counter.count_requests([request])

    def record_all(self, events: Sequence[Mapping[str, Any]]) -> bool:
        """Counts a batch of usage events in one write: the usual case, where none was counted before and
        all are ours. False, with nothing counted, otherwise: then count them one by one (`record`)."""
        requests = [_counted(event) for event in events]
        if len(requests) > MOST_IN_ONE_WRITE or any(r is None for r in requests):
            return False
        return self._counter.count_requests([r for r in requests if r is not None])


def _counted(event: Mapping[str, Any]) -> CountedRequest | None:
    if event.get("source") != USAGE_SOURCE or event.get("detail-type") != API_REQUEST:
        logger.warning("ignored a message of unknown shape on the usage queue")
        return None
    detail = event["detail"]
    at = datetime.fromisoformat(detail["time"])
    epoch_ms = int(detail.get("epoch_ms") or at.timestamp() * 1000)
    precise = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    status = int(detail["status"])
    logged = LoggedRequest(
        event_id=str(event["id"]),
        project_id=str(detail["project_id"]),
        at=precise,
        method=str(detail["method"]),
        path=str(detail.get("path") or detail.get("operation_id") or ""),
        status=status,
        duration_ms=int(detail["duration_ms"]),
        token_id=str(detail.get("token_id") or "") or None,
        token_name=str(detail.get("token_name") or "") or None,
        body=detail.get("body"),
        request_body=detail.get("request_body"),
    )
    return CountedRequest(
        event_id=logged.event_id,
        project_id=logged.project_id,
        day=at.date().isoformat(),
        duration_ms=logged.duration_ms,
        now=int(at.timestamp()),
        logged=logged,
    )
