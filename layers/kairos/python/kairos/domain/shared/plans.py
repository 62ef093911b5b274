"""Plans: how many requests a project may make per minute and per month (Hapio's public price list).
Configurable per project; these are the defaults a new project gets."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    requests_per_minute: int
    requests_per_month: int | None  # None: unlimited


PLANS: dict[str, Plan] = {
    p.name: p
    for p in (
        Plan("free", 100, 2_500),
        Plan("tier2", 250, 10_000),
        Plan("tier3", 500, 100_000),
        Plan("tier4", 1_000, 250_000),
        Plan("enterprise", 1_000, None),
    )
}
DEFAULT_PLAN = "free"


def plan_of(name: str) -> Plan:
    """A project's plan; a name no longer offered counts as unlimited rather than locking the project."""
    return PLANS.get(name, PLANS["enterprise"])
