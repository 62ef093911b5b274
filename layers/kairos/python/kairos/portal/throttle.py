"""The per-minute limits of the routes a person calls before having a session (log in, register, password
reset): counted per source address and per email address in the same DynamoDB counters as the API's rate
limit (`kairos.storage.rate_store`), so they hold across concurrent Lambda instances. Guessing passwords or
mailing someone a hundred reset links is slowed down to a few tries a minute."""

from collections.abc import Callable
from datetime import datetime, timedelta

from kairos.domain.errors import RateLimited
from kairos.domain.formats import now_utc
from kairos.domain.ports import RateCounter
from kairos.domain.records import Limits

PER_ADDRESS_PER_MINUTE = 30  # the default of KAIROS_PORTAL_ATTEMPTS_PER_MINUTE
PER_EMAIL_PER_MINUTE = 10
KEPT = timedelta(days=62)


class Throttle:
    def __init__(
        self,
        counter: RateCounter,
        clock: Callable[[], datetime] = now_utc,
        per_address: int = PER_ADDRESS_PER_MINUTE,
        per_email: int = PER_EMAIL_PER_MINUTE,
    ) -> None:
        self._counter = counter
        self._clock = clock
        self._limits = {"address": per_address, "email": per_email}

    def admit(self, address: str, email: str | None = None) -> None:
        """Counts one attempt from `address` (and for `email`); RateLimited past either limit."""
        self._count("address", address)
        if email:
            self._count("email", email)

    def _count(self, kind: str, value: str) -> None:
        now = self._clock()
        limit = self._limits[kind]
        expires = int((now.replace(day=1) + KEPT).timestamp())
        admission = self._counter.admit(
            f"portal:{kind}:{value}",
            f"{now:%Y-%m}",
            f"{now:%Y%m%d%H%M}",
            Limits(limit),
            expires,
            project=False,
        )
        if admission.refused is not None:
            raise RateLimited(retry_after=60 - now.second, limit=limit)
