"""The longest bookable-slots window is Kairos' own limit (Hapio documents none): a setting,
KAIROS_MAX_SLOT_WINDOW_DAYS (62 days by default), that the 422 names."""

from dataclasses import replace

import pytest

from kairos.config import Settings
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from tests.unit.clinic import at


def _window(clinic: dict[str, str], to: str) -> dict[str, str]:
    return {"from": at(0), "to": to, "location": clinic["location_id"]}  # from 2030-01-07 00:00


def test_a_window_up_to_the_setting_is_listed_and_a_longer_one_names_the_setting(
    container: Container, principal: Principal, clinic: dict[str, str]
) -> None:
    slots = container.availability.bookable_slots

    listed = slots(principal, clinic["service_id"], _window(clinic, "2030-03-10T00:00:00+00:00"))  # 62 days
    with pytest.raises(ValidationFailed) as refused:
        slots(principal, clinic["service_id"], _window(clinic, "2030-03-10T00:00:01+00:00"))

    assert listed.total == 9  # the PT1H slots of DAY, 08:00-17:00
    assert refused.value.errors == {
        "to": [
            "The to field must be at most 62 days after from: Kairos' limit on one bookable-slots request "
            "(the KAIROS_MAX_SLOT_WINDOW_DAYS setting); ask for a longer range in several requests."
        ]
    }


def test_the_limit_follows_the_setting(
    container: Container, principal: Principal, clinic: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_MAX_SLOT_WINDOW_DAYS", "2")
    settings = replace(
        container.settings, max_slot_window_days=Settings.from_environment().max_slot_window_days
    )
    slots = Container.from_settings(settings).availability.bookable_slots

    listed = slots(principal, clinic["service_id"], _window(clinic, "2030-01-09T00:00:00+00:00"))
    with pytest.raises(ValidationFailed) as refused:
        slots(principal, clinic["service_id"], _window(clinic, "2030-01-09T00:00:01+00:00"))

    assert listed.total == 9
    assert refused.value.errors["to"][0].startswith("The to field must be at most 2 days after from")


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_setting_that_is_not_a_whole_number_of_days_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("KAIROS_MAX_SLOT_WINDOW_DAYS", value)

    with pytest.raises(ValueError, match="KAIROS_MAX_SLOT_WINDOW_DAYS must be a whole number"):
        Settings.from_environment()
