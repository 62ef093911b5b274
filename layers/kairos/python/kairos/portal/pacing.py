"""Real time in the account flows, where the services' own (testable) clock will not do.

Answer floors: a route that must not tell whether an address has an account does different work when it
has one (a new registration writes an account, a wrong password is checked against a stored hash while an
unknown address is refused at once). Making the work equal is not in Kairos' hands (Cognito does it), so
such answers leave no sooner than a fixed time after the request began, well above what the slowest case
takes: registering, mailing a link again and asking for a reset answer no sooner than `mailing` seconds,
and a failed log-in no sooner than `failed_log_in` (a successful one is not held back: it tells nothing
the person does not know).

Session cut-offs: ID tokens carry their start (`auth_time`) in whole seconds of Cognito's clock, so a
log-out cuts at a whole second of real time and answers once that second is over: a log-in made after the
answer always starts a later second and is not cut."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MAILING_FLOOR = 1.0  # seconds; a new registration takes 0.2-0.35 s locally on a loaded machine (two scrypt
# hashes); deployed (AdminCreateUser, AdminSetUserPassword, SES) not measured, estimated at 0.5 s
FAILED_LOG_IN_FLOOR = 0.5  # seconds; a wrong password takes 0.07-0.15 s locally (one scrypt check)


class Pace:
    def __init__(
        self,
        mailing: float = MAILING_FLOOR,
        failed_log_in: float = FAILED_LOG_IN_FLOOR,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._mailing = mailing
        self._failed_log_in = failed_log_in
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall = wall

    @contextmanager
    def mailing(self) -> Iterator[None]:
        """Whatever happens inside, it ends no sooner than the mailing floor after it began."""
        began = self._monotonic()
        try:
            yield
        finally:
            self._rest(began, self._mailing)

    @contextmanager
    def log_in(self) -> Iterator[None]:
        """A failure inside leaves no sooner than the failed log-in floor after it began."""
        began = self._monotonic()
        try:
            yield
        except BaseException:
            self._rest(began, self._failed_log_in)
            raise

    def second(self) -> int:
        """The current second of real time (epoch seconds)."""
        return int(self._wall())

    def past(self, second: int) -> None:
        """Waits until `second` is over."""
        remaining = second + 1 - self._wall()
        if remaining > 0:
            self._sleep(remaining)

    def _rest(self, began: float, floor: float) -> None:
        remaining = began + floor - self._monotonic()
        if remaining > 0:
            self._sleep(remaining)
