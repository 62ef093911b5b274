"""The stack's settings (infra/settings.py): the defaults, what the CDK context changes, and what is refused
before a deployment would fail on it. No synthesis: an App with context is enough."""

from typing import Any

import aws_cdk as cdk
import pytest

from infra.settings import LAMBDA_UNRESERVED_MINIMUM, RESERVED_CONCURRENCY, StackSettings, stack_settings
from kairos.routes import Area
from kairos.usage.metering import MOST_IN_ONE_WRITE

pytestmark = pytest.mark.xdist_group("infra")
NEW_ACCOUNT_CONCURRENCY = 1_000


def settings(**context: Any) -> StackSettings:
    return stack_settings(cdk.App(context=context))


def test_the_defaults_fit_a_new_accounts_concurrency_with_room_left() -> None:
    defaults = settings()
    reserved = sum(defaults.reserved_concurrency.values())
    assert reserved <= NEW_ACCOUNT_CONCURRENCY - LAMBDA_UNRESERVED_MINIMUM
    assert (
        NEW_ACCOUNT_CONCURRENCY - reserved >= 2 * LAMBDA_UNRESERVED_MINIMUM
    )  # AWS's floor, and as much again
    for consumer, feed in defaults.feeds.items():
        assert feed.max_concurrency <= defaults.reserved_concurrency[consumer]


def test_the_context_changes_limits_and_single_reservations() -> None:
    changed = settings(
        wafTokenLimit="500",  # -c values arrive as text
        stageRateLimit=300,  # cdk.json values as numbers
        reservedConcurrency='{"bookings": 275, "services": 100}',
    )
    assert (changed.edge.waf_per_token, changed.edge.stage_rate) == (500, 300)
    assert changed.reserved("bookings") == 275 and changed.reserved("services") == 100
    assert changed.reserved("locations") == RESERVED_CONCURRENCY["locations"]


def test_api_functions_get_the_recommended_memory_unless_the_context_sets_another() -> None:
    assert settings().api_memory_mb == 1024  # docs/infrastructure.md, "Latency budget"
    assert settings(apiFunctionMemory="1769").api_memory_mb == 1769  # a whole vCPU


def test_the_series_function_gets_a_whole_vcpu_unless_the_context_sets_another() -> None:
    """docs/booking-series.md, "A function of its own": the other API areas keep the API's memory."""
    assert settings().area_memory_mb(Area.BOOKING_SERIES) == 1769
    assert settings(seriesFunctionMemory="1024").area_memory_mb(Area.BOOKING_SERIES) == 1024
    assert settings(apiFunctionMemory="2048").area_memory_mb(Area.BOOKING_SERIES) == 1769
    assert settings(seriesFunctionMemory="3008").area_memory_mb(Area.BOOKINGS) == 1024


def test_an_account_below_the_default_limit_can_reserve_nothing() -> None:
    unreserved = settings(reservedConcurrency="none", accountConcurrency="200")
    assert unreserved.reserved_concurrency == {}
    assert unreserved.reserved("bookings") is None


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({"wafWindowSeconds": "90"}, "wafWindowSeconds"),
        ({"wafTokenLimit": "5"}, "wafTokenLimit"),  # WAF counts from 10
        ({"stageRateLimit": "fast"}, "stageRateLimit"),
        ({"accountConcurrency": "500"}, "reservedConcurrency adds up to 800"),
        ({"apiFunctionMemory": "64"}, "apiFunctionMemory"),  # Lambda's least is 128 MB
        ({"seriesFunctionMemory": "20000"}, "seriesFunctionMemory"),  # Lambda's most is 10,240 MB
        ({"reservedConcurrency": '{"bookings": 200}', "accountConcurrency": "900"}, "more than the 800"),
        ({"reservedConcurrency": '{"booking": 10}'}, "names no function"),
        ({"reservedConcurrency": '{"bookings": 0}'}, "reservedConcurrency.bookings"),
        ({"meteringMaxConcurrency": "41"}, "metering's queue may run 41"),
        ({"meteringBatchSize": str(MOST_IN_ONE_WRITE + 1)}, "meteringBatchSize"),
        ({"meteringBatchingWindowSeconds": "0"}, "batching window"),
    ],
)
def test_a_setting_a_deployment_would_fail_on_stops_the_synthesis(
    context: dict[str, str], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        settings(**context)
