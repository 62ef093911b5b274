"""Every key of the single table, built by the modules of its families and nowhere else (docs/table.md for
the patterns): `key_parts` (what they share), `entity_keys` (projects, tokens, catalogue, feeds, webhooks,
calendar subscriptions), `booking_keys` (bookings, timelines, ledgers, listings, holds), `usage_keys`
(rate and usage counters, request log, idempotency), `portal_keys` (people, memberships, audit) and
`waitlist_keys` (entries, their listing, offers). Callers import this module; each name is defined once, in
its family's module."""

from kairos.storage.booking_keys import *  # noqa: F403
from kairos.storage.entity_keys import *  # noqa: F403
from kairos.storage.key_parts import *  # noqa: F403
from kairos.storage.portal_keys import *  # noqa: F403
from kairos.storage.usage_keys import *  # noqa: F403
from kairos.storage.waitlist_keys import *  # noqa: F403
