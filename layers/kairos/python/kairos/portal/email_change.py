"""A person changes their account's e-mail address. The pool's username is the address and its `email` is
immutable (a live pool cannot change either), so the new address gets a new Cognito user carrying the
account's stable id (`custom:kairos_id`, which no client can write: `kairos.portal.user_pool`) and the old
user is deleted; everything Kairos keeps (profile, memberships, owned projects, the session cut-off) is
keyed by that id and stays. The rules against an attacker (docs/security.md, "Account flows"):

- Asking needs the password (and the authenticator's code), counted like a log-in: a session left open is
  not enough. The answer is the same, no sooner than the mailing floor, whether the new address is free or
  has an account (whose owner is mailed instead): nothing tells that an address has an account.
- Nothing changes until the link mailed to the new address is opened, within an hour, once, by the same
  account logged in, with its password: holding the new mailbox alone, or the session alone, or another
  account's session, changes nothing (the link stays usable for its owner).
- The change is decided by one conditioned write on the profile (its address still the old one): a
  deletion or another change that came first wins, and a deletion that comes after deletes the new user
  too (`AccountDeletion` deletes the profile's address's user).
- The new user has no two-factor authentication (Cognito never gives an authenticator's secret out): the
  answer and the mail say to set it up again. Every other session ends (the cut-off, and the old user's
  refresh tokens die with it); the browser that made the change gets a new session. The old address is
  told, without the new one (a mail never carries what the person who caused it chose)."""

import hmac
from collections.abc import Callable
from datetime import datetime, timedelta

from kairos.errors import Conflict, ValidationFailed
from kairos.portal.accounts import BAD_TOKEN, MAILED, Accounts
from kairos.portal.one_time import hash_secret
from kairos.portal.ports import Identity, IdentityProvider, OneTimeToken, PortalRepository, Session
from kairos.portal.throttle import Throttle
from kairos.values.formats import now_utc

PURPOSE = "email-change"
CHANGE_FOR = timedelta(hours=1)
SAME_ADDRESS = "This is your account's address already."
TAKEN_NOW = "This address has a Kairos account now; your address was not changed."


class EmailChange:
    def __init__(
        self,
        accounts: Accounts,
        repository: PortalRepository,
        identities: IdentityProvider,
        throttle: Throttle,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._accounts = accounts
        self._repo = repository
        self._ids = identities
        self._throttle = throttle
        self._clock = clock

    def start(self, person: Identity, new_email: str, password: str, code: str | None, address: str) -> str:
        """Mails a link to `new_email` (or, when it has an account, tells its owner); the same answer."""
        if new_email == person.email:
            raise ValidationFailed.field("email", SAME_ADDRESS)
        with self._accounts.pace.mailing():
            self._accounts.prove(person, password, code, address)
            self._accounts.account(person)  # the profile the change will move (made on first sight)
            if self._ids.verified(new_email):
                self._accounts.tell(
                    new_email,
                    "Your Kairos account",
                    "Someone asked to move another Kairos account to this address, which already has one. "
                    "Nothing changed; you need not do anything.\n",
                )
            elif self._throttle.may_mail(new_email):
                expires = int((self._clock() + CHANGE_FOR).timestamp())
                self._accounts.mail_link(
                    OneTimeToken(PURPOSE, new_email, expires, account_id=person.account_id),
                    "Confirm your new Kairos address",
                    "/change-email?token=",
                    "Open this link within an hour, logged in to your Kairos account, to make this your "
                    "account's address; it asks for your password:\n{link}\n"
                    "If you did not ask for it, ignore this mail: nothing changes without this link.\n",
                )
        return MAILED

    def confirm(
        self, person: Identity, token: str, password: str, code: str | None, address: str
    ) -> tuple[str, Session | None]:
        """The new address, and the session of the new user (None if its log-in asks for more)."""
        key = hash_secret(token)
        found = self._repo.peek_one_time(key, PURPOSE, self._now())
        if found is None or not hmac.compare_digest(found.account_id or "", person.account_id):
            raise ValidationFailed.field("token", BAD_TOKEN)  # another account's link stays usable
        self._accounts.prove(person, password, code, address)
        new_email = found.email
        with self._accounts.lease(new_email, writing=False):  # registrations of the address wait
            held = self._ids.verified(new_email)
            if held:
                raise Conflict(TAKEN_NOW)  # said to the new mailbox's holder only (the link proved it)
            if self._repo.take_one_time(key, PURPOSE, self._now()) is None:
                raise ValidationFailed.field("token", BAD_TOKEN)  # used meanwhile
            if held is False:  # an unverified registration: the mailbox's holder proved it is theirs
                self._ids.delete(new_email)
            if not self._repo.move_account(person.account_id, person.email, new_email):
                raise ValidationFailed.field("token", BAD_TOKEN)  # deleted or changed meanwhile
            name = self._accounts.account(person).name
            if not self._ids.create_verified(new_email, password, name, person.account_id):
                self._repo.move_account(person.account_id, new_email, person.email)
                raise Conflict(TAKEN_NOW)
        if self._repo.get_account(person.account_id) is None:  # a deletion came after the move
            self._ids.delete(new_email)
            raise ValidationFailed.field("token", BAD_TOKEN)
        self._accounts.end_sessions(person)  # every session of the account, this one too
        self._ids.delete(person.email)
        self._accounts.tell(
            person.email,
            "Your Kairos address was changed",
            "At your request, your Kairos account now uses another e-mail address: this one no longer "
            "logs in. Two-factor authentication, if it was on, is off until you set it up again.\n"
            "If this was not you, write to the operator of Kairos from this address at once.\n",
        )
        session = self._ids.log_in(new_email, password)
        return new_email, session if isinstance(session, Session) else None

    def _now(self) -> int:
        return int(self._clock().timestamp())
