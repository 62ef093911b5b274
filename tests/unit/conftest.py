"""Fixtures of the unit tests: the clinic to book in, and the metrics an invocation would publish."""

from collections.abc import Callable, Iterator

import pytest

from kairos.container import Container
from kairos.domain.auth import Principal
from kairos.observability import Metric, metrics
from tests.unit.clinic import make_clinic


@pytest.fixture
def clinic(container: Container, principal: Principal) -> dict[str, str]:
    return make_clinic(container, principal)


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
