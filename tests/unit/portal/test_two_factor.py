"""Two-factor authentication (issue 23): an authenticator app's TOTP codes through Cognito, set up with
the password and a code of the new secret, then asked at every log-in; turned off with the password and a
current code. The codes are real RFC 6238 codes (tests/totp.py) checked by the local Cognito's patch, as
Cognito checks them; every try of a code counts in the log-in guard."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from kairos.errors import RateLimited, ValidationFailed
from kairos.portal.accounts import GUARD_ATTEMPTS
from kairos.portal.ports import CODE_NEEDED, Identity, Session
from kairos_cli.__main__ import _parser, run
from kairos_local.moto_patches import cognito_totp, registry
from tests.totp import totp, wrong_code
from tests.unit.portal.conftest import PASSWORD, Portal, admin_call

EMAIL = "careful@example.com"
ADDRESS = "192.0.2.40"


@pytest.fixture(autouse=True)
def codes_checked(portal: Portal) -> Iterator[None]:
    """The local server's Cognito: codes checked as Cognito checks them (moto alone takes any); the
    admin API's routes use the test's services (its outbox and clock)."""
    portal.container.__dict__.update(accounts=portal.accounts, workspace=portal.workspace)
    cognito_totp.install(registry.replace)
    yield
    registry.restore()


def two_factor_on(portal: Portal, person: Identity) -> str:
    status, started = admin_call(portal, person, "POST", "/account/two-factor/setup", {"password": PASSWORD})
    assert status == 200, started
    body = {"password": PASSWORD, "code": totp(started["secret"])}
    assert admin_call(portal, person, "POST", "/account/two-factor", body) == (204, None)
    return str(started["secret"])


def test_once_set_up_with_a_code_every_log_in_asks_for_the_current_code(portal: Portal) -> None:
    person = portal.person(EMAIL)
    assert admin_call(portal, person, "GET", "/account/two-factor") == (200, {"enabled": False})
    status, started = admin_call(portal, person, "POST", "/account/two-factor/setup", {"password": PASSWORD})
    assert status == 200
    uri = urlsplit(started["otpauth_uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", f"/Kairos:{EMAIL}")
    assert parse_qs(uri.query) == {
        "secret": [started["secret"]], "issuer": ["Kairos"], "algorithm": ["SHA1"], "digits": ["6"],
        "period": ["30"],
    }  # fmt: skip
    secret = started["secret"]
    wrong = {"password": PASSWORD, "code": wrong_code(secret)}
    status, refused = admin_call(portal, person, "POST", "/account/two-factor", wrong)
    assert (status, list(refused["errors"])) == (422, ["code"])
    assert portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS).__class__ is Session  # not on yet

    right = {"password": PASSWORD, "code": totp(secret)}
    assert admin_call(portal, person, "POST", "/account/two-factor", right) == (204, None)
    assert admin_call(portal, person, "GET", "/account/two-factor") == (200, {"enabled": True})
    assert portal.outbox.mails[-1].subject == "Two-factor authentication is on"

    assert portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS) is CODE_NEEDED
    with pytest.raises(ValidationFailed) as refused_code:
        portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS, code=wrong_code(secret))
    assert list(refused_code.value.errors) == ["code"]
    assert isinstance(portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS, code=totp(secret)), Session)


def test_a_log_in_answer_says_a_code_is_needed_only_to_the_passwords_holder(portal: Portal) -> None:
    person = portal.person(EMAIL)
    two_factor_on(portal, person)
    asked = admin_call(portal, person, "POST", "/session", {"email": EMAIL, "password": PASSWORD})
    assert asked == (200, {"code_required": True, "message": "Enter the code your authenticator app shows."})
    wrong = admin_call(portal, person, "POST", "/session", {"email": EMAIL, "password": "Wrong-Secret-1"})
    assert wrong == (401, {"message": "These credentials do not match our records."})


def test_a_session_alone_can_neither_set_up_nor_turn_off_two_factor(portal: Portal) -> None:
    person = portal.person(EMAIL)
    status, refused = admin_call(
        portal, person, "POST", "/account/two-factor/setup", {"password": "Stolen-Session-1"}
    )
    assert (status, refused["errors"]) == (422, {"password": ["The password is incorrect."]})
    secret = two_factor_on(portal, person)

    for body in (
        {"password": "Stolen-Session-1", "code": totp(secret)},
        {"password": PASSWORD, "code": wrong_code(secret)},
    ):
        assert admin_call(portal, person, "POST", "/account/two-factor/disable", body)[0] == 422
    assert admin_call(portal, person, "GET", "/account/two-factor") == (200, {"enabled": True})
    off = {"password": PASSWORD, "code": totp(secret)}
    assert admin_call(portal, person, "POST", "/account/two-factor/disable", off) == (204, None)
    assert isinstance(portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS), Session)
    assert portal.outbox.mails[-1].subject == "Two-factor authentication is off"


def test_codes_are_guessed_no_faster_than_passwords_and_the_owner_keeps_a_way_in(portal: Portal) -> None:
    """Someone who has the password tries codes from many source addresses: the log-in guard stops them
    after GUARD_ATTEMPTS tries since the last success; the owner gets in with the mailed unlock link."""
    person = portal.person(EMAIL)
    secret = two_factor_on(portal, person)
    for n in range(GUARD_ATTEMPTS):
        with pytest.raises(ValidationFailed):
            portal.accounts.log_in(EMAIL, PASSWORD, f"198.51.100.{n}", code=wrong_code(secret))
    with pytest.raises(RateLimited):  # even the right code: the guard is up
        portal.accounts.log_in(EMAIL, PASSWORD, "198.51.100.99", code=totp(secret))
    unlock = portal.outbox.mails[-1].text.split("unlock=")[1].split()[0]
    session = portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS, unlock=unlock, code=totp(secret))
    assert isinstance(session, Session)


def test_a_second_set_up_while_on_is_refused(portal: Portal) -> None:
    person = portal.person(EMAIL)
    two_factor_on(portal, person)
    status, body = admin_call(portal, person, "POST", "/account/two-factor/setup", {"password": PASSWORD})
    assert (status, body) == (409, {"message": "Two-factor authentication is on already."})


def test_the_operator_turns_it_off_for_a_lost_phone_and_tells_the_address(portal: Portal) -> None:
    person = portal.person(EMAIL)
    two_factor_on(portal, person)
    off = run(_parser().parse_args(["account", "two-factor-off", EMAIL.upper()]), portal.container)
    assert off == {"two_factor": "off", "email": EMAIL}
    assert isinstance(portal.accounts.log_in(EMAIL, PASSWORD, ADDRESS), Session)
    assert portal.outbox.mails[-1].subject == "Two-factor authentication is off"
