"""Keys of the API's entities (docs/table.md): projects and their tokens, catalogue entities and their
associations, calendar feeds, webhooks and calendar subscriptions."""

from typing import Final

from kairos.storage.key_parts import entity_prefix, owned_partition

PROJECTS: Final = "PROJECTS"


def project(project_id: str) -> dict[str, str]:
    return {"PK": f"PROJECT#{project_id}", "SK": "PROJECT"}


def project_listing(project_id: str) -> dict[str, str]:
    return {"GSI1PK": PROJECTS, "GSI1SK": f"PROJECT#{project_id}"}


def token(token_hash: str) -> dict[str, str]:
    return {"PK": f"TOKEN#{token_hash}", "SK": "TOKEN"}


def token_listing(project_id: str, token_id: str) -> dict[str, str]:
    return {"GSI1PK": f"PROJECT#{project_id}#TOKENS", "GSI1SK": f"TOKEN#{token_id}"}


def token_listing_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#TOKENS"


def entity(project_id: str, kind: str, entity_id: str) -> dict[str, str]:
    """An entity's item in its project's partition: what lists of its kind read and what conditions on it
    are made on (for a location, resource or service, its listed item)."""
    return {"PK": f"PROJECT#{project_id}", "SK": f"{entity_prefix(kind)}{entity_id}"}


# A location, resource, service or booking group is read by key (gets, what bookings render, slot
# listings, booking plans) from an item of its own, in the partition it owns (`ENTITY`), written in the
# same transaction as its listed item: every booking list, slot listing or booking plan of a busy project
# reads them, far more than one partition serves. Entities written before have only their listed item
# until the backfill `catalogue` copies them; readers fall back to it (kairos/storage/entity_reads.py).
SPREAD_ENTITY_KINDS: Final = frozenset({"location", "resource", "service", "booking_group"})
ENTITY_SORT_KEY: Final = "ENTITY"


def entity_read(project_id: str, kind: str, entity_id: str) -> dict[str, str]:
    """Where an entity is read by key: its own item for a location, resource, service or booking group,
    else `entity`."""
    if kind not in SPREAD_ENTITY_KINDS:
        return entity(project_id, kind, entity_id)
    return {"PK": owned_partition(project_id, kind, entity_id), "SK": ENTITY_SORT_KEY}


def association(
    project_id: str, owner_kind: str, owner_id: str, other_kind: str, other_id: str
) -> dict[str, str]:
    return {
        "PK": owned_partition(project_id, owner_kind, owner_id),
        "SK": f"{entity_prefix(other_kind)}{other_id}",
    }


# --- calendar feeds ---------------------------------------------------------------------------------------
# A secret feed URL is a project entity (`entity(p, "calendar_feed", f)`) and a lookup item keyed by the
# hash of its secret, which is how an unauthenticated feed request finds its project.


def calendar_feed_key(key_hash: str) -> dict[str, str]:
    return {"PK": f"CALFEEDKEY#{key_hash}", "SK": "CALFEEDKEY"}


# --- webhooks ----------------------------------------------------------------------------------------------
# A webhook subscription is a project entity (`entity(p, "webhook", w)`); its delivery log is the partition
# it owns (`owned_partition(p, "webhook", w)`), so deleting the subscription sweeps its deliveries too.

DELIVERY_PREFIX = "DELIVERY#"


def webhook_delivery(project_id: str, webhook_id: str, delivery_id: str) -> dict[str, str]:
    return {"PK": owned_partition(project_id, "webhook", webhook_id), "SK": f"{DELIVERY_PREFIX}{delivery_id}"}


def webhook_lane(project_id: str, webhook_id: str, lane: int) -> dict[str, str]:
    """One of a subscription's delivery lanes (`kairos.webhooks.lanes`), in the partition its log is in."""
    return {"PK": owned_partition(project_id, "webhook", webhook_id), "SK": f"LANE#{lane}"}


# --- calendar subscriptions (docs/calendar-subscriptions.md) ------------------------------------------------

CALENDAR_SUBSCRIPTION_PREFIX = "CALSUB#"
# GSI1: every subscription, which the poller reads, spread over a few partitions by the subscription's id, so
# the syncs' rewrites of the listed items (and the API's creations) spread. A subscription listed before in
# the one partition `CALSUBS` moves to its shard when it is next written (by its next sync).
CALENDAR_SUBSCRIPTION_SHARDS = 16
CALENDAR_SUBSCRIPTIONS = "CALSUBS"


def calendar_subscription(project_id: str, resource_id: str, subscription_id: str) -> dict[str, str]:
    return {
        "PK": owned_partition(project_id, "resource", resource_id),
        "SK": f"{CALENDAR_SUBSCRIPTION_PREFIX}{subscription_id}",
    }


def calendar_subscriptions_shard(shard: str) -> str:
    return f"{CALENDAR_SUBSCRIPTIONS}#{shard}"


def calendar_subscription_partitions() -> list[str]:
    """Every GSI1 partition the poller reads: the shards, and the one of before (until it is empty)."""
    shards = [calendar_subscriptions_shard(str(n)) for n in range(CALENDAR_SUBSCRIPTION_SHARDS)]
    return [*shards, CALENDAR_SUBSCRIPTIONS]


def calendar_subscription_listing(project_id: str, resource_id: str, subscription_id: str) -> dict[str, str]:
    shard = int(subscription_id.replace("-", "")[-4:], 16) % CALENDAR_SUBSCRIPTION_SHARDS
    return {
        "GSI1PK": calendar_subscriptions_shard(str(shard)),
        "GSI1SK": f"{project_id}#{resource_id}#{subscription_id}",
    }
