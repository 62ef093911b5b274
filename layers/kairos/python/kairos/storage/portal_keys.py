"""Keys of the Portal (docs/table.md): people, their sessions and memberships, invitations, mailed
secrets, the guards of an email address's account flows, and the projects' audit logs."""

from datetime import datetime

from kairos.storage.key_parts import utc_key

# --- the Portal: people, memberships, invitations, mailed secrets, audit -------------------------------


def one_time(secret_hash: str) -> dict[str, str]:
    """A mailed secret (verification, password reset, invitation) by its hash; it expires (TTL)."""
    return {"PK": f"ONETIME#{secret_hash}", "SK": "ONETIME"}


def account(account_id: str) -> dict[str, str]:
    """A person's profile, by Cognito's `sub`."""
    return {"PK": f"ACCOUNT#{account_id}", "SK": "ACCOUNT"}


def owned_projects(account_id: str) -> dict[str, str]:
    """How many live projects a person owns (`owned`), counted by conditioned updates."""
    return {"PK": f"ACCOUNT#{account_id}", "SK": "OWNED"}


def address_record(email: str, kind: str) -> dict[str, str]:
    """What Kairos keeps per email address to guard its account flows (`kairos.storage.account_guard_store`):
    `REGISTRATION` (who is writing the account now), `LOG_IN_GUARD` (log-ins since the last success),
    `RESETS` (reset links issued and used)."""
    return {"PK": f"ADDRESS#{email}", "SK": kind}


def session_cut_off(account_id: str) -> dict[str, str]:
    """A person's log-out time: sessions begun before it are refused (`cut_off`, epoch seconds)."""
    return {"PK": f"ACCOUNT#{account_id}", "SK": "SESSIONS"}


def members_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#MEMBERS"


def membership(project_id: str, account_id: str) -> dict[str, str]:
    return {"PK": members_partition(project_id), "SK": f"MEMBER#{account_id}"}


def memberships_of_partition(account_id: str) -> str:
    return f"ACCOUNT#{account_id}#PROJECTS"


def membership_listing(project_id: str, account_id: str) -> dict[str, str]:
    """GSI1: the projects a person belongs to."""
    return {"GSI1PK": memberships_of_partition(account_id), "GSI1SK": f"PROJECT#{project_id}"}


def invitations_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#INVITES"


def invitation(project_id: str, invitation_id: str) -> dict[str, str]:
    return {"PK": invitations_partition(project_id), "SK": f"INVITE#{invitation_id}"}


def audit_partition(project_id: str) -> str:
    return f"PROJECT#{project_id}#AUDIT"


def audit_entry(project_id: str, at: datetime, written_ns: int, entry_id: str) -> dict[str, str]:
    """Sorted by time, then by when it was written (ns): entries of one second keep their order."""
    return {"PK": audit_partition(project_id), "SK": f"{utc_key(at)}#{written_ns:020d}#{entry_id}"}
