"""The stack's capacity and edge settings, in one place: each has a default here and may be set in the CDK
context (cdk.json's `context`, or `-c key=value` on the command line; docs/infrastructure.md lists them
with the reasons for their defaults). A value outside what AWS accepts, or one that would make the stack
fail at deploy time (reserved concurrency beyond the account's, a queue feeding a function more
instances than it may run), stops the synthesis with a message naming the key.

The defaults fit a new account: 1,000 concurrent Lambda executions in the region, of which AWS keeps 100
unreserved. The functions reserve 800 (the API areas 611, the Portal 70, the event path 119): each area
can always run that many instances and never more, so one area flooded, or slowed by a slow dependency,
cannot take the instances the others need. Of the 200 left unreserved, AWS's 100 are the floor, and 100
serve CDK's deploy-time functions and anything else in the account."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from infra.constants import API_FUNCTION_MEMORY_MB, SERIES_FUNCTION_MEMORY_MB
from kairos.events.definitions import (
    CALENDAR_POLLER,
    HOLD_SWEEPER,
    STREAM_CONSUMER,
    USAGE_FEED,
    WAITLIST_RULE,
    WEBHOOK_RULE,
)
from kairos.portal.routes import PortalArea
from kairos.routes import Area
from kairos.usage.metering import MOST_IN_ONE_WRITE

# Lambda keeps this many of an account's concurrent executions unreserved: reservations beyond
# (account concurrency - 100) fail at deploy time.
LAMBDA_UNRESERVED_MINIMUM = 100
WAF_WINDOWS = (60, 120, 300, 600)  # the evaluation windows a WAF rate-based rule accepts, in seconds
WAF_LIMITS = (10, 2_000_000_000)

# Instances each function may run at once, and always can (its reserved concurrency). The areas that serve
# the most traffic, and the slowest of it (bookable slots, bookings), get the most. Sum: 800.
RESERVED_CONCURRENCY: Mapping[str, int] = {
    Area.PROJECT: 50,  # GET /v1/project, usage, and the JSON 404 of every unknown path
    Area.LOCATIONS: 60,
    Area.RESOURCES: 100,  # schedules, blocks, a resource's calendar
    Area.SERVICES: 150,  # bookable slots, the heaviest read
    Area.BOOKINGS: 125,
    Area.BOOKING_GROUPS: 51,
    Area.BOOKING_SERIES: 25,  # a series holds its instance about twice as long as a booking, and is rarer
    Area.WEBHOOKS: 50,
    PortalArea.PORTAL: 50,
    PortalArea.ACCOUNTS: 20,  # log-in, registration and resets, throttled per address by the function
    STREAM_CONSUMER: 20,  # Lambda runs one instance per stream shard
    HOLD_SWEEPER: 4,  # holdTimerMaxConcurrency: hold timers, a query each; once a minute the old listing
    CALENDAR_POLLER: 1,  # every 15 minutes, one run at a time
    # meteringMaxConcurrency: big batches, one write each; 40 instances keep up with one project's 11,000
    # requests a second (275 batches a second, under 7 an instance: docs/scale.md, "meteringMaxConcurrency")
    USAGE_FEED.consumer: 40,
    WEBHOOK_RULE.consumer: 50,  # deliveryMaxConcurrency: receivers may take seconds each
    WAITLIST_RULE.consumer: 4,  # waitlistMaxConcurrency: a slot listing and a booking write per offer
}


@dataclass(frozen=True)
class EdgeLimits:
    """What reaches the functions at all: the stage's throttle and the web ACL's rate-based rules."""

    stage_rate: int  # requests a second for the whole stage, steady state (API Gateway's token bucket)
    stage_burst: int
    waf_window_seconds: int  # every WAF rule counts requests over this sliding window
    waf_per_token: int  # requests per window with one Authorization header value
    waf_per_anonymous_address: int  # requests per window from one address without an Authorization header
    waf_per_address: int  # requests per window from one address, whatever they carry


@dataclass(frozen=True)
class QueueFeed:
    """How a queue feeds its consumer: messages per invocation, how long SQS may wait to fill a batch, and
    how many instances it may run at once."""

    batch_size: int
    batching_window_seconds: int
    max_concurrency: int


@dataclass(frozen=True)
class Setting:
    key: str  # the context key
    default: int
    low: int
    high: int
    why: str


SETTINGS = (
    Setting("stageRateLimit", 1_000, 1, 10_000, "the stage's steady requests per second"),
    Setting("stageBurstLimit", 2_000, 0, 5_000, "the stage's burst"),
    Setting("wafWindowSeconds", 60, 60, 600, "one of 60, 120, 300, 600"),
    Setting("wafTokenLimit", 2_000, *WAF_LIMITS, "requests per window and Authorization value"),
    Setting("wafAnonymousLimit", 200, *WAF_LIMITS, "requests per window from an address without a token"),
    Setting("wafAddressLimit", 6_000, *WAF_LIMITS, "requests per window from one address"),
    Setting("apiFunctionMemory", API_FUNCTION_MEMORY_MB, 128, 10_240, "MB of each API and Portal function"),
    Setting(
        "seriesFunctionMemory", SERIES_FUNCTION_MEMORY_MB, 128, 10_240, "MB of the booking-series function"
    ),
    Setting("accountConcurrency", 1_000, LAMBDA_UNRESERVED_MINIMUM, 1_000_000, "the account's Lambda limit"),
    Setting("meteringBatchSize", MOST_IN_ONE_WRITE, 1, MOST_IN_ONE_WRITE, "usage events per invocation"),
    Setting("meteringBatchingWindowSeconds", 5, 0, 300, "seconds SQS may gather usage events"),
    Setting("meteringMaxConcurrency", 40, 2, 1_000, "metering instances at once"),
    Setting("deliveryBatchSize", 10, 1, 10, "webhook messages per invocation"),
    Setting("deliveryBatchingWindowSeconds", 0, 0, 300, "seconds SQS may gather webhook messages"),
    Setting("deliveryMaxConcurrency", 50, 2, 1_000, "webhook dispatcher instances at once"),
    Setting("holdTimerBatchSize", 10, 1, 10, "hold timers per invocation"),
    Setting("holdTimerBatchingWindowSeconds", 1, 0, 300, "seconds SQS may gather hold timers"),
    Setting("holdTimerMaxConcurrency", 4, 2, 1_000, "hold sweeper instances at once"),
    Setting("waitlistBatchSize", 10, 1, 10, "events per invocation of the waitlist offer step"),
    Setting("waitlistBatchingWindowSeconds", 0, 0, 300, "seconds SQS may gather waitlist events"),
    Setting("waitlistMaxConcurrency", 4, 2, 1_000, "waitlist offer step instances at once"),
)
RESERVED_CONCURRENCY_KEY = "reservedConcurrency"
NO_RESERVATIONS = "none"


@dataclass(frozen=True)
class StackSettings:
    edge: EdgeLimits
    reserved_concurrency: Mapping[str, int]  # by function name; empty: nothing reserved
    feeds: Mapping[str, QueueFeed]  # by consumer function name
    api_memory_mb: int  # of every API area's and Portal function (the others: FUNCTION_MEMORY_MB)
    series_memory_mb: int  # of the booking-series area's, the one API area with its own

    def reserved(self, function: str) -> int | None:
        return self.reserved_concurrency.get(function)

    def area_memory_mb(self, area: Area) -> int:
        return self.series_memory_mb if area is Area.BOOKING_SERIES else self.api_memory_mb


def stack_settings(scope: Construct) -> StackSettings:
    """The settings the context gives, over the defaults; refused whole when one is out of bounds."""
    values = {s.key: _number(scope, s) for s in SETTINGS}
    reserved = _reserved(scope.node.try_get_context(RESERVED_CONCURRENCY_KEY))
    feeds = {
        USAGE_FEED.consumer: _feed(values, "metering"),
        WEBHOOK_RULE.consumer: _feed(values, "delivery"),
        HOLD_SWEEPER: _feed(values, "holdTimer"),
        WAITLIST_RULE.consumer: _feed(values, "waitlist"),
    }
    _check(values, reserved, feeds)
    edge = EdgeLimits(
        stage_rate=values["stageRateLimit"],
        stage_burst=values["stageBurstLimit"],
        waf_window_seconds=values["wafWindowSeconds"],
        waf_per_token=values["wafTokenLimit"],
        waf_per_anonymous_address=values["wafAnonymousLimit"],
        waf_per_address=values["wafAddressLimit"],
    )
    return StackSettings(
        edge=edge,
        reserved_concurrency=reserved,
        feeds=feeds,
        api_memory_mb=values["apiFunctionMemory"],
        series_memory_mb=values["seriesFunctionMemory"],
    )


def _number(scope: Construct, setting: Setting) -> int:
    given = scope.node.try_get_context(setting.key)
    if given is None:
        return setting.default
    if isinstance(given, bool) or not str(given).strip().isdigit():
        raise ValueError(f"{setting.key} must be a whole number ({setting.why}), not {given!r}")
    value = int(str(given))
    if not setting.low <= value <= setting.high:
        raise ValueError(f"{setting.key} must be from {setting.low} to {setting.high} ({setting.why})")
    return value


def _reserved(given: Any) -> dict[str, int]:
    """The defaults, with what `reservedConcurrency` changes: an object of function names to numbers (in
    cdk.json, or as JSON after -c), or "none" (nothing reserved: an account whose limit is below 1,000)."""
    if given is None:
        return dict(RESERVED_CONCURRENCY)
    if given == NO_RESERVATIONS:
        return {}
    changes = json.loads(given) if isinstance(given, str) else given
    if not isinstance(changes, dict):
        raise ValueError(f'{RESERVED_CONCURRENCY_KEY} must be an object of function names, or "none"')
    unknown = sorted(set(changes) - set(RESERVED_CONCURRENCY))
    if unknown:
        raise ValueError(
            f"{RESERVED_CONCURRENCY_KEY} names no function {unknown}: {sorted(RESERVED_CONCURRENCY)}"
        )
    for name, number in changes.items():
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"{RESERVED_CONCURRENCY_KEY}.{name} must be a whole number from 1")
    return {**RESERVED_CONCURRENCY, **changes}


def _feed(values: Mapping[str, int], prefix: str) -> QueueFeed:
    return QueueFeed(
        batch_size=values[f"{prefix}BatchSize"],
        batching_window_seconds=values[f"{prefix}BatchingWindowSeconds"],
        max_concurrency=values[f"{prefix}MaxConcurrency"],
    )


def _check(values: Mapping[str, int], reserved: Mapping[str, int], feeds: Mapping[str, QueueFeed]) -> None:
    """What the bounds of one key cannot say: the keys that depend on each other."""
    if values["wafWindowSeconds"] not in WAF_WINDOWS:
        raise ValueError(f"wafWindowSeconds must be one of {', '.join(map(str, WAF_WINDOWS))}")
    most = values["accountConcurrency"] - LAMBDA_UNRESERVED_MINIMUM
    if sum(reserved.values()) > most:
        raise ValueError(
            f"{RESERVED_CONCURRENCY_KEY} adds up to {sum(reserved.values())}, more than the {most} an "
            f"account of accountConcurrency={values['accountConcurrency']} can reserve (Lambda keeps "
            f'{LAMBDA_UNRESERVED_MINIMUM} unreserved): lower it, or set it to "none"'
        )
    for consumer, feed in feeds.items():
        if consumer in reserved and feed.max_concurrency > reserved[consumer]:
            raise ValueError(
                f"{consumer}'s queue may run {feed.max_concurrency} instances but {RESERVED_CONCURRENCY_KEY}."
                f"{consumer} is {reserved[consumer]}: Lambda would throttle the rest and SQS retry them"
            )
        if feed.batch_size > 10 and feed.batching_window_seconds < 1:  # SQS's rule for big batches
            raise ValueError(f"{consumer}: a batch above 10 messages needs a batching window of 1 s or more")
