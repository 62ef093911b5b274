"""Puts events on the bus: in calls of at most 10 entries and 256 KB (PutEvents' limits), and loudly: an
entry EventBridge refused fails the whole call, so the stream batch that produced it is retried and no
event is lost (delivery is at-least-once; consumers drop repeats by the envelope id)."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kairos import aws_clients
from kairos.config import Settings
from kairos.events.contract import EventEnvelope, envelope_json
from kairos.events.definitions import BUS_NAME, DOMAIN_SOURCE

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef
else:
    EventBridgeClient = Any
    PutEventsRequestEntryTypeDef = dict

MAX_ENTRIES = 10
MAX_BYTES = 256 * 1024


class PublishFailed(RuntimeError):
    """EventBridge refused at least one entry (or one is too large to send at all)."""


@dataclass(frozen=True)
class BusEvent:
    source: str
    detail_type: str
    detail: str  # JSON

    @property
    def size(self) -> int:
        """The entry size as EventBridge counts it (UTF-8 bytes of its fields, 14 for the time)."""
        return len(self.source.encode()) + len(self.detail_type.encode()) + len(self.detail.encode()) + 14


def domain_event(envelope: EventEnvelope) -> BusEvent:
    return BusEvent(DOMAIN_SOURCE, str(envelope["type"]), envelope_json(envelope))


def make_events_client(settings: Settings) -> EventBridgeClient:
    """The endpoint comes from the environment (AWS_ENDPOINT_URL_EVENTBRIDGE, set locally)."""
    events: EventBridgeClient = aws_clients.client("events", region_name=settings.region)
    return events


class Publisher:
    """The client is made by the first call that sends something (`connect`): a stream batch that maps to
    no event needs none, and a cold start does not wait for botocore to load EventBridge's model."""

    def __init__(self, connect: Callable[[], EventBridgeClient], bus_name: str = BUS_NAME) -> None:
        self._connect = connect
        self._bus = bus_name

    @cached_property
    def _client(self) -> EventBridgeClient:
        return self._connect()

    def publish(self, events: Sequence[BusEvent]) -> None:
        for chunk in _chunks(events):
            entries: list[PutEventsRequestEntryTypeDef] = [
                {
                    "Source": e.source,
                    "DetailType": e.detail_type,
                    "Detail": e.detail,
                    "EventBusName": self._bus,
                }
                for e in chunk
            ]
            response = self._client.put_events(Entries=entries)
            if response.get("FailedEntryCount", 0):
                failed = [
                    f"{chunk[n].detail_type}: {r.get('ErrorCode')} {r.get('ErrorMessage')}"
                    for n, r in enumerate(response["Entries"])
                    if "ErrorCode" in r
                ]
                raise PublishFailed(f"EventBridge refused {len(failed)} of {len(chunk)} entries: {failed}")


def _chunks(events: Sequence[BusEvent]) -> Iterator[list[BusEvent]]:
    """Consecutive runs of at most MAX_ENTRIES entries and MAX_BYTES, in order."""
    chunk: list[BusEvent] = []
    size = 0
    for event in events:
        if event.size > MAX_BYTES:
            raise PublishFailed(f"a {event.detail_type} event of {event.size} bytes exceeds {MAX_BYTES}")
        if len(chunk) == MAX_ENTRIES or size + event.size > MAX_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(event)
        size += event.size
    if chunk:
        yield chunk
