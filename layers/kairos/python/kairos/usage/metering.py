"""The metering consumer: rolls `api.request` usage events up into the project's daily counters. Each
event is counted once, by its EventBridge id (a redelivered message finds its marker). Webhook delivery
attempts are counted by the dispatcher itself, straight into the same daily item."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from kairos.events.definitions import USAGE_SOURCE
from kairos.observability import logger
from kairos.usage.events import API_REQUEST


class RequestCounter(Protocol):
    def count_request(self, event_id: str, project_id: str, day: str, duration_ms: int, now: int) -> bool: ...


class Metering:
    def __init__(self, counter: RequestCounter) -> None:
        self._counter = counter

    def record(self, event: Mapping[str, Any]) -> bool:
        """Counts one EventBridge usage event; False when it was counted before or is not ours."""
        if event.get("source") != USAGE_SOURCE or event.get("detail-type") != API_REQUEST:
            logger.warning("ignored a message of unknown shape on the usage queue")
            return False
        detail = event["detail"]
        at = datetime.fromisoformat(detail["time"])
        return self._counter.count_request(
            event_id=str(event["id"]),
            project_id=str(detail["project_id"]),
            day=at.date().isoformat(),
            duration_ms=int(detail["duration_ms"]),
            now=int(at.timestamp()),
        )
