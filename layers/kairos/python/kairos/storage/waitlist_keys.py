"""Keys of waitlists (docs/waitlists.md). A project's waitlist entries share one partition (entries are few
beside bookings), beside the link of each offered hold to its entry (`OFFER#<booking id>`). A waiting entry
is also listed in GSI1 by its location, oldest first, which the offer step reads; the listing keys leave the
item when the entry stops waiting."""

from datetime import datetime

from kairos.storage.key_parts import owned_partition, utc_key

WAITLIST_ENTRY_PREFIX = "ENTRY#"


def waitlist_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#WAITLIST"


def waitlist_entry(project_id: str, entry_id: str) -> dict[str, str]:
    return {"PK": waitlist_partition(project_id), "SK": f"{WAITLIST_ENTRY_PREFIX}{entry_id}"}


def waiting_listing_partition(project_id: str, location_id: str) -> str:
    return f"{owned_partition(project_id, 'location', location_id)}#WAITLIST"


def waiting_listing(project_id: str, location_id: str, turn: tuple[datetime, int, str]) -> dict[str, str]:
    """Sorted by when the entry joined (its creation second, then the nanosecond read, then its id)."""
    created_at, queued_ns, entry_id = turn
    return {
        "GSI1PK": waiting_listing_partition(project_id, location_id),
        "GSI1SK": f"{utc_key(created_at)}#{queued_ns:020d}#{entry_id}",
    }


def waitlist_offer(project_id: str, booking_id: str) -> dict[str, str]:
    """The link from an offered hold to its entry, read when the hold is finalized, canceled or removed."""
    return {"PK": waitlist_partition(project_id), "SK": f"OFFER#{booking_id}"}
