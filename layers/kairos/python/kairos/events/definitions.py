"""The event bus, its rules and the queues, defined once: the CDK stack and the local chain both build
them from here (names, event patterns, targets).

Domain events (source `kairos`, detail-type the event type such as `booking.created`) travel on the bus
`kairos`: produced from the table's stream, their `detail` is the envelope documented in docs/events.md.

Usage events (source `kairos.usage`, detail-type `api.request`), one per counted request, do not: the API
function sends each straight to the usage queue (`USAGE_FEED`, `kairos.messaging.usage_queue`), in the
same EventBridge event shape, and the metering consumer rolls them up per project. Off the bus, they meet
no PutEvents quota (2,400 calls a second per account in eu-central-1: docs/scale.md).
"""

from dataclasses import dataclass
from typing import Any, Literal, get_args

BUS_NAME = "kairos"
DOMAIN_SOURCE = "kairos"
USAGE_SOURCE = "kairos.usage"
SCHEMA_VERSION = "1"

# The event types as types (the envelope models use them) and as tuples (rules, docs, tests).
BookingEventType = Literal[
    "booking.created",
    "booking.updated",
    "booking.finalized",
    "booking.canceled",
    "booking.deleted",
    "booking.expired",
]
BookingGroupEventType = Literal[
    "booking_group.created",
    "booking_group.updated",
    "booking_group.finalized",
    "booking_group.canceled",
    "booking_group.deleted",
]
WaitlistEntryEventType = Literal[  # one per status an entry reaches (docs/waitlists.md), and its removal
    "waitlist_entry.created",
    "waitlist_entry.offered",
    "waitlist_entry.booked",
    "waitlist_entry.expired",
    "waitlist_entry.declined",
    "waitlist_entry.lapsed",
    "waitlist_entry.deleted",
]
# Kairos: a booking series shown once all its bookings are written, and canceled from a date on.
BookingSeriesEventType = Literal["booking_series.created", "booking_series.canceled"]
BOOKING_EVENT_TYPES: tuple[str, ...] = get_args(BookingEventType)
BOOKING_GROUP_EVENT_TYPES: tuple[str, ...] = get_args(BookingGroupEventType)
BOOKING_SERIES_EVENT_TYPES: tuple[str, ...] = get_args(BookingSeriesEventType)
WAITLIST_ENTRY_EVENT_TYPES: tuple[str, ...] = get_args(WaitlistEntryEventType)
EVENT_TYPES = (
    BOOKING_EVENT_TYPES + BOOKING_GROUP_EVENT_TYPES + BOOKING_SERIES_EVENT_TYPES + WAITLIST_ENTRY_EVENT_TYPES
)
# The events the waitlist offer step reads (kairos/waitlists/offers.py): those after which a place may be free
# at a location, those that settle an offered hold's entry, and an entry's deletion (which releases its hold).
# A change that may free places without a booking (a schedule, the catalogue, busy times) is a signal of its
# own (kairos/stream/vacancies.py), from the stream function, on another source.
WAITLIST_SOURCE = "kairos.waitlists"
WAITLIST_VACANCY = "waitlist.vacancy"
WAITLIST_FREEING = (
    WAITLIST_VACANCY,
    "booking.canceled",
    "booking.deleted",
    "booking.expired",
    "booking.updated",
    "waitlist_entry.created",
)
WAITLIST_SETTLING = ("booking.finalized", "booking.expired", "booking.canceled", "booking.deleted")
WAITLIST_WITHDRAWN = "waitlist_entry.deleted"  # an offered entry deleted: the step deletes its hold
USAGE_DETAIL_TYPES = ("api.request", "webhook.attempt")


@dataclass(frozen=True)
class Feed:
    """An SQS queue (with a dead-letter queue) and the function it feeds."""

    queue: str
    consumer: str  # the function (functions/<consumer>/handler.py) that the queue feeds


@dataclass(frozen=True)
class Rule(Feed):
    """An EventBridge rule on the bus and the SQS queue it delivers to."""

    name: str
    description: str
    pattern: dict[str, Any]


WEBHOOK_RULE = Rule(
    name="kairos-domain-events-to-webhooks",
    description="Booking, booking-group and waitlist entry events, for the webhook dispatcher",
    pattern={
        "source": [DOMAIN_SOURCE],
        "detail-type": [{"prefix": "booking"}, {"prefix": "waitlist_entry."}],
    },
    queue="kairos-webhook-deliveries",
    consumer="webhook_dispatcher",
)
WAITLIST_RULE = Rule(
    name="kairos-domain-events-to-waitlist-offers",
    description="Events that may free a place or settle an offer, for the waitlist offer step",
    pattern={
        "source": [DOMAIN_SOURCE, WAITLIST_SOURCE],
        "detail-type": sorted({*WAITLIST_FREEING, *WAITLIST_SETTLING, WAITLIST_WITHDRAWN}),
    },
    queue="kairos-waitlist-offers",
    consumer="waitlist_offers",
)
RULES = (WEBHOOK_RULE, WAITLIST_RULE)
# The usage queue: the API functions send a usage event per counted request to it, the metering consumer
# reads them (docs/usage.md).
USAGE_FEED = Feed(queue="kairos-usage", consumer="metering")


# The function the table's stream feeds (functions/<name>/handler.py), deployed and local.
STREAM_CONSUMER = "stream_mapper"
# The function that removes expired holds (functions/<name>/handler.py), fed by the hold timer queue (the
# stream mapper starts a timer per hold that expires: docs/bookings.md, "Removed at expiry"), deployed and
# locally; also run on a schedule of this many minutes (locally every KAIROS_HOLD_SWEEP_SECONDS, 60) for
# the holds listed before timers existed, in partitions every project shared, until there are none.
HOLD_SWEEPER = "hold_sweeper"
HOLD_TIMERS = Feed(queue="kairos-hold-timers", consumer=HOLD_SWEEPER)
HOLD_SWEEP_MINUTES = 1
FEEDS: tuple[Feed, ...] = (*RULES, USAGE_FEED, HOLD_TIMERS)  # every queue and the function it feeds
# The function that syncs the calendar subscriptions' feeds (docs/calendar-subscriptions.md): deployed on a
# schedule of this many minutes, with this timeout (each feed takes at most 10 s, several at once);
# locally every KAIROS_CALENDAR_POLL_SECONDS (60) seconds.
CALENDAR_POLLER = "calendar_poller"
CALENDAR_POLL_MINUTES = 15
CALENDAR_POLL_TIMEOUT_SECONDS = 300
# Queue settings shared by the stack and the local chain. A message is received this many times before it
# moves to the dead-letter queue; the visibility timeout is six times the consumers' timeout (AWS's advice).
MAX_RECEIVE_COUNT = 5
CONSUMER_TIMEOUT_SECONDS = 30
VISIBILITY_TIMEOUT_SECONDS = 6 * CONSUMER_TIMEOUT_SECONDS
# Kept back from a function's remaining time when its deadline is set (`kairos.deadline`; a consumer's batch
# budget is the same): for what is written and answered after the last wait (a webhook's answer, a
# DynamoDB retry), and the reply to Lambda.
BUDGET_RESERVE_SECONDS = 3.0


def dead_letter_queue(queue: str) -> str:
    return f"{queue}-dlq"


def schema_file(family: str) -> str:
    """The name of an event family's published JSON Schema (docs/events/schemas/)."""
    return f"{family}.v{SCHEMA_VERSION}.json"
