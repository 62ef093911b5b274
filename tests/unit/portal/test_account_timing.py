"""No answer's time tells whether an address has an account (issue 21, point 6): registering a taken or a
new address, and a wrong password or an unknown address, take the same time: medians over many tries,
compared with a generous margin. Without the floors the medians were 60 ms against 336 ms (registering)
and 152 ms against 42 ms (log-in) on the loaded test machine. The floors here are shorter than a
deployment's (`kairos.portal.pacing`) to keep the test short, still above what the work takes."""

import time
from collections.abc import Callable
from contextlib import suppress
from statistics import median

import pytest

from kairos.errors import DomainError
from kairos.portal.accounts import Accounts
from kairos.portal.email_change import EmailChange
from kairos.portal.pacing import Pace
from kairos.portal.throttle import Throttle
from kairos.storage.account_guard_store import AccountGuardStore
from kairos.storage.portal_store import PortalStore
from kairos.storage.rate_store import RateCounterStore
from kairos_local import moto_patches
from tests.unit.portal.conftest import PASSWORD, Portal

TRIES = 9
MARGIN = 1.25  # the slower median over the faster one: without the floors, 3.6 to 5.6
ADDRESS = "192.0.2.50"


def paced(portal: Portal, pace: Pace) -> Accounts:
    table = portal.container.table
    throttle = Throttle(
        RateCounterStore(table), portal.clock, per_address=10_000, per_account_and_address=10_000
    )
    identities = portal.accounts._ids
    return Accounts(
        identities, PortalStore(table), AccountGuardStore(table), portal.outbox, throttle, "https://portal.test",
        portal.clock, pace,
    )  # fmt: skip


Try = Callable[[Accounts, int], object]  # the n-th try of a case


def move(accounts: Accounts, n: int, to: str) -> str:
    """owner-<n> asks to move their account to `to`."""
    person = accounts._ids.identity(f"owner-{n}@example.com")
    assert person is not None
    changes = EmailChange(accounts, accounts._repo, accounts._ids, accounts._throttle)
    return changes.start(person, to, PASSWORD, None, ADDRESS)


CASES: dict[str, tuple[Try, Try]] = {  # an address with an account, one without
    "register": (
        lambda accounts, n: accounts.register("Someone", "owner-0@example.com", PASSWORD, ADDRESS),
        lambda accounts, n: accounts.register("Someone", f"new-{n}@example.com", PASSWORD, ADDRESS),
    ),
    "change_email": (  # to another owner's address, or to a free one
        lambda accounts, n: move(accounts, n, f"owner-{(n + 1) % TRIES}@example.com"),
        lambda accounts, n: move(accounts, n, f"new-{n}@example.com"),
    ),
    "log_in": (  # a fresh account each try: the log-in guard stays down
        lambda accounts, n: accounts.log_in(f"owner-{n}@example.com", "Wrong-Secret-1", ADDRESS),
        lambda accounts, n: accounts.log_in(f"none-{n}@example.com", "Wrong-Secret-1", ADDRESS),
    ),
}


def seconds(attempt: Try, accounts: Accounts, n: int) -> float:
    began = time.perf_counter()
    with suppress(DomainError):  # refusals are answers too
        attempt(accounts, n)
    return time.perf_counter() - began


def medians(portal: Portal, pace: Pace, kind: str) -> tuple[float, float]:
    """The medians of the two cases of `kind`, tried in turns so that the machine's load falls on both
    alike, with Cognito's passwords hashed as the local server hashes them (scrypt: a known address costs
    more work than an unknown one)."""
    accounts = paced(portal, pace)
    known, unknown = CASES[kind]
    with moto_patches.installed():
        for n in range(TRIES):
            portal.person(f"owner-{n}@example.com")
        times = [(seconds(known, accounts, n), seconds(unknown, accounts, n)) for n in range(TRIES)]
    return median(t[0] for t in times), median(t[1] for t in times)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_an_answer_takes_as_long_whether_the_address_has_an_account_or_not(portal: Portal, kind: str) -> None:
    known, unknown = medians(portal, Pace(mailing=0.6, failed_log_in=0.35), kind)
    slower, faster = max(known, unknown), min(known, unknown)
    assert slower / faster < MARGIN, f"{kind}: {known * 1000:.0f} ms against {unknown * 1000:.0f} ms"
