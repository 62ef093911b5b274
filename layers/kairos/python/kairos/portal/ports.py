"""What the Portal's services need from the outside world: the identity provider (Cognito, deployed and
local alike), a mailer (SES deployed, an outbox folder locally) and the Portal's own items in the table."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class Session:
    """What a successful log-in returns: the ID token goes in `Authorization: Bearer ...`."""

    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right; the account has two-factor authentication on, so a log-in needs the
    authenticator app's current code too."""


CODE_NEEDED = CodeNeeded()


@dataclass(frozen=True)
class Identity:
    account_id: (
        str  # the account's stable id: `custom:kairos_id` after an e-mail change, else Cognito's `sub`
    )
    email: str
    name: str


class IdentityProvider(Protocol):
    def sign_up(self, email: str, password: str, name: str) -> bool:
        """A new, unconfirmed account; False when the email is taken (nothing changes)."""

    def create_verified(self, email: str, password: str, name: str, account_id: str) -> bool:
        """A new, verified account for `email` carrying the stable id `account_id` (an e-mail change; no
        two-factor authentication: Cognito never gives an authenticator's secret out to carry over);
        False when the address is taken (nothing changes)."""

    def register_again(self, email: str, password: str, name: str) -> None:
        """An unverified account takes a new registration's password, then its name."""

    def verified(self, email: str) -> bool | None:
        """None when the address has no account, else whether Kairos has verified it."""

    def password_matches(self, email: str, password: str) -> bool:
        """Whether `password` is the account's, verified or not."""

    def confirm(self, email: str) -> Identity:
        """Confirms the account and marks its email verified (Kairos verified it)."""

    def log_in(self, email: str, password: str, code: str | None = None) -> Session | CodeNeeded:
        """Raises Unauthenticated for wrong credentials, Forbidden for an unconfirmed account,
        ValidationFailed on `code` for a wrong code; CODE_NEEDED when the account asks for one."""

    def authenticate(self, email: str, password: str, code: str | None = None) -> Session | CodeNeeded:
        """As `log_in`, verified or not: the person proves who they are again before a grave change."""

    def two_factor_on(self, email: str) -> bool: ...

    def start_two_factor(self, email: str, password: str) -> str:
        """A new authenticator secret (base32); Conflict when two-factor authentication is on already."""

    def enable_two_factor(self, email: str, password: str, code: str) -> None:
        """Turns it on once `code` shows the authenticator holds the new secret."""

    def disable_two_factor(self, email: str, password: str, code: str) -> None: ...

    def reset_two_factor(self, email: str) -> None:
        """Turns it off without a code: the operator's, for a lost authenticator."""

    def delete(self, email: str) -> None:
        """Deletes the account (its refresh tokens die with it); nothing happens if it is gone already."""

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

    purpose: str  # verify | reset | invite | email-change
    email: str
    expires_at: int  # epoch seconds
    project_id: str | None = None
    invitation_id: str | None = None
    reset_number: int | None = None  # a reset link's place in its address's series (AccountGuards)
    account_id: str | None = None  # whose address an e-mail change link would change


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

    def peek_one_time(self, token_hash: str, purpose: str, now: int) -> OneTimeToken | None:
        """The token if it is there, of that purpose and not expired, left in place."""

    def put_account(self, account: Account) -> None: ...

    def get_account(self, account_id: str) -> Account | None: ...

    def get_accounts(self, account_ids: list[str]) -> dict[str, Account]: ...

    def delete_account(self, account_id: str) -> str | None:
        """The person's profile and owned-projects count (a deleted account); the address the profile
        had (None when it was gone already)."""

    def move_account(self, account_id: str, old_email: str, new_email: str) -> bool:
        """The profile's address from `old_email` to `new_email`, if the profile is there with `old_email`
        (one conditioned write: a deletion or another change that came first wins); else False."""

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


class AccountGuards(Protocol):
    """Per-address and per-person records that serialize and limit the account flows, each decided by
    one conditioned write (`kairos.storage.account_guard_store`)."""

    def take_lease(
        self, email: str, lease: str, now: int, until: int, *, writing: bool
    ) -> Literal["taken", "busy", "incomplete"]:
        """The right to write (`writing`: a registration) or to verify the address's account until
        `until`: "busy" while another request holds it; "incomplete" (verifying only) while a
        registration's name and password are not both in place."""

    def release_lease(self, email: str, lease: str, *, written: bool) -> None:
        """Ends the lease; `written`: the account is whole again (else it stays incomplete)."""

    def remember_browser(self, email: str, browser_hash: str | None) -> None:
        """The hash of the secret kept by the browser that made the address's latest registration (None:
        it kept none); written by that registration, under its lease."""

    def registering_browser(self, email: str) -> str | None: ...

    def admit_log_in(self, email: str, now: int, limit: int, period: int) -> int | None:
        """Counts a log-in attempt on the address unless `limit` were counted since its last success, the
        latest less than `period` seconds ago: None when admitted, else the seconds the guard stays up."""

    def unlock_mail_due(self, email: str, limit: int) -> bool:
        """True for one caller each time the guard goes up."""

    def clear_log_in(self, email: str) -> None: ...

    def next_reset(self, email: str, now: int) -> int:
        """The number of the address's next reset link."""

    def take_reset(self, token_hash: str, now: int) -> OneTimeToken | None:
        """The reset link once, if unexpired and issued after the address's last reset: using it kills
        every reset link issued before."""

    def cut_sessions(self, account_id: str, at: int) -> None:
        """From now on, sessions begun at or before `at` (epoch seconds) are refused."""

    def sessions_cut_at(self, account_id: str) -> int | None: ...
