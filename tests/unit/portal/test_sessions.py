"""Logging out ends the session at once on the admin API, not an hour later (issue 21, point 12): the ID
token's session start (`auth_time`) is checked against the person's last log-out on every route behind
the authorizer, as the function gets the claims from API Gateway (deployed) or the local server."""

import base64
import json

import pytest

from kairos.errors import Unauthenticated
from kairos.portal.ports import Session
from tests.unit.portal.conftest import PASSWORD, Portal, admin_call

EMAIL = "leaving@example.com"
ADDRESS = "192.0.2.30"


def claims_of(session: Session) -> dict[str, str]:
    """The ID token's claims, as API Gateway's authorizer hands them over (strings)."""
    payload = session.id_token.split(".")[1]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {name: str(value) for name, value in decoded.items()}


def test_a_logged_out_id_token_is_refused_at_once_and_a_new_log_in_is_not(portal: Portal) -> None:
    person = portal.person(EMAIL)
    session = portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS)
    other_device = portal.accounts.log_in(EMAIL, PASSWORD, "198.51.100.30")
    assert admin_call(portal, person, "GET", "/account", claims=claims_of(session))[0] == 200

    assert admin_call(portal, person, "DELETE", "/session", claims=claims_of(session)) == (204, None)

    for ended in (session, other_device):
        status, body = admin_call(portal, person, "GET", "/account", claims=claims_of(ended))
        assert (status, body) == (401, {"message": "This session has ended: log in again."})
        with pytest.raises(Unauthenticated):  # and no refresh brings it back
            portal.accounts.refresh(ended.refresh_token or "", ADDRESS)
    again = portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS)
    assert admin_call(portal, person, "GET", "/account", claims=claims_of(again))[0] == 200


def test_a_password_reset_ends_every_session(portal: Portal) -> None:
    person = portal.person(EMAIL)
    session = portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS)
    portal.accounts.forgot_password(EMAIL, ADDRESS)
    portal.accounts.reset_password(portal.outbox.last_token(EMAIL), "Brand-New-Secret-9", ADDRESS)
    assert admin_call(portal, person, "GET", "/account", claims=claims_of(session))[0] == 401
