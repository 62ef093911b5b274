"""What the calendar subscriptions service needs of storage and of the network (ports; adapters in
`kairos.storage.calendar_subscription_store` and `kairos.calendars.fetch`)."""

from dataclasses import dataclass
from typing import Protocol

from kairos.domain.shared.records import CalendarBusy, Record


class TooManySubscriptions(Exception):
    """The resource already has the most calendar subscriptions it may have (decided at the write)."""


@dataclass(frozen=True)
class Fetched:
    """A feed's answer: its document (None: not modified since the validators sent) and its validators."""

    document: bytes | None
    etag: str | None
    last_modified: str | None


class FeedError(Exception):
    """The feed could not be fetched; the message says why (shown in `last_error`)."""


class FeedFetcher(Protocol):
    def __call__(self, url: str, etag: str | None, last_modified: str | None) -> Fetched: ...


class CalendarSubscriptionRepository(Protocol):
    def create(self, project_id: str, resource_id: str, record: Record, limit: int) -> None:
        """Raises TooManySubscriptions when the resource has `limit` already."""

    def list_all(self, project_id: str, resource_id: str) -> list[Record]: ...

    def get(self, project_id: str, resource_id: str, subscription_id: str) -> Record | None: ...

    def every(self) -> list[tuple[str, str, Record]]:
        """Every subscription of every project: (project id, resource id, subscription)."""

    def replace(
        self,
        project_id: str,
        resource_id: str,
        record: Record,
        expected_version: int,
        busy: CalendarBusy | None,
    ) -> None:
        """Writes `record` if its stored version is `expected_version` (else Conflict), and with it, when
        given, the busy set that replaces the subscription's in the resource's timeline head, or its new
        name there. Raises Conflict when the subscription is gone or changed."""

    def delete(self, project_id: str, resource_id: str, record: Record) -> None:
        """Deletes it and its busy times together; NotFound when it is already gone."""
