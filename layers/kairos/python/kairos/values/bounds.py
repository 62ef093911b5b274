"""The bounds of lengths (docs/api.md, "limits") and the check of a duration against them, without pydantic:
query parameters and project settings are checked with them too, and a request that parses only those does
not load the input models' machinery (`kairos.domain.shared.fields` builds the models' field types on
them)."""

from datetime import timedelta

from kairos.values import formats

MIN_LENGTH = timedelta(minutes=1)  # a finer grid makes a slot window millions of starts
MAX_LENGTH = timedelta(days=366)
MAX_LEAD = timedelta(days=3650)  # P10Y
MAX_PRIORITY_IDS = 1_000  # ids a location may rank, and resources one slot may ask for together
_BOUND_TEXT = {MIN_LENGTH: "PT1M", MAX_LENGTH: "P366D", MAX_LEAD: "P10Y (3650 days)"}


def check_duration(
    duration: formats.Duration, longest: timedelta = MAX_LENGTH, shortest: timedelta | None = MIN_LENGTH
) -> None:
    """Raises ValueError (a 422 message) unless `shortest` ≤ duration ≤ `longest` (nominal lengths)."""
    length = duration.nominal()
    if shortest is not None and duration.is_zero:
        raise ValueError("must be a duration greater than zero")
    if shortest is not None and length < shortest:
        raise ValueError(f"must be a duration of at least {_BOUND_TEXT.get(shortest, shortest)}")
    if length > longest:
        raise ValueError(f"must be a duration of at most {_BOUND_TEXT[longest]}")
