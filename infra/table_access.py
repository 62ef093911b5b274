"""Each function's access to the table, least privilege: the DynamoDB actions its code makes, each allowed
only on the partitions it makes it on (the key families of `kairos.storage.keys`, built by the key
functions themselves), as IAM statements conditioned on `dynamodb:LeadingKeys` with
`ForAllValues:StringLike` (a pattern matches a whole partition key: every key a call names must match one).
A Query on an index is allowed on the index partitions it reads (IAM checks the index's partition key).

A project id is Kairos' own (a UUID: read with a token, from an event or from the table, or checked to be
one before a key is built, as the Portal's `member` does): its pattern is 36 characters, so
`PROJECT#<id>` is a project's entity partition and nothing else, while the partitions a project owns
(`PROJECT#<id>#...`) are families of their own. An entity id from a request path only ends a key, where
`*` takes it whatever it is. No function may Scan: only the operator CLI's backfills do, with the
operator's credentials. tests/infra/test_deployed_layout.py records every call each deployed function
makes in its scenario and fails when its role allows less, or grants an action none of its calls uses."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.references import logical_id
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
from kairos.storage import keys

ANY = "*"
UUID = "-".join("?" * length for length in (8, 4, 4, 4, 12))  # what kairos.values.ids makes

# --- the table's partitions, by family ---------------------------------------------------------------
TOKENS = keys.token(ANY)["PK"]
PROJECT = keys.entity_partition(UUID)  # the project item, its entities, calendar feeds (and legacy bookings)
BOOKINGS = keys.booking(UUID, ANY)["PK"]  # each booking item, in its own partition
RESOURCES = keys.owned_partition(UUID, "resource", ANY)  # associations, schedules, timelines, ledgers
SERVICES = keys.owned_partition(UUID, "service", ANY)  # associations
LOCATIONS = keys.owned_partition(UUID, "location", ANY)  # its own item (a delete sweeps it)
GROUPS = keys.owned_partition(UUID, "booking_group", ANY)  # a booking group's own item
# A location's, resource's, service's or group's own item, read by key (keys.entity_read), in the
# partition it owns.
CATALOGUE_ITEMS = [LOCATIONS, RESOURCES, SERVICES]
OWN_ITEMS = [*CATALOGUE_ITEMS, GROUPS]
WEBHOOKS = keys.owned_partition(UUID, "webhook", ANY)  # delivery logs
COUNTERS = keys.rate_counter(ANY, "")["PK"]  # a project's, an address's, the Portal's attempts
USAGE = keys.usage_shard(UUID, ANY)
LEGACY_USAGE = keys.usage_partition(UUID)  # the day items written before the split, read beside
REQUEST_LOG = keys.request_log_shard(UUID, ANY)
LEGACY_REQUEST_LOG = keys.request_log_partition(
    UUID
)  # entries written before the spread, read until they expire
TOKEN_USE = keys.token_use_partition(UUID)
FEED_KEYS = keys.calendar_feed_key(ANY)["PK"]
IDEMPOTENCY = keys.idempotency_partition(UUID, ANY)
ACCOUNTS = keys.account(ANY)["PK"]  # a person's account, owned projects and session cut-off
ADDRESSES = keys.address_record(ANY, "")["PK"]  # what guards an email address's account flows
ONE_TIME = keys.one_time(ANY)["PK"]
MEMBERS = keys.members_partition(UUID)
INVITATIONS = keys.invitations_partition(UUID)
AUDIT = keys.audit_partition(UUID)
# --- the indexes' partitions -----------------------------------------------------------------------------
# Booking lists: the project's (GSI1) and its resources', locations' and services' (GSI2-4), each shard,
# and the partitions of before the shards. A function that reads one reads the project's while a stack is
# upgraded (`bookingLists=project`), so it gets all.
BOOKING_LISTS = tuple(
    sorted(
        {
            partition
            for owner in keys.BOOKING_LISTING_INDEXES
            for partition in (
                keys.booking_listing_partition(UUID, owner, ANY),
                *keys.booking_listing_shards(UUID, owner, ANY),
            )
        }
    )
)
TOKEN_LISTS = keys.token_listing_partition(UUID)
MEMBERSHIPS = keys.memberships_of_partition(ANY)
HOLD_EXPIRY = keys.hold_expiry_partition(UUID, ANY)  # a resource's expiring holds
LEGACY_HOLD_EXPIRY = keys.LEGACY_HOLD_EXPIRY_PREFIX + ANY  # read until empty (holds listed before timers)
CALENDAR_SUBSCRIPTIONS = keys.CALENDAR_SUBSCRIPTIONS  # the listing of before, read until it is empty
CALENDAR_SUBSCRIPTION_SHARDS = keys.calendar_subscriptions_shard(ANY)
WAITLIST = keys.waitlist_partition(UUID)  # a project's waitlist entries and the links of offered holds
WAITING_LISTS = keys.waiting_listing_partition(UUID, ANY)  # a location's waiting entries (GSI1)


@dataclass(frozen=True)
class TableAccess:
    """Actions on the table, each with the partitions it may touch, and the index partitions it may
    query."""

    actions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    index_queries: Sequence[str] = ()

    def __or__(self, other: "TableAccess") -> "TableAccess":
        actions = {
            a: sorted({*self.actions.get(a, ()), *other.actions.get(a, ())})
            for a in {*self.actions, *other.actions}
        }
        return TableAccess(actions, sorted({*self.index_queries, *other.index_queries}))


# What every API request does before its route: the token and its project, the request counter, and at a
# counter's first request of a month the project's metered usage (kairos/storage/rate_store.py).
AUTHENTICATED = TableAccess(
    {"GetItem": [TOKENS, PROJECT], "UpdateItem": [COUNTERS], "Query": [USAGE, LEGACY_USAGE]}
)
# Catalogue entities under PROJECT#<id> (kairos/storage/catalogue_store.py); a delete looks at what the
# entity owns.
ENTITIES = TableAccess(
    {"GetItem": [PROJECT], "PutItem": [PROJECT], "DeleteItem": [PROJECT], "Query": [PROJECT]}
)
# Several entities at once: what a booking or a schedule names, rendered or checked; a location, resource
# or service from its own item (its listed one while not copied yet), alone or in a batch.
ENTITY_BATCHES = TableAccess({"BatchGetItem": [PROJECT, *OWN_ITEMS], "GetItem": OWN_ITEMS})
# A location's, resource's or service's own item, written and deleted with its listed one.
CATALOGUE_WRITES = TableAccess({"PutItem": CATALOGUE_ITEMS, "DeleteItem": CATALOGUE_ITEMS})
# A resource's or a service's associations (both mirrors, in one transaction with checks of both ends),
# deleted with either end in one batch.
ASSOCIATIONS = TableAccess(
    {
        "GetItem": [RESOURCES, SERVICES],
        "Query": [RESOURCES, SERVICES],
        "ConditionCheckItem": [PROJECT],
        "PutItem": [RESOURCES, SERVICES],
        "DeleteItem": [RESOURCES, SERVICES],
        "BatchWriteItem": [RESOURCES, SERVICES],
    }
)
# A resource's schedules, timeline and ledger, in its partition (schedule_store, timeline_head, ledger):
# read by slot listings and booking checks, written by schedule changes and bookings (one transaction,
# conditioned on what was read).
SCHEDULE_READS = TableAccess({"GetItem": [RESOURCES], "BatchGetItem": [RESOURCES], "Query": [RESOURCES]})
TIMELINE_WRITES = SCHEDULE_READS | TableAccess(
    {"PutItem": [RESOURCES], "UpdateItem": [RESOURCES], "DeleteItem": [RESOURCES]}
)
SCHEDULES = TIMELINE_WRITES | TableAccess({"ConditionCheckItem": [PROJECT, RESOURCES]})
# A change of a service or location stamps every resource's timeline head (storage/catalogue_stamps.py).
CATALOGUE_STAMPS = TableAccess({"UpdateItem": [RESOURCES]})
# Booking writes: one transaction of the bookings (and a group's item), their timeline holds, the ledger
# bumps and the timelines' heads, conditioned on what they were checked against (booking_store.py).
# A booking group's plans are always made from fresh reads, so its transactions set the catalogue stamps
# and check nothing apart (no ConditionCheck); a single booking planned from an instance's memory checks
# the remembered resource and association, and a head it leaves unchanged (`REMEMBERED_CHECKS`).
GROUP_WRITES = TIMELINE_WRITES | TableAccess(
    {
        "GetItem": [BOOKINGS],
        "PutItem": [PROJECT, BOOKINGS, GROUPS],
        "DeleteItem": [PROJECT, BOOKINGS, GROUPS],
        "BatchGetItem": [PROJECT, BOOKINGS, *OWN_ITEMS],
        "Query": [SERVICES],  # a service's resources
    },
    BOOKING_LISTS,
)
REMEMBERED_CHECKS = TableAccess({"ConditionCheckItem": [PROJECT, RESOURCES, SERVICES]})
BOOKING_WRITES = GROUP_WRITES | REMEMBERED_CHECKS
# Idempotency-Key records (Powertools: a conditioned put, the result's update, a delete when the
# request fails).
IDEMPOTENT = TableAccess({"PutItem": [IDEMPOTENCY], "UpdateItem": [IDEMPOTENCY], "DeleteItem": [IDEMPOTENCY]})
# Booking groups and series: many bookings in one request, planned from fresh reads (no remembered
# resource to check), under an Idempotency-Key.
MANY_BOOKINGS = AUTHENTICATED | ENTITIES | ENTITY_BATCHES | GROUP_WRITES | IDEMPOTENT
# Waitlist entries (storage/waitlist_store.py): the API's create, get, list, delete (and the association of a
# named resource); the offer step's hold, written with the entry and its link in one transaction.
WAITLIST_ENTRIES = TableAccess(
    {"GetItem": [WAITLIST, SERVICES], "PutItem": [WAITLIST], "Query": [WAITLIST], "DeleteItem": [WAITLIST]}
)
WAITLIST_OFFERS = (  # fresh plans only (no remembered resource to check): GROUP_WRITES' actions
    GROUP_WRITES
    | ENTITY_BATCHES
    | TableAccess(
        {"GetItem": [PROJECT, WAITLIST], "PutItem": [WAITLIST], "DeleteItem": [WAITLIST]}, [WAITING_LISTS]
    )
)

ACCESS: Mapping[str, TableAccess] = {
    Area.PROJECT: AUTHENTICATED,
    Area.LOCATIONS: AUTHENTICATED
    | ENTITIES
    | ENTITY_BATCHES
    | CATALOGUE_WRITES
    | CATALOGUE_STAMPS
    | TableAccess({"Query": [LOCATIONS], "BatchWriteItem": [LOCATIONS]}, BOOKING_LISTS),
    Area.RESOURCES: AUTHENTICATED
    | ENTITIES
    | ENTITY_BATCHES
    | CATALOGUE_WRITES
    | ASSOCIATIONS
    | SCHEDULES
    | TableAccess(index_queries=BOOKING_LISTS),
    Area.SERVICES: AUTHENTICATED
    | ENTITIES
    | ENTITY_BATCHES
    | CATALOGUE_WRITES
    | ASSOCIATIONS
    | SCHEDULE_READS
    | CATALOGUE_STAMPS,
    Area.BOOKINGS: AUTHENTICATED
    | ENTITIES
    | ENTITY_BATCHES
    | BOOKING_WRITES
    | IDEMPOTENT
    | WAITLIST_ENTRIES
    | TableAccess({"GetItem": [FEED_KEYS], "PutItem": [FEED_KEYS], "DeleteItem": [FEED_KEYS]}),
    Area.BOOKING_GROUPS: MANY_BOOKINGS,
    Area.BOOKING_SERIES: MANY_BOOKINGS,
    Area.WEBHOOKS: AUTHENTICATED
    | ENTITIES
    | TableAccess(
        {"GetItem": [WEBHOOKS], "PutItem": [WEBHOOKS], "Query": [WEBHOOKS], "BatchWriteItem": [WEBHOOKS]}
    ),
    # What a booking's event renders; a legacy booking item's removal looks for the booking under its key.
    STREAM_CONSUMER: TableAccess(
        {"BatchGetItem": [PROJECT, BOOKINGS, *OWN_ITEMS], "GetItem": [PROJECT, BOOKINGS]}
    ),
    HOLD_SWEEPER: TableAccess(
        {
            "GetItem": [PROJECT, BOOKINGS],
            "DeleteItem": [PROJECT, RESOURCES, BOOKINGS],
            "UpdateItem": [RESOURCES],
        },
        [HOLD_EXPIRY, LEGACY_HOLD_EXPIRY],
    ),
    # Every subscription (GSI1), their resources (in batches), then per sync one transaction of the
    # subscription and its busy set in the timeline head; a changed busy set counts the resource's bookings
    # it overlaps (their locations in a batch).
    CALENDAR_POLLER: TableAccess(
        {
            "BatchGetItem": [PROJECT, *OWN_ITEMS],
            "PutItem": [RESOURCES],
            "UpdateItem": [RESOURCES],
        },
        [CALENDAR_SUBSCRIPTIONS, CALENDAR_SUBSCRIPTION_SHARDS, *BOOKING_LISTS],
    ),
    WAITLIST_RULE.consumer: WAITLIST_OFFERS,
    USAGE_FEED.consumer: TableAccess(  # BatchWriteItem: the log entries' bodies (request_log_bodies)
        {"PutItem": [REQUEST_LOG], "BatchWriteItem": [REQUEST_LOG], "UpdateItem": [USAGE, TOKEN_USE]}
    ),
    WEBHOOK_RULE.consumer: TableAccess(  # DeleteItem: a delivery lane given back (kairos.webhooks.lanes)
        {
            "GetItem": [PROJECT, WEBHOOKS],
            "Query": [PROJECT],
            "PutItem": [WEBHOOKS],
            "DeleteItem": [WEBHOOKS],
            "UpdateItem": [USAGE],
        }
    ),
    PortalArea.ACCOUNTS: TableAccess(
        {
            "GetItem": [ONE_TIME, ADDRESSES],
            "PutItem": [ACCOUNTS, ONE_TIME],
            "DeleteItem": [ONE_TIME, ADDRESSES],
            "UpdateItem": [COUNTERS, ADDRESSES, ACCOUNTS],
        }
    ),
    PortalArea.PORTAL: TableAccess(
        {
            "GetItem": [ACCOUNTS, PROJECT, MEMBERS, WEBHOOKS, ONE_TIME],  # ONE_TIME: an e-mail change's link
            "BatchGetItem": [ACCOUNTS, PROJECT, REQUEST_LOG],  # REQUEST_LOG: a log page's bodies
            "PutItem": [ACCOUNTS, ONE_TIME, PROJECT, MEMBERS, INVITATIONS, AUDIT, WEBHOOKS, TOKENS],
            "UpdateItem": [ACCOUNTS, ADDRESSES, PROJECT, TOKENS, COUNTERS],
            "DeleteItem": [ACCOUNTS, ADDRESSES, ONE_TIME, PROJECT, MEMBERS, INVITATIONS],
            "BatchWriteItem": [WEBHOOKS],
            "Query": [
                PROJECT,
                MEMBERS,
                INVITATIONS,
                AUDIT,
                TOKEN_USE,
                WEBHOOKS,
                REQUEST_LOG,
                LEGACY_REQUEST_LOG,
                USAGE,
                LEGACY_USAGE,
            ],
        },
        [MEMBERSHIPS, TOKEN_LISTS],
    ),
}


def grant_table_access(function: iam.IGrantable, table: dynamodb.ITable, name: str, scope: Construct) -> None:
    """The function's statements: one per set of partitions (the actions allowed on exactly those), and
    one for its index queries (`<table>/index/*`, acknowledged to cdk-nag in `scope`). All the partitions
    of one action are in one statement: IAM checks every key of a batch against a single statement."""
    access = ACCESS[name]
    by_partitions: dict[tuple[str, ...], list[str]] = {}
    for action, partitions in sorted(access.actions.items()):
        by_partitions.setdefault(tuple(sorted(partitions)), []).append(f"dynamodb:{action}")
    for partitions, actions in by_partitions.items():
        function.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=actions, resources=[table.table_arn], conditions=_leading(partitions))
        )
    if not access.index_queries:
        return
    function.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["dynamodb:Query"],
            resources=[f"{table.table_arn}/index/*"],
            conditions=_leading(access.index_queries),
        )
    )
    Validations.of(scope).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{logical_id(table)}.Arn>/index/*]",
            reason="Queries of the table's own indexes (`<table>/index/*`, today GSI1-4), limited by a "
            "dynamodb:LeadingKeys condition to the index partitions the function reads.",
        )
    )


def _leading(partitions: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": sorted(partitions)}}
