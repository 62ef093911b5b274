"""Fixtures of the unit tests: the clinic to book in, the metrics an invocation would publish, and an
interpreter of its own for what depends on the process (warning filters, the zone database path)."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from kairos.calendars.subscriptions import CalendarSubscriptions
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.observability import Metric, metrics
from kairos.outbound.ssrf import ALLOW_LOOPBACK_ENV
from kairos.storage.calendar_subscription_store import CalendarSubscriptionStore
from kairos.storage.catalogue_store import CatalogueStore
from tests.unit.calendars.feeds import NOW, Feed
from tests.unit.clinic import make_clinic


@pytest.fixture
def clinic(container: Container, principal: Principal) -> dict[str, str]:
    return make_clinic(container, principal)


@pytest.fixture
def feed() -> Feed:
    return Feed()


@pytest.fixture
def calendars(container: Container, feed: Feed, monkeypatch: pytest.MonkeyPatch) -> CalendarSubscriptions:
    """The calendar subscriptions service reading `feed`, at NOW."""
    monkeypatch.setenv(ALLOW_LOOPBACK_ENV, "true")
    store = CalendarSubscriptionStore(container.table)
    return CalendarSubscriptions(
        CatalogueStore(container.table), store, container.booking_store, feed, lambda: NOW
    )


Figures = Callable[[], dict[str, float]]


@pytest.fixture
def published() -> Iterator[Figures]:
    """What the current invocation would publish, by metric name (summed)."""
    metrics.clear_metrics()

    def figures() -> dict[str, float]:
        found = {}
        for metric in Metric:
            values = metrics.provider.metric_set.get(metric.value, {}).get("Value", [])
            if values:
                found[metric.value] = sum(values)
        return found

    yield figures
    metrics.clear_metrics()


def in_fresh_interpreter(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Runs `code` in a new interpreter of this environment, with `environment` added to this one's."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )
