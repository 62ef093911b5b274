"""The per-minute limits of the routes a person calls before having a session (log in, register, password
reset), counted in the same DynamoDB counters as the API's rate limit (`kairos.storage.rate_store`), so
they hold across concurrent Lambda instances:

- per source address, over every address and route (`KAIROS_PORTAL_ATTEMPTS_PER_MINUTE`);
- per account and source address (an email address together with the source address): tries from one
  place against one account. Never per email address alone: a stranger's tries from elsewhere must not
  refuse the owner's (the log-in guard, `kairos.portal.accounts`, deals with guessing from many places);
- the mails Kairos sends to one email address, a few per quarter of an hour, so that nobody can flood a
  mailbox through the forms. A refused mail is not sent; the answer stays the same (the earlier mails
  already carry working links)."""

from collections.abc import Callable
from datetime import datetime, timedelta

from kairos.domain.errors import RateLimited
from kairos.domain.formats import now_utc
from kairos.domain.ports import RateCounter

PER_ADDRESS_PER_MINUTE = 30  # the default of KAIROS_PORTAL_ATTEMPTS_PER_MINUTE
PER_ACCOUNT_AND_ADDRESS_PER_MINUTE = 10
MAILS_PER_QUARTER_HOUR = 5
KEPT = timedelta(days=62)


class Throttle:
    def __init__(
        self,
        counter: RateCounter,
        clock: Callable[[], datetime] = now_utc,
        per_address: int = PER_ADDRESS_PER_MINUTE,
        per_account_and_address: int = PER_ACCOUNT_AND_ADDRESS_PER_MINUTE,
        mails: int = MAILS_PER_QUARTER_HOUR,
    ) -> None:
        self._counter = counter
        self._clock = clock
        self._per_address = per_address
        self._per_pair = per_account_and_address
        self._mails = mails

    def admit(self, address: str, email: str | None = None) -> None:
        """Counts one attempt from `address` (and on `email` from it); RateLimited past either limit."""
        now = self._clock()
        self._count(f"address:{address}", now, self._per_address)
        if email:  # an address holds no "/", so the pair's name is unambiguous
            self._count(f"pair:{address}/{email}", now, self._per_pair)

    def may_mail(self, email: str) -> bool:
        """Counts a mail to `email` in its quarter of an hour: False when the quarter's mails are spent."""
        now = self._clock()
        quarter = f"{now:%Y%m%d%H}{now.minute // 15 * 15:02d}"  # a window's name, ordered like a minute's
        admission = self._counter.admit(
            f"portal:mail:{email}",
            f"{now:%Y-%m}",
            quarter,
            self._mails,
            None,
            self._expiry(now),
            project=False,
        )
        return admission.refused is None

    def _count(self, subject: str, now: datetime, limit: int) -> None:
        minute = f"{now:%Y%m%d%H%M}"
        admission = self._counter.admit(
            f"portal:{subject}", f"{now:%Y-%m}", minute, limit, None, self._expiry(now), project=False
        )
        if admission.refused is not None:
            raise RateLimited(retry_after=60 - now.second, limit=limit)

    @staticmethod
    def _expiry(now: datetime) -> int:
        return int((now.replace(day=1) + KEPT).timestamp())
