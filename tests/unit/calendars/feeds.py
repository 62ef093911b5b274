"""A calendar feed the unit tests control, and the subscriptions service reading it (the fixtures `feed` and
`calendars`, in tests/unit/conftest.py)."""

from datetime import UTC, datetime

from kairos.calendars.ports import FeedError, Fetched
from tests.unit.clinic import DAY

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # the subscriptions service's clock
URL = "http://127.0.0.1:9/basic.ics"


class Feed:
    def __init__(self) -> None:
        self.document: bytes | None = None
        self.failure: str | None = None

    def busy_at(self, *hours: int) -> None:
        """Busy on DAY for an hour from each of `hours` (UTC); none: a calendar with no event."""
        day = DAY.replace("-", "")
        events = "".join(
            f"BEGIN:VEVENT\r\nUID:{hour}\r\nDTSTART:{day}T{hour:02}0000Z\r\n"
            f"DTEND:{day}T{hour + 1:02}0000Z\r\nEND:VEVENT\r\n"
            for hour in hours
        )
        self.document = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n".encode()

    def __call__(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        if self.failure:
            raise FeedError(self.failure)
        return Fetched(self.document, None, None)
