"""Settings read from the environment, once, in one place."""

import os
from dataclasses import dataclass

from kairos.domain.projects.auth import ANONYMOUS_RATE_LIMIT

DEFAULT_REGION = "eu-central-1"
DEFAULT_TABLE = "kairos"
MAX_SLOT_WINDOW_ENV = "KAIROS_MAX_SLOT_WINDOW_DAYS"
DEFAULT_MAX_SLOT_WINDOW_DAYS = 62  # Kairos' own limit: Hapio documents none
ANONYMOUS_RATE_LIMIT_ENV = "KAIROS_ANONYMOUS_RATE_LIMIT"
DEFAULT_ANONYMOUS_RATE_LIMIT = ANONYMOUS_RATE_LIMIT  # the free plan's, as Laravel throttles guests by IP
DEFAULT_PORTAL_URL = "http://127.0.0.1:8080"  # the local server's
PORTAL_ATTEMPTS_ENV = "KAIROS_PORTAL_ATTEMPTS_PER_MINUTE"
BOOKING_LISTS_ENV = "KAIROS_BOOKING_LISTS"
BOOKING_LISTS = ("indexed", "project")
DEFAULT_PORTAL_ATTEMPTS = 30


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str
    dynamodb_endpoint: str | None
    # The longest from-to range one bookable-slots request may ask for, in days. It bounds the work of a
    # request (slots are computed for the whole range, and an open-ended slot reaches past it).
    max_slot_window_days: int = DEFAULT_MAX_SLOT_WINDOW_DAYS
    # Requests a minute from one source address without a valid token. Raise it where many clients share
    # an address (a NAT), or for a local API under an automated test that probes without tokens.
    anonymous_rate_limit: int = DEFAULT_ANONYMOUS_RATE_LIMIT
    # The Portal (docs/portal.md): the Cognito user pool and its app client, where the Portal's pages are
    # (the links in its mails, and the one origin its browsers may call the admin API from), and how mail
    # leaves: SES from `mail_sender` deployed, files in `mail_outbox` locally.
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    portal_url: str = DEFAULT_PORTAL_URL
    mail_sender: str = ""
    mail_outbox: str | None = None
    # Log-in, registration and reset attempts a minute from one source address (and 10 per account from it).
    portal_attempts_per_minute: int = DEFAULT_PORTAL_ATTEMPTS
    # Whether booking lists read the listing indexes (GSI2-4 and GSI1's length classes), or the project's
    # bookings as the version before them did: `project` while a stack is upgraded (docs/infrastructure.md).
    booking_lists_indexed: bool = True

    @property
    def portal_origin(self) -> str:
        """The scheme, host and port of `portal_url`: the CORS origin of the admin API."""
        scheme, _, rest = self.portal_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            table_name=os.environ.get("KAIROS_TABLE_NAME", DEFAULT_TABLE),
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
            dynamodb_endpoint=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
            max_slot_window_days=_positive_int(MAX_SLOT_WINDOW_ENV, DEFAULT_MAX_SLOT_WINDOW_DAYS),
            anonymous_rate_limit=_positive_int(ANONYMOUS_RATE_LIMIT_ENV, DEFAULT_ANONYMOUS_RATE_LIMIT),
            user_pool_id=os.environ.get("KAIROS_USER_POOL_ID", ""),
            user_pool_client_id=os.environ.get("KAIROS_USER_POOL_CLIENT_ID", ""),
            portal_url=os.environ.get("KAIROS_PORTAL_URL") or DEFAULT_PORTAL_URL,
            mail_sender=os.environ.get("KAIROS_MAIL_FROM", ""),
            mail_outbox=os.environ.get("KAIROS_MAIL_OUTBOX") or None,
            portal_attempts_per_minute=_positive_int(PORTAL_ATTEMPTS_ENV, DEFAULT_PORTAL_ATTEMPTS),
            booking_lists_indexed=_choice(BOOKING_LISTS_ENV, BOOKING_LISTS) == "indexed",
        )


def _positive_int(name: str, default: int) -> int:
    """A whole number of at least 1 from the environment; anything else stops the function at start,
    with the setting's name, rather than answering requests with a limit nobody chose."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` from the environment (the first when unset); anything else stops the function."""
    raw = os.environ.get(name, "").strip() or choices[0]
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw
