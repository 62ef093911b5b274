"""Token abilities, as the Hapio reference lists them (section 8).

A token holds a set of these; each route names the one it needs, and a few fields need their own
(`<entity>:protected_metadata`, `booking:ignore_*`).
"""

_CRUD = ("view", "create", "update", "delete")

ALL_ABILITIES: tuple[str, ...] = (
    *(f"location:{a}" for a in (*_CRUD, "protected_metadata")),
    *(f"resource:{a}" for a in (*_CRUD, "protected_metadata")),
    *(f"service:{a}" for a in (*_CRUD, "protected_metadata")),
    *(f"schedule_block:{a}" for a in _CRUD),
    *(f"recurring_schedule:{a}" for a in _CRUD),
    *(f"recurring_schedule_block:{a}" for a in _CRUD),
    "schedule:view",
    "resource_service:view",
    "resource_service:create",
    "resource_service:delete",
    "bookable_slot:view",
    *(f"booking:{a}" for a in (*_CRUD, "protected_metadata")),
    "booking:ignore_schedule",
    "booking:ignore_fully_booked",
    "booking:ignore_bookable_slots",
    "booking:ignore_booking_window",
    "booking:ignore_cancelation_threshold",
    *(f"booking_group:{a}" for a in (*_CRUD, "protected_metadata")),
    "booking_group:read_protected_metadata",
    "booking_group:write_protected_metadata",
    # Kairos additions (Hapio manages webhooks and usage in its admin API only)
    *(f"webhook:{a}" for a in _CRUD),
    "usage:view",
    *(f"calendar_feed:{a}" for a in ("view", "create", "delete")),  # secret calendar feed URLs
    *(f"calendar_subscription:{a}" for a in _CRUD),  # busy times from external calendars
    *(f"waitlist_entry:{a}" for a in ("view", "create", "delete")),  # waitlists
)


def validate_abilities(names: list[str]) -> list[str]:
    """The unknown names among `names`, so callers can refuse a token with a typo in it."""
    known = set(ALL_ABILITIES)
    return [n for n in names if n not in known]
