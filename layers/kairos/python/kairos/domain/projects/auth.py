"""Who is calling: bearer tokens (stored only as SHA-256 hashes), abilities, the per-minute rate limit and
the plan's monthly quota.

A token lookup is cached in memory for at most 60 seconds, so a warm function authenticates without a read;
a revoked token therefore stops working within a minute (so does a new default hold time). Both limits are
counted in DynamoDB by one conditional update per request (`kairos.storage.rate_store`), so they hold
exactly across concurrent Lambda instances: per project, or per source address for requests without a
valid token. A refused request is counted in neither. A project's limits are checked in that same update
against the ones its counter holds, which a plan or rate-limit change sets: such a change applies to the
next request, whatever the cached token says. A store that keeps no write (StoreFull: the local store's
data folder on a full disk) cannot count: the request is let through uncounted, so reads go on while
writes are refused.

A disabled (deleted) project stops at once, cache or not: disabling it closes its request counters in the
same transaction (`closing_months`), and that per-request update is conditioned on the counter being open,
so every request admitted after the commit is refused, on every instance, at no extra read.
"""

import calendar
import hashlib
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kairos.abilities import ALL_ABILITIES
from kairos.domain.shared.plans import DEFAULT_PLAN, PLANS, plan_of
from kairos.domain.shared.ports import ProjectRepository, RateCounter
from kairos.domain.shared.records import Admission, Limits, Project, Token
from kairos.errors import Forbidden, QuotaExceeded, RateLimited, StoreFull, Unauthenticated
from kairos.values.formats import now_utc

TOKEN_LENGTH = 48
ANONYMOUS_RATE_LIMIT = PLANS[DEFAULT_PLAN].requests_per_minute  # per source address, unless configured
CACHE_SECONDS = 60.0
CACHE_ENTRIES = 1024
COUNTER_KEPT = timedelta(days=62)  # a month's request counter expires (TTL) a month after the month
CLOCK_SKEW = timedelta(minutes=5)  # how far apart two instances' clocks may be, for `closing_months`
DISABLED = "This project is disabled."
_ALPHABET = string.ascii_letters + string.digits


def generate_token_value() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_LENGTH))


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def counter_month(now: datetime) -> tuple[str, int]:
    """The month (`YYYY-MM`) a request at `now` is counted in, and when that counter expires (epoch s)."""
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return f"{now:%Y-%m}", int((start + COUNTER_KEPT).timestamp())


def counter_months_from(moment: datetime) -> list[tuple[str, int]]:
    """This month's counter and the next one's: a change of limits made now is stored on both, so a month
    that starts before every cached token is read again starts with them too."""
    next_month = (moment.replace(day=1) + timedelta(days=32)).replace(day=1)
    return [counter_month(moment), counter_month(next_month)]


@dataclass(frozen=True)
class Principal:
    project: Project
    token_id: str
    abilities: frozenset[str]
    token_name: str = ""  # for the request log

    @property
    def project_id(self) -> str:
        return self.project.id

    def can(self, ability: str) -> bool:
        return ability in self.abilities

    def require(self, ability: str | None) -> None:
        if ability is not None and ability not in self.abilities:
            raise Forbidden()


def closing_months(now: datetime) -> list[tuple[str, int]]:
    """The counters to close when a project is disabled at `now`: every month a request of it may still be
    counted in by an instance that cached one of its tokens (for up to CACHE_SECONDS, clocks CLOCK_SKEW
    apart): the current month, and its neighbour near a month's start or end."""
    edges = (now - CLOCK_SKEW, now, now + timedelta(seconds=CACHE_SECONDS) + CLOCK_SKEW)
    return sorted({counter_month(moment) for moment in edges})


def system_principal(project_id: str, name: str) -> Principal:
    """Kairos acting on a project's data itself (the event mapper, the hold sweep): every ability, so
    objects render with every field. Only the project's id is read from it: the other project fields are
    placeholders, not a read."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    project = Project(project_id, "", True, "", 0, epoch, epoch)
    return Principal(project, token_id=name, abilities=frozenset(ALL_ABILITIES))


@dataclass(frozen=True)
class RateStatus:
    limit: int
    remaining: int


class Authenticator:
    def __init__(
        self,
        projects: ProjectRepository,
        counter: RateCounter,
        clock: Callable[[], datetime] = now_utc,
        monotonic: Callable[[], float] = time.monotonic,
        anonymous_limit: int = ANONYMOUS_RATE_LIMIT,
    ) -> None:
        self._projects = projects
        self._counter = counter
        self._anonymous_limit = anonymous_limit
        self._clock = clock
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def authenticate(self, authorization: str | None) -> Principal:
        scheme, _, value = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated()
        token_hash = hash_token(value.strip())
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(token_hash)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            principal = cached[1]
        else:
            found = self._load(token_hash)
            if found is None:  # unknown tokens are not cached: random guesses cannot fill memory
                raise Unauthenticated()
            principal = found
            with self._lock:
                if len(self._cache) >= CACHE_ENTRIES:
                    self._cache.clear()
                self._cache[token_hash] = (now, principal)
        if not principal.project.enabled:
            raise Forbidden(DISABLED)
        return principal

    def _load(self, token_hash: str) -> Principal | None:
        token = self._projects.get_token(token_hash)
        if token is None or token.revoked_at is not None:
            return None
        project = self._projects.get_project(token.project_id)
        if project is None:
            return None
        return Principal(project, token.id, token.abilities, token.name)

    def count_request(self, principal: Principal, *, within_quota: bool = True) -> RateStatus:
        """Counts this request in the project's minute and month; raises RateLimited past the per-minute
        limit and QuotaExceeded past the plan's monthly quota (not checked, only counted, for routes that
        must answer whatever the quota says: `within_quota=False`)."""
        now = self._clock()
        admission = self._admit(
            principal.project_id, now, principal.project.limits, project=True, quota=within_quota
        )
        if admission.refused == "closed":  # disabled since this instance cached the token
            self._forget(principal.project_id)
            raise Forbidden(DISABLED)
        limits = admission.limits  # the project's, as its counter holds them: the latest change's
        if admission.refused == "month":
            assert limits.per_month is not None
            raise QuotaExceeded(
                retry_after=_seconds_to_next_month(now),
                limit=limits.per_minute,
                message=(
                    f"The monthly request quota of your plan ({plan_of(limits.plan).name}: "
                    f"{limits.per_month:,} requests) is used up."
                ),
            )
        return self._status(admission, now)

    def count_anonymous(self, address: str) -> RateStatus:
        """Counts a request without a valid token (none, an unknown or revoked one, a disabled project)
        against its source address, at the default plan's limit (unless configured otherwise: the
        KAIROS_ANONYMOUS_RATE_LIMIT setting), as Laravel throttles guests by IP: such
        answers carry the rate-limit headers too, and guessing tokens is throttled."""
        now = self._clock()
        admission = self._admit(f"address:{address}", now, Limits(self._anonymous_limit), project=False)
        return self._status(admission, now)

    def _admit(
        self, subject: str, now: datetime, limits: Limits, *, project: bool, quota: bool = True
    ) -> Admission:
        month, expires = counter_month(now)
        try:
            return self._counter.admit(
                subject, month, f"{now:%Y%m%d%H%M}", limits, expires, project=project, quota=quota
            )
        except StoreFull:  # the store keeps no write now: reads are still served, uncounted
            return Admission(0, 0, limits)

    def _forget(self, project_id: str) -> None:
        """Drops the project's cached tokens, so the next request reads them (and their project) again."""
        with self._lock:
            for token_hash, (_, principal) in list(self._cache.items()):
                if principal.project_id == project_id:
                    del self._cache[token_hash]

    @staticmethod
    def _status(admission: Admission, now: datetime) -> RateStatus:
        limit = admission.limits.per_minute
        if admission.refused == "minute":
            raise RateLimited(retry_after=60 - now.second, limit=limit)
        return RateStatus(limit=limit, remaining=max(0, limit - admission.minute))


def _seconds_to_next_month(now: datetime) -> int:
    last_day = calendar.monthrange(now.year, now.month)[1]
    month_end = now.replace(day=last_day, hour=23, minute=59, second=59)
    return int((month_end - now).total_seconds()) + 1


def new_token(project_id: str, name: str, abilities: frozenset[str], token_id: str) -> tuple[Token, str]:
    """A token record and its value; the value is shown once and never stored."""
    value = generate_token_value()
    return token_with_value(project_id, name, abilities, token_id, value), value


def token_with_value(
    project_id: str, name: str, abilities: frozenset[str], token_id: str, value: str
) -> Token:
    return Token(
        id=token_id,
        project_id=project_id,
        name=name,
        abilities=abilities,
        created_at=now_utc(),
        token_hash=hash_token(value),
    )
