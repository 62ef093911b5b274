"""People's accounts: register, verify the address, log in and out, reset or change the password, change
the name. Cognito holds the credentials (Kairos never stores or logs a password); Kairos owns the mails:
it makes the verification and reset secrets, keeps only their hashes (expiring), and mails the links
through the `Mailer` port. Only a mailed secret confirms an account or sets a password without the old one.

Nothing here tells whether an address has an account: registering a taken address and asking a reset
for an unknown one answer exactly as the other cases do (the owner of a taken address gets a mail
saying so instead). Every route that may mail an address counts one mail to it (`Throttle.admit_mail`),
and no mail carries text chosen by whoever asked for it."""

from collections.abc import Callable
from datetime import datetime, timedelta

from kairos.domain.errors import Unauthenticated, ValidationFailed
from kairos.domain.formats import now_utc
from kairos.portal.one_time import hash_secret, new_secret
from kairos.portal.ports import (
    Account,
    Identity,
    IdentityProvider,
    Mailer,
    OneTimeToken,
    PortalRepository,
    Session,
)
from kairos.portal.throttle import Throttle

VERIFY_FOR = timedelta(hours=24)
RESET_FOR = timedelta(hours=1)
MAILED = "If the address can be used, a mail is on its way to it."
BAD_TOKEN = "This link is invalid or has expired."


class Accounts:
    def __init__(
        self,
        identities: IdentityProvider,
        repository: PortalRepository,
        mailer: Mailer,
        throttle: Throttle,
        portal_url: str,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._ids = identities
        self._repo = repository
        self._mail = mailer
        self._throttle = throttle
        self._url = portal_url.rstrip("/")
        self._clock = clock

    # --- before a session -----------------------------------------------------------------------------

    def register(self, name: str, email: str, password: str, address: str) -> str:
        self._throttle.admit(address, email)
        self._throttle.admit_mail(email)
        if self._ids.sign_up(email, password, name) or self._ids.is_unconfirmed(email):
            self._mail_verification(email)
        else:
            self._mail.send(
                email,
                "Your Kairos account",
                "Someone tried to register a Kairos account with this address, which already has one.\n"
                f"If it was you, log in or reset your password: {self._url}/forgot-password\n",
            )
        return MAILED

    def resend_verification(self, email: str, address: str) -> str:
        self._throttle.admit(address, email)
        self._throttle.admit_mail(email)
        if self._ids.is_unconfirmed(email):
            self._mail_verification(email)
        return MAILED

    def verify(self, token: str, address: str) -> Account:
        self._throttle.admit(address)
        found = self._take(token, "verify")
        identity = self._ids.confirm(found.email)
        return self._profile(identity)

    def log_in(self, email: str, password: str, address: str) -> Session:
        self._throttle.admit(address, email)
        return self._ids.log_in(email, password)

    def refresh(self, refresh_token: str, address: str) -> Session:
        self._throttle.admit(address)
        return self._ids.refresh(refresh_token)

    def forgot_password(self, email: str, address: str) -> str:
        self._throttle.admit(address, email)
        self._throttle.admit_mail(email)
        if self._ids.identity(email) is not None:
            value, digest = new_secret()
            self._repo.put_one_time(digest, OneTimeToken("reset", email, self._expiry(RESET_FOR)))
            self._mail.send(
                email,
                "Reset your Kairos password",
                f"Set a new password within an hour: {self._url}/reset-password?token={value}\n"
                "If you did not ask for it, ignore this mail: your password stays as it is.\n",
            )
        return MAILED

    def reset_password(self, token: str, password: str, address: str) -> None:
        self._throttle.admit(address)
        found = self._take(token, "reset")
        self._ids.set_password(found.email, password)
        self._ids.log_out(found.email)

    # --- with a session ---------------------------------------------------------------------------------

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
        try:
            self._ids.log_in(identity.email, current)
        except Unauthenticated:
            raise ValidationFailed.field("current_password", "The password is incorrect.") from None
        self._ids.set_password(identity.email, new)

    def log_out(self, identity: Identity) -> None:
        self._ids.log_out(identity.email)

    # --- helpers ----------------------------------------------------------------------------------------

    def _mail_verification(self, email: str) -> None:
        """Kairos' own words and the link only: the address is not verified yet, so the mail carries no
        text the registering stranger chose (not the name: "Hello <their text>" to anyone's address)."""
        value, digest = new_secret()
        self._repo.put_one_time(digest, OneTimeToken("verify", email, self._expiry(VERIFY_FOR)))
        self._mail.send(
            email,
            "Verify your Kairos account",
            "Open this link within 24 hours to verify your address and start using Kairos:\n"
            f"{self._url}/verify?token={value}\n"
            "If you did not register, ignore this mail: nothing happens without the link.\n",
        )

    def _take(self, token: str, purpose: str) -> OneTimeToken:
        found = self._repo.take_one_time(hash_secret(token), purpose, int(self._clock().timestamp()))
        if found is None:
            raise ValidationFailed.field("token", BAD_TOKEN)
        return found

    def _profile(self, identity: Identity) -> Account:
        account = Account(identity.account_id, identity.email, identity.name, self._clock())
        self._repo.put_account(account)
        return account

    def _expiry(self, valid_for: timedelta) -> int:
        return int((self._clock() + valid_for).timestamp())
