"""The Portal's limits on what one address, person or account may make Kairos do, counted in the same
DynamoDB counters as the API's rate limit (`kairos.storage.rate_store`): one conditioned update per
attempt, so each holds exactly across concurrent Lambda instances, and a refused attempt counts nowhere.

- Attempts before a session (log in, register, password reset), a minute: per source address, over every
  address and route (`KAIROS_PORTAL_ATTEMPTS_PER_MINUTE`), and per account and source address (an email
  address together with the source address): tries from one place against one account. Never per email
  address alone: a stranger's tries from elsewhere must not refuse the owner's (the log-in guard,
  `kairos.portal.accounts`, deals with guessing from many places).
- Mail to one address, whoever asks (registration, a new verification link, a reset link, an unlock link,
  an invitation): MAIL_PER_HOUR and MAIL_PER_DAY. The account flows skip a mail past it and answer as
  always (`may_mail`: the earlier mails already carry working links, and the answer tells nothing about
  an account); an invitation past it is a 429 to the inviter (`admit_invitation`).
- Invitations sent by one account: INVITES_PER_HOUR and INVITES_PER_DAY.
- Projects created by one account: PROJECTS_PER_DAY and PROJECTS_PER_MONTH (each gets its plan's monthly
  allowance; how many it owns at once is held by `Workspace`).

A limit counts in an inner window inside an outer one (a minute in a month, an hour in a day, a day in a
month); past either, RateLimited with the seconds until that window ends.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kairos.domain.shared.ports import RateCounter
from kairos.domain.shared.records import Limits
from kairos.errors import RateLimited
from kairos.values.formats import now_utc

PER_ADDRESS_PER_MINUTE = 30  # the default of KAIROS_PORTAL_ATTEMPTS_PER_MINUTE
PER_ACCOUNT_AND_ADDRESS_PER_MINUTE = 10
MAIL_PER_HOUR, MAIL_PER_DAY = 5, 10
INVITES_PER_HOUR, INVITES_PER_DAY = 10, 30
PROJECTS_PER_DAY, PROJECTS_PER_MONTH = 3, 10
KEPT = timedelta(days=2)  # a counter outlives its outer window by this much (TTL)
_KEYS = {"minute": "%Y%m%d%H%M", "hour": "%Y%m%d%H", "day": "%Y-%m-%d", "month": "%Y-%m"}


@dataclass(frozen=True)
class Limit:
    """At most `per_inner` in each `inner` window and `per_outer` (None: no limit) in each `outer` one."""

    subject: str  # what is counted, before the value: `portal:mail-to`
    inner: str
    per_inner: int
    outer: str = "month"
    per_outer: int | None = None


def _window_end(now: datetime, window: str) -> datetime:
    if window == "minute":
        return now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if window == "hour":
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    day_end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if window == "day":
        return day_end
    return day_end + timedelta(days=calendar.monthrange(now.year, now.month)[1] - now.day)


class Throttle:
    def __init__(
        self,
        counter: RateCounter,
        clock: Callable[[], datetime] = now_utc,
        per_address: int = PER_ADDRESS_PER_MINUTE,
        per_account_and_address: int = PER_ACCOUNT_AND_ADDRESS_PER_MINUTE,
    ) -> None:
        self._counter = counter
        self._clock = clock
        self._address = Limit("portal:address", "minute", per_address)
        self._pair = Limit("portal:pair", "minute", per_account_and_address)

    def admit(self, address: str, email: str | None = None) -> None:
        """Counts one attempt from `address` (and on `email` from it); RateLimited past either limit."""
        self._count(self._address, address)
        if email:  # an address holds no "/", so the pair's name is unambiguous
            self._count(self._pair, f"{address}/{email}")

    def may_mail(self, recipient: str) -> bool:
        """Counts one mail to `recipient`: False (and it is not to be sent) when its mails are spent."""
        try:
            self.admit_mail(recipient)
        except RateLimited:
            return False
        return True

    def admit_mail(self, recipient: str) -> None:
        """Counts one mail Kairos may send to `recipient`; RateLimited past its limits."""
        self._count(Limit("portal:mail-to", "hour", MAIL_PER_HOUR, "day", MAIL_PER_DAY), recipient)

    def admit_invitation(self, account_id: str, recipient: str) -> None:
        """An invitation from `account_id` to `recipient`: the account's invitations and a mail."""
        self._count(Limit("portal:invites-by", "hour", INVITES_PER_HOUR, "day", INVITES_PER_DAY), account_id)
        self.admit_mail(recipient)

    def admit_project(self, account_id: str) -> None:
        """A project created by `account_id`."""
        limit = Limit("portal:projects-by", "day", PROJECTS_PER_DAY, "month", PROJECTS_PER_MONTH)
        self._count(limit, account_id)

    def _count(self, limit: Limit, value: str) -> None:
        now = self._clock()
        expires = int((_window_end(now, limit.outer) + KEPT).timestamp())
        admission = self._counter.admit(
            f"{limit.subject}:{value}",
            now.strftime(_KEYS[limit.outer]),
            now.strftime(_KEYS[limit.inner]),
            Limits(limit.per_inner, limit.per_outer),
            expires,
            project=False,
        )
        if admission.refused is not None:
            inner = admission.refused == "minute"  # the counter's names: its inner and outer windows
            end = _window_end(now, limit.inner if inner else limit.outer)
            retry = max(1, int((end - now).total_seconds()))
            raise RateLimited(retry_after=retry, limit=limit.per_inner if inner else limit.per_outer or 0)
