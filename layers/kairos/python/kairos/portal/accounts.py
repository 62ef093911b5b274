"""People's accounts: register, verify the address, log in and out, reset or change the password, change
the name. Cognito holds the credentials (Kairos never stores or logs a password); Kairos owns the mails:
it makes the verification, reset and unlock secrets, keeps only their hashes (expiring), and mails the
links through the `Mailer` port. The rules against an attacker (docs/security.md, "Account flows"):

- Only the holder of the mailbox who also knows the password of the address's latest registration can
  verify it: registering an unverified address again replaces its password and name, and the link asks
  for the password. Registrations and verifications of one address take turns (a lease in the table,
  as Cognito has no conditional writes), so no registration lands between a verification's password
  check and its confirmation, and an account whose name and password a failed registration left apart
  cannot be verified until the next registration finishes.
- Nothing tells whether an address has an account: registering a taken address and asking a reset for
  an unknown one answer exactly as the other cases (the owner gets a mail instead), and those answers,
  like a failed log-in, leave no sooner than a fixed floor (`kairos.portal.pacing`).
- Guessing is slowed without letting a stranger lock the owner out: per-minute limits per source address
  and per account and address (`kairos.portal.throttle`); and once `GUARD_ATTEMPTS` log-ins were tried
  on an address since its last success, further ones need the unlock link mailed to it, for an hour
  after the last counted try.
- A reset link works once, for an hour, and using any reset link kills every one issued before.
- Logging out (or a reset) ends the person's sessions at once: sessions begun before it are refused by
  `check_session`, which every route behind the authorizer calls.
- Two-factor authentication (an authenticator app's TOTP codes, kept by Cognito) is set up, confirmed and
  turned off with the password (and, to turn it off, a current code): a stolen session alone can neither
  lock the owner out with an authenticator of its own nor remove it. Every try of a password or a code,
  at log-in or with a session, counts in the log-in guard, so codes are guessed no faster than passwords
  and a stranger can only make the owner use the mailed unlock link."""

import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import quote
from uuid import uuid4

from kairos.errors import NotFound, RateLimited, Retryable, Unauthenticated, ValidationFailed
from kairos.portal.one_time import hash_secret, new_secret
from kairos.portal.pacing import Pace
from kairos.portal.ports import (
    Account,
    AccountGuards,
    CodeNeeded,
    Identity,
    IdentityProvider,
    Mailer,
    OneTimeToken,
    PortalRepository,
    Session,
)
from kairos.portal.throttle import Throttle
from kairos.values.formats import now_utc

VERIFY_FOR = timedelta(hours=24)
RESET_FOR = timedelta(hours=1)
UNLOCK_FOR = timedelta(hours=1)
LEASE_SECONDS = 60  # longer than a function may run (28 s): the lease of a request that died runs out
GUARD_ATTEMPTS = 5  # Cognito's own lockout starts after 5 failures: the guard keeps the owner clear of it
GUARD_PERIOD = 3600  # seconds the guard stays up after the last counted attempt
MAILED = "If the address can be used, a mail is on its way to it."
BAD_TOKEN = "This link is invalid or has expired."
INCOMPLETE = "This registration did not finish: register again."
NOT_THE_PASSWORD = "This is not the password of the latest registration of this address."
BUSY = "This address is being registered or verified right now; try again in a moment."
GUARDED = (
    "Too many log-ins were tried for this address. If it has an account, a mail with a link to log in "
    "is on its way to it."
)
SESSION_ENDED = "This session has ended: log in again."
WRONG_PASSWORD = "The password is incorrect."
CODE_FIRST = "Enter the code your authenticator app shows."
ISSUER = "Kairos"  # what authenticator apps show above the code
TWO_FACTOR_MAILS = {
    True: (
        "Two-factor authentication is on",
        "Two-factor authentication is now on for your Kairos account: every log-in asks for the code of "
        "your authenticator app.\nIf this was not you, reset your password at once: {url}/forgot-password\n",
    ),
    False: (
        "Two-factor authentication is off",
        "Two-factor authentication was turned off for your Kairos account: a log-in asks for the password "
        "only.\nIf this was not you, reset your password and turn it on again: {url}/forgot-password\n",
    ),
}


class Accounts:
    def __init__(
        self,
        identities: IdentityProvider,
        repository: PortalRepository,
        guards: AccountGuards,
        mailer: Mailer,
        throttle: Throttle,
        portal_url: str,
        clock: Callable[[], datetime] = now_utc,
        pace: Pace | None = None,
    ) -> None:
        self._ids = identities
        self._repo = repository
        self._guards = guards
        self._mail = mailer
        self._throttle = throttle
        self._url = portal_url.rstrip("/")
        self._clock = clock
        self._pace = pace or Pace()

    @property
    def pace(self) -> Pace:
        return self._pace

    # --- before a session -----------------------------------------------------------------------------

    def register(self, name: str, email: str, password: str, address: str, browser: str | None = None) -> str:
        """`browser`: a secret the registering browser keeps; opening the link there logs in (`verify`)."""
        with self._pace.mailing():
            self._throttle.admit(address, email)
            with self.lease(email, writing=True):
                created = self._ids.sign_up(email, password, name)
                verified = False if created else self._ids.verified(email)
                if not created and verified is False:  # the latest registration's password and name
                    self._ids.register_again(email, password, name)
                if not verified:
                    self._guards.remember_browser(email, hash_secret(browser) if browser else None)
            if verified:
                self.tell(
                    email,
                    "Your Kairos account",
                    "Someone tried to register a Kairos account with this address, which already has one.\n"
                    f"If it was you, log in or reset your password: {self._url}/forgot-password\n",
                )
            else:
                self._mail_verification(email)
        return MAILED

    def resend_verification(self, email: str, address: str) -> str:
        with self._pace.mailing():
            self._throttle.admit(address, email)
            if self._ids.verified(email) is False:
                self._mail_verification(email)
        return MAILED

    def verify(
        self, token: str, password: str, address: str, browser: str | None = None
    ) -> tuple[Account, Session | None]:
        """The account, and a session when `browser` is the secret of the browser that made the latest
        registration (the link opened where the person registered: "verified means logged in");
        elsewhere the person logs in next, as usual."""
        self._throttle.admit(address)
        found = self._repo.peek_one_time(hash_secret(token), "verify", self._now())
        if found is None:
            raise ValidationFailed.field("token", BAD_TOKEN)
        with self.lease(found.email, writing=False):
            if not self._ids.password_matches(found.email, password):
                raise ValidationFailed.field("password", NOT_THE_PASSWORD)
            self._take(token, "verify")
            identity = self._ids.confirm(found.email)
            registered_here = browser is not None and hmac.compare_digest(
                hash_secret(browser), self._guards.registering_browser(found.email) or ""
            )
        session = self._ids.log_in(found.email, password) if registered_here else None
        return self._profile(identity), session if isinstance(session, Session) else None

    def log_in(
        self, email: str, password: str, address: str, unlock: str | None = None, code: str | None = None
    ) -> Session | CodeNeeded:
        """A session; or, for an account with two-factor authentication and no `code` given, CodeNeeded
        (the form asks for the code and sends the password again with it). The guard counts both tries
        and is cleared by the whole log-in only."""
        with self._pace.log_in():
            self._throttle.admit(address, email)
            now = self._now()
            key = hash_secret(unlock) if unlock else None
            link = self._repo.peek_one_time(key, "unlock", now) if key else None
            unlocked = link is not None and link.email == email
            if not unlocked:
                self._guard(email, now)
            session = self._ids.log_in(email, password, code)
            if isinstance(session, CodeNeeded):
                return session
            self._guards.clear_log_in(email)
            if key and unlocked:
                self._repo.take_one_time(key, "unlock", now)  # used up
        return session

    def refresh(self, refresh_token: str, address: str) -> Session:
        self._throttle.admit(address)
        return self._ids.refresh(refresh_token)

    def forgot_password(self, email: str, address: str) -> str:
        with self._pace.mailing():
            self._throttle.admit(address, email)
            verified = self._ids.verified(email)
            if verified:
                self._mail_reset(email)
            elif verified is False:  # a reset would leave the registration's name: it is not verified yet
                self.tell(
                    email,
                    "Your Kairos account",
                    "Someone asked to reset the password of a Kairos account with this address, which is not "
                    f"verified yet. If it was you, register again: {self._url}/register\n",
                )
        return MAILED

    def reset_password(self, token: str, password: str, address: str) -> None:
        self._throttle.admit(address)
        found = self._guards.take_reset(hash_secret(token), self._now())
        if found is None:
            raise ValidationFailed.field("token", BAD_TOKEN)
        self._ids.set_password(found.email, password)
        self._guards.clear_log_in(found.email)  # the mailbox's holder is back in
        identity = self._ids.identity(found.email)
        if identity is not None:
            self.end_sessions(identity)

    # --- with a session ---------------------------------------------------------------------------------

    def check_session(self, identity: Identity, started: int) -> None:
        """Refuses a session (its ID token's `auth_time`) begun at or before the person's last log-out."""
        cut = self._guards.sessions_cut_at(identity.account_id)
        if cut is not None and started <= cut:
            raise Unauthenticated(SESSION_ENDED)

    def account(self, identity: Identity) -> Account:
        """The person's profile (made on first sight if the verification did not make it)."""
        return self._repo.get_account(identity.account_id) or self._profile(identity)

    def rename(self, identity: Identity, name: str) -> Account:
        account = self.account(identity)
        renamed = Account(account.id, account.email, name, account.created_at)
        self._repo.put_account(renamed)
        return renamed

    def change_password(self, identity: Identity, current: str, new: str, address: str) -> None:
        self._throttle.admit(address, identity.email)
        if not self._ids.password_matches(identity.email, current):
            raise ValidationFailed.field("current_password", WRONG_PASSWORD)
        self._ids.set_password(identity.email, new)

    def log_out(self, identity: Identity) -> None:
        self.end_sessions(identity)

    def two_factor_on(self, identity: Identity) -> bool:
        return self._ids.two_factor_on(identity.email)

    def start_two_factor(self, identity: Identity, password: str, address: str) -> dict[str, str]:
        """The new secret and its otpauth:// URI (RFC 6238's parameters, as Google Authenticator's key
        URI format writes them), which the Portal shows as a QR code."""
        with self._proving(identity.email, address):
            secret = self._ids.start_two_factor(identity.email, password)
        label = quote(f"{ISSUER}:{identity.email}", safe=":@")
        uri = f"otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30"
        return {"secret": secret, "otpauth_uri": uri}

    def switch_two_factor(
        self, identity: Identity, password: str, code: str, address: str, *, on: bool
    ) -> None:
        """On with a code of the new secret, off with a current code; the address is told either way."""
        with self._proving(identity.email, address):
            switch = self._ids.enable_two_factor if on else self._ids.disable_two_factor
            switch(identity.email, password, code)
        subject, text = TWO_FACTOR_MAILS[on]
        self.tell(identity.email, subject, text.format(url=self._url))

    def prove(self, identity: Identity, password: str, code: str | None, address: str) -> None:
        """The person behind a session proves it is them before a grave change: the password, and the
        authenticator's code when two-factor authentication is on (422 on `code` without one)."""
        with self._proving(identity.email, address):
            if isinstance(self._ids.authenticate(identity.email, password, code), CodeNeeded):
                raise ValidationFailed.field("code", CODE_FIRST)

    def reset_two_factor(self, email: str) -> None:
        """The operator's (`kairos account two-factor-off`), for a person who lost their authenticator
        and asked from the account's address: turned off, the address told."""
        if self._ids.identity(email) is None:
            raise NotFound("account")
        self._ids.reset_two_factor(email)
        self.tell(
            email,
            "Two-factor authentication is off",
            "At your request, the operator of Kairos turned off two-factor authentication for your "
            "account: log in with your password, then set it up again with your new phone.\n",
        )

    # --- helpers ----------------------------------------------------------------------------------------

    def _guard(self, email: str, now: int) -> None:
        """Counts one try of the address's password or code: 429 (the unlock link mailed) past the guard."""
        waiting = self._guards.admit_log_in(email, now, GUARD_ATTEMPTS, GUARD_PERIOD)
        if waiting is not None:
            self._mail_unlock(email)
            raise RateLimited(retry_after=waiting, limit=GUARD_ATTEMPTS, message=GUARDED)

    @contextmanager
    def _proving(self, email: str, address: str) -> Iterator[None]:
        """A person with a session proves it is them again (the password, a code): limited and guarded
        as a log-in; a success clears the guard."""
        self._throttle.admit(address, email)
        self._guard(email, self._now())
        try:
            yield
        except Unauthenticated:  # a 422 at the field: the session itself is fine
            raise ValidationFailed.field("password", WRONG_PASSWORD) from None
        self._guards.clear_log_in(email)

    @contextmanager
    def lease(self, email: str, *, writing: bool) -> Iterator[None]:
        """This request alone writes (`writing`) or verifies the address's account until the block ends;
        a registration that fails inside leaves the account incomplete (unverifiable)."""
        lease, now = uuid4().hex, self._now()
        taken = self._guards.take_lease(email, lease, now, now + LEASE_SECONDS, writing=writing)
        if taken == "busy":
            raise Retryable(BUSY)
        if taken == "incomplete":
            raise ValidationFailed.field("token", INCOMPLETE)
        finished = False
        try:
            yield
            finished = True
        finally:
            self._guards.release_lease(email, lease, written=finished or not writing)

    def end_sessions(self, identity: Identity) -> None:
        """The cut-off first (the ID tokens), then Cognito's sign-out (the refresh tokens); the answer
        waits for the cut-off's second to end, so a log-in after it is never cut."""
        second = self._pace.second()
        self._guards.cut_sessions(identity.account_id, second)
        self._ids.log_out(identity.email)
        self._pace.past(second)

    def _mail_verification(self, email: str) -> None:
        """The link, without the registration's name: whoever registered may not own the mailbox."""
        if self._throttle.may_mail(email):
            self.mail_link(
                OneTimeToken("verify", email, self._expiry(VERIFY_FOR)),
                "Verify your Kairos account",
                "/verify?token=",
                "Open this link within 24 hours to verify your address and start using Kairos; it asks for "
                "the password you registered with:\n{link}\n"
                "If you did not register, ignore this mail: nobody can use the account without this link.\n",
            )

    def _mail_reset(self, email: str) -> None:
        if self._throttle.may_mail(email):
            number = self._guards.next_reset(email, self._now())
            self.mail_link(
                OneTimeToken("reset", email, self._expiry(RESET_FOR), reset_number=number),
                "Reset your Kairos password",
                "/reset-password?token=",
                "Set a new password within an hour: {link}\n"
                "If you did not ask for it, ignore this mail: your password stays as it is.\n",
            )

    def _mail_unlock(self, email: str) -> None:
        """Once each time the guard goes up, and only to a verified account: its owner's way in."""
        if self._guards.unlock_mail_due(email, GUARD_ATTEMPTS) and self._ids.verified(email):
            self.mail_link(
                OneTimeToken("unlock", email, self._expiry(UNLOCK_FOR)),
                "Log in to Kairos",
                f"/login?email={quote(email)}&unlock=",
                "Log-ins to your Kairos account were tried with wrong passwords many times, so for now a "
                "log-in needs this link, valid for an hour:\n{link}\n"
                "If these tries were not yours, nobody got in; a stronger password keeps it that way.\n",
            )

    def mail_link(self, token: OneTimeToken, subject: str, path: str, text: str) -> None:
        """A new secret for `token`, its hash stored before the mail leaves; the mail's `{link}` is the
        Portal's `path` followed by the secret."""
        value, digest = new_secret()
        self._repo.put_one_time(digest, token)
        self._mail.send(token.email, subject, text.format(link=f"{self._url}{path}{value}"))

    def tell(self, to: str, subject: str, text: str) -> bool:
        """Sends unless the address's mails are spent (Throttle.may_mail: 5 an hour, 10 a day)."""
        if not self._throttle.may_mail(to):
            return False
        self._mail.send(to, subject, text)
        return True

    def _take(self, token: str, purpose: str) -> OneTimeToken:
        found = self._repo.take_one_time(hash_secret(token), purpose, self._now())
        if found is None:
            raise ValidationFailed.field("token", BAD_TOKEN)
        return found

    def _profile(self, identity: Identity) -> Account:
        account = Account(identity.account_id, identity.email, identity.name, self._clock())
        self._repo.put_account(account)
        return account

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _expiry(self, valid_for: timedelta) -> int:
        return int((self._clock() + valid_for).timestamp())
