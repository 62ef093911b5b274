"""Webhook subscriptions: a url, the event types it wants (or `*` for all), enabled, and its secret.

A subscription is stored as a project entity (kind `webhook`) through the catalogue repository, so it gets
the same versioned replace and the same cascade on delete (its delivery log). The secret is stored as is
(there is no KMS locally) and rendered only twice: in the answer to the create and to a rotation. A rotation
keeps the previous secret valid for 24 hours, so receivers can switch without losing a delivery.
"""

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import FieldType, ListSpec, Page, select
from kairos.domain.shared.ports import CatalogueRepository, require
from kairos.domain.shared.records import Record
from kairos.errors import NotFound, ValidationFailed
from kairos.events.definitions import EVENT_TYPES
from kairos.outbound.ssrf import UnsafeUrl, checked_address, loopback_allowed
from kairos.values.formats import format_timestamp, now_utc, stored_timestamp
from kairos.values.ids import new_id
from kairos.values.text import check_description, check_url_characters

KIND = "webhook"
ALL_EVENTS = "*"
ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 1000
SECRET_PREFIX = "whsec_"
_PRIVATE = ("secret", "previous_secret", "previous_secret_expires_at")
LIST_SPEC = ListSpec(
    bracket_fields={"created_at": FieldType.TIMESTAMP, "updated_at": FieldType.TIMESTAMP},
    sort_keys=("created_at", "updated_at", "url"),
)

UrlCheck = Callable[[str], None]


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(32)


def check_public_url(url: str) -> None:
    """Raises UnsafeUrl unless `url` resolves to public addresses only (loopback when allowed locally)."""
    checked_address(url, loopback_allowed())


@dataclass(frozen=True)
class Subscription:
    """What the dispatcher needs of a subscription."""

    id: str
    project_id: str
    url: str
    events: tuple[str, ...]
    enabled: bool
    secret: str
    previous_secret: str | None
    previous_secret_expires_at: datetime | None

    def wants(self, event_type: str) -> bool:
        return self.enabled and (ALL_EVENTS in self.events or event_type in self.events)

    def valid_secrets(self, at: datetime) -> list[str]:
        """The current secret, and the previous one while its 24 hours last."""
        kept = self.previous_secret is not None and self.previous_secret_expires_at is not None
        if kept and at < self.previous_secret_expires_at:  # type: ignore[operator]
            return [self.secret, str(self.previous_secret)]
        return [self.secret]


def subscription_of(project_id: str, record: Record) -> Subscription:
    doc = record.doc
    expires = doc.get("previous_secret_expires_at")
    return Subscription(
        id=record.id,
        project_id=project_id,
        url=doc["url"],
        events=tuple(doc["events"]),
        enabled=bool(doc["enabled"]),
        secret=doc["secret"],
        previous_secret=doc.get("previous_secret"),
        previous_secret_expires_at=stored_timestamp(expires) if expires else None,
    )


def render_webhook(record: Record) -> dict[str, Any]:
    """The subscription as the API shows it: never its secrets."""
    shown = {k: v for k, v in record.doc.items() if k not in _PRIVATE}
    return {
        "id": record.id,
        **shown,
        "created_at": format_timestamp(record.created_at),
        "updated_at": format_timestamp(record.updated_at),
    }


def _validated(body: Mapping[str, Any], check_url: UrlCheck) -> dict[str, Any]:
    """The public fields of a subscription from a full body (omitted optional fields take defaults)."""
    errors: dict[str, list[str]] = {}
    url = body.get("url")
    if not isinstance(url, str) or not url.strip():
        errors["url"] = ["The url field is required."]
    elif len(url) > MAX_URL_LENGTH:
        errors["url"] = [f"The url may not be greater than {MAX_URL_LENGTH} characters."]
    else:
        try:
            check_url_characters(url)
            check_url(url)
        except UnsafeUrl as error:
            errors["url"] = [f"The url is not allowed: {error}."]
        except ValueError as error:
            errors["url"] = [f"The url field {error}."]
    events = body.get("events", [ALL_EVENTS])
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        errors["events"] = ['The events field must be a non-empty list of event types, or ["*"].']
    else:
        unknown = [e for e in events if e != ALL_EVENTS and e not in EVENT_TYPES]
        if unknown:
            errors["events"] = [f"Unknown event types: {', '.join(unknown)}."]
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        errors["enabled"] = ["The enabled field must be true or false."]
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        errors["description"] = ["The description field must be a string."]
    elif description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = [
            f"The description field must not be greater than {MAX_DESCRIPTION_LENGTH} characters."
        ]
    elif description is not None:
        try:
            check_description(description)
        except ValueError as error:
            errors["description"] = [f"The description field {error}."]
    if errors:
        raise ValidationFailed(errors)
    chosen = sorted(set(events))
    return {
        "url": url,
        "events": [ALL_EVENTS] if ALL_EVENTS in chosen else chosen,
        "enabled": enabled,
        "description": description,
    }


class Webhooks:
    """The subscription use cases of the API and the CLI."""

    def __init__(
        self,
        repository: CatalogueRepository,
        check_url: UrlCheck = check_public_url,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._repo = repository
        self._check_url = check_url
        self._clock = clock

    def load(self, project_id: str, webhook_id: str) -> Record:
        return require(self._repo, project_id, KIND, webhook_id)

    def subscriptions(self, project_id: str) -> list[Subscription]:
        return [subscription_of(project_id, r) for r in self.records(project_id)]

    def subscription(self, project_id: str, webhook_id: str) -> Subscription:
        return subscription_of(project_id, self.load(project_id, webhook_id))

    def records(self, project_id: str) -> list[Record]:
        return self._repo.list_all(project_id, KIND)

    def page(self, viewer: Principal, query: Mapping[str, str]) -> Page:
        rendered = [render_webhook(r) for r in self.records(viewer.project_id)]
        return select(rendered, query, LIST_SPEC)

    def get(self, viewer: Principal, webhook_id: str) -> dict[str, Any]:
        return render_webhook(self.load(viewer.project_id, webhook_id))

    def create(self, project_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Creates the subscription; the answer is the only time its secret is shown (besides rotations)."""
        fields = _validated(body, self._check_url)
        now = self._clock()
        secret = new_secret()
        record = Record(KIND, new_id(), {**fields, "secret": secret}, now, now)
        self._repo.create(project_id, record)
        return {**render_webhook(record), "secret": secret}

    def replace(self, viewer: Principal, webhook_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._update(viewer.project_id, webhook_id, lambda _: _validated(body, self._check_url))

    def patch(self, viewer: Principal, webhook_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        def merged(doc: Mapping[str, Any]) -> dict[str, Any]:
            public = {k: v for k, v in doc.items() if k not in _PRIVATE}
            return _validated({**public, **body}, self._check_url)

        return self._update(viewer.project_id, webhook_id, merged)

    def rotate(self, project_id: str, webhook_id: str) -> dict[str, Any]:
        """A new secret; the current one stays valid for 24 hours beside it (a second rotation in that time
        ends the oldest one at once)."""
        now = self._clock()
        secret = new_secret()
        expires = format_timestamp(now + ROTATION_OVERLAP)

        def rotated(doc: Mapping[str, Any]) -> dict[str, Any]:
            return {
                **doc,
                "secret": secret,
                "previous_secret": doc["secret"],
                "previous_secret_expires_at": expires,
            }

        shown = self._update(project_id, webhook_id, rotated, keep_private=False)
        return {**shown, "secret": secret, "previous_secret_expires_at": expires}

    def delete(self, project_id: str, webhook_id: str) -> None:
        self.load(project_id, webhook_id)
        if not self._repo.delete(project_id, KIND, webhook_id):
            raise NotFound(KIND)

    def _update(
        self,
        project_id: str,
        webhook_id: str,
        change: Callable[[Mapping[str, Any]], dict[str, Any]],
        keep_private: bool = True,
    ) -> dict[str, Any]:
        current = self.load(project_id, webhook_id)
        doc = change(current.doc)
        if keep_private:
            doc.update({k: current.doc[k] for k in _PRIVATE if k in current.doc})
        record = Record(KIND, current.id, doc, current.created_at, self._clock(), current.version + 1)
        self._repo.replace(project_id, record, current.version)
        return render_webhook(record)
