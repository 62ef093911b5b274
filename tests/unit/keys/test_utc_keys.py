"""Every key that sorts by time (a timeline's, a listing's, a hold's expiry) holds the instant's UTC text,
which `keys.utc_key` keeps for the instants met last: the text must stay the instant's, whatever zone and
reading of a wall time it is given in."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from kairos.storage import keys

PARIS = ZoneInfo("Europe/Paris")


def test_the_two_readings_of_a_repeated_wall_time_keep_their_own_instants() -> None:
    # 02:30 on 26 October 2031 in Paris happens twice: CEST first (fold 0), then CET (fold 1). The two
    # compare equal as datetimes of one zone, and a key kept for one must not be given to the other.
    summer = datetime(2031, 10, 26, 2, 30, tzinfo=PARIS)
    winter = summer.replace(fold=1)
    assert summer == winter
    assert keys.utc_key(summer) == "2031-10-26T00:30:00Z"
    assert keys.utc_key(winter) == "2031-10-26T01:30:00Z"
    assert keys.utc_key(summer) == "2031-10-26T00:30:00Z"  # asked again, after the other


def test_one_instant_has_one_key_in_any_zone() -> None:
    instant = datetime(2030, 3, 4, 9, 0, 59, 999_999, tzinfo=UTC)
    readings = [
        instant,
        instant.astimezone(PARIS),
        instant.astimezone(timezone(timedelta(hours=-5, minutes=-30))),
    ]
    assert {keys.utc_key(reading) for reading in readings} == {"2030-03-04T09:00:59Z"}
    assert keys.utc_key(instant + timedelta(microseconds=1)) == "2030-03-04T09:01:00Z"
