"""Every key of the single table is built here, and nowhere else (see docs/table.md for the patterns)."""

from typing import Final

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


def rate_window(project_id: str, minute: str) -> dict[str, str]:
    return {"PK": f"RATE#{project_id}", "SK": f"MINUTE#{minute}"}


def entity_prefix(kind: str) -> str:
    """Sort-key prefix of a catalogue entity kind (`location` -> `LOCATION#`)."""
    return f"{kind.upper()}#"


def entity(project_id: str, kind: str, entity_id: str) -> dict[str, str]:
    return {"PK": f"PROJECT#{project_id}", "SK": f"{entity_prefix(kind)}{entity_id}"}


def entity_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def owned_partition(project_id: str, kind: str, entity_id: str) -> str:
    """The partition of what belongs to one entity: a service's resources, a resource's services (and,
    later, its schedules and bookings)."""
    return f"PROJECT#{project_id}#{kind.upper()}#{entity_id}"


def association(
    project_id: str, owner_kind: str, owner_id: str, other_kind: str, other_id: str
) -> dict[str, str]:
    return {
        "PK": owned_partition(project_id, owner_kind, owner_id),
        "SK": f"{entity_prefix(other_kind)}{other_id}",
    }
