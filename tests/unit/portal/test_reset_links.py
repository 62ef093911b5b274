"""A reset link works once, within an hour, and using any reset link kills every one mailed before it
(issue 21, point 7): an old link lying in a mailbox cannot undo the owner's new password."""

import pytest

from kairos.errors import ValidationFailed
from kairos.portal.accounts import BAD_TOKEN
from tests.unit.portal.conftest import PASSWORD, Portal

EMAIL = "forgetful@example.com"
ADDRESS = "192.0.2.40"


def reset_links(portal: Portal, count: int) -> list[str]:
    links = []
    for _ in range(count):
        portal.accounts.forgot_password(EMAIL, ADDRESS)
        links.append(portal.outbox.last_token(EMAIL))
    return links


def test_using_a_reset_link_kills_the_older_and_the_newer_ones_mailed_before(portal: Portal) -> None:
    portal.person(EMAIL)
    older, used, newer = reset_links(portal, 3)
    portal.accounts.reset_password(used, "Owners-Choice-1", ADDRESS)

    for dead in (older, newer, used):
        with pytest.raises(ValidationFailed) as refused:
            portal.accounts.reset_password(dead, "Attackers-Choice-1", ADDRESS)
        assert refused.value.errors == {"token": [BAD_TOKEN]}
    assert portal.accounts.log_in(EMAIL, "Owners-Choice-1", ADDRESS).id_token

    (later,) = reset_links(portal, 1)  # a link asked for after the reset works
    portal.accounts.reset_password(later, PASSWORD, ADDRESS)
    assert portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS).id_token
