"""Verified means logged in (issue 23), in the browser that registered only: the registration hands over
a secret the browser keeps; the verification, which still needs the registration's password (issue 21),
logs in when it carries the secret of the address's latest registration. Opened anywhere else, the link
verifies and the person logs in next."""

from kairos.portal.ports import Identity
from tests.unit.portal.conftest import PASSWORD, Portal, admin_call
from tests.unit.portal.test_sessions import claims_of

EMAIL = "newcomer@example.com"
ADDRESS = "192.0.2.60"
HERE, ELSEWHERE = "this-browsers-own-secret-1", "another-browsers-secret-2"


def verify(portal: Portal, browser: str | None) -> tuple[int, dict[str, object]]:
    body = {"token": portal.outbox.last_token(EMAIL), "password": PASSWORD, "browser": browser}
    return admin_call(portal, Identity("", "", ""), "POST", "/account/verify", body)  # type: ignore[return-value]


def test_the_link_opened_in_the_registering_browser_logs_in(portal: Portal) -> None:
    portal.accounts.register("New", EMAIL, PASSWORD, ADDRESS, browser=HERE)
    status, verified = verify(portal, HERE)
    assert status == 200 and verified["email"] == EMAIL
    session = verified["session"]
    assert isinstance(session, dict) and session["refresh_token"]
    person = Identity(str(verified["id"]), EMAIL, "New")
    claims = claims_of(portal.accounts.refresh(session["refresh_token"], ADDRESS))
    assert admin_call(portal, person, "GET", "/account", claims=claims)[0] == 200


def test_the_link_opened_elsewhere_verifies_without_logging_in(portal: Portal) -> None:
    for browser in (None, ELSEWHERE):
        address = f"{browser or 'none'}@example.com"
        portal.accounts.register("New", address, PASSWORD, ADDRESS, browser=HERE)
        body = {"token": portal.outbox.last_token(address), "password": PASSWORD, "browser": browser}
        status, verified = admin_call(portal, Identity("", "", ""), "POST", "/account/verify", body)
        assert status == 200 and "session" not in verified


def test_only_the_browser_of_the_latest_registration_is_logged_in(portal: Portal) -> None:
    """Registering again (from another browser, or by someone else) replaces the browser with the
    password: the first browser's secret logs nobody in any more."""
    portal.accounts.register("New", EMAIL, PASSWORD, ADDRESS, browser=HERE)
    portal.accounts.register("New", EMAIL, PASSWORD, "198.51.100.60", browser=ELSEWHERE)
    status, verified = verify(portal, HERE)
    assert status == 200 and "session" not in verified
