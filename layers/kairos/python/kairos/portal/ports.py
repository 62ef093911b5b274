"""What the Portal's services need from the outside world: the identity provider (Cognito, deployed and
local alike), a mailer (SES deployed, an outbox folder locally) and the Portal's own items in the table."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Session:
    """What a successful log-in returns: the ID token goes in `Authorization: Bearer ...`."""

    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class Identity:
    account_id: str  # Cognito's `sub`
    email: str
    name: str


class IdentityProvider(Protocol):
    def sign_up(self, email: str, password: str, name: str) -> bool:
        """A new, unconfirmed account; False when the email is taken (nothing changes)."""

    def is_unconfirmed(self, email: str) -> bool: ...

    def confirm(self, email: str) -> Identity:
        """Confirms the account and marks its email verified (Kairos verified it)."""

    def log_in(self, email: str, password: str) -> Session:
        """Raises Unauthenticated for wrong credentials, Forbidden for an unconfirmed account."""

    def refresh(self, refresh_token: str) -> Session: ...

    def log_out(self, email: str) -> None:
        """Revokes every refresh token of the account."""

    def set_password(self, email: str, password: str) -> None:
        """Raises ValidationFailed when the pool's policy refuses it."""

    def identity(self, email: str) -> Identity | None: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str) -> None: ...


@dataclass(frozen=True)
class OneTimeToken:
    """A mailed secret (only its hash stored): verify an address, reset a password or join a project."""

    purpose: str  # verify | reset | invite
    email: str
    expires_at: int  # epoch seconds
    project_id: str | None = None
    invitation_id: str | None = None


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Membership:
    project_id: str
    account_id: str
    role: str  # owner | member
    joined_at: datetime


@dataclass(frozen=True)
class Invitation:
    id: str
    project_id: str
    email: str
    invited_by: str
    created_at: datetime
    expires_at: int


@dataclass(frozen=True)
class AuditEntry:
    id: str
    project_id: str
    at: datetime
    actor_id: str
    actor_email: str
    action: str
    detail: dict[str, Any]


class PortalRepository(Protocol):
    """The Portal's items in the table (`kairos.storage.portal_store`)."""

    def put_one_time(self, token_hash: str, token: OneTimeToken) -> None: ...

    def take_one_time(self, token_hash: str, purpose: str, now: int) -> OneTimeToken | None:
        """Deletes and returns the token if it is there, of that purpose and not expired (once only)."""

    def put_account(self, account: Account) -> None: ...

    def get_account(self, account_id: str) -> Account | None: ...

    def get_accounts(self, account_ids: list[str]) -> dict[str, Account]: ...

    def claim_project(self, account_id: str, most: int) -> bool:
        """One more project owned by the account, unless it owns `most` already (then False)."""

    def release_project(self, account_id: str) -> None:
        """One project fewer owned by the account."""

    def add_member(self, membership: Membership) -> bool:
        """False when already a member."""

    def get_membership(self, project_id: str, account_id: str) -> Membership | None: ...

    def memberships_of(self, account_id: str) -> list[Membership]: ...

    def members(self, project_id: str) -> list[Membership]: ...

    def remove_member(self, project_id: str, account_id: str) -> bool: ...

    def put_invitation(self, invitation: Invitation, token_hash: str) -> None: ...

    def invitations(self, project_id: str, now: int) -> list[Invitation]: ...

    def delete_invitation(self, project_id: str, invitation_id: str) -> bool: ...

    def add_audit(self, entry: AuditEntry) -> None: ...

    def audit(
        self, project_id: str, limit: int, before: str | None
    ) -> tuple[list[AuditEntry], str | None]: ...
