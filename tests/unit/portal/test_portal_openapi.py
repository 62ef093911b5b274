"""The admin API's document says what its code does (issue 21): every answer a route can give is listed,
and the patterns it gives (a new password, the request log's filters, whitespace) accept exactly what the
code accepts, and an address it calls valid is one the code takes, so schemathesis' valid data is never
refused and its invalid data is (tests/integration/test_schemathesis.py runs it over the served
document)."""

import re
from collections.abc import Iterator, Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kairos.api.portal_openapi import portal_openapi_document
from kairos.errors import ValidationFailed
from kairos.portal.models import EMAIL_PATTERN, NEW_PASSWORD_PATTERN, SYMBOLS, EmailBody, ResetPassword
from kairos.portal.routes import PORTAL_ROUTES
from kairos.usage.request_log import LoggedRequest, RequestLog
from kairos.values.formats import SPACE

DOCUMENT = portal_openapi_document()
# Text made of what the rules look at: letters of both cases (ASCII and not), digits (and other digits),
# symbols, @ and dots, whitespace of every kind.
PIECES = st.sampled_from(["a", "Z", "é", "Ö", "7", "٣", "-", "!", "_", "@", ".", " ", "\t", "\x1d", "\u3000"])
TEXT = st.lists(PIECES, max_size=14).map("".join)


def test_every_route_lists_every_answer_it_can_give() -> None:
    for route in PORTAL_ROUTES:
        answers = set(DOCUMENT["paths"][route.path][route.method.lower()]["responses"])
        expected = {str(route.status), "429"}
        if route.request:
            expected |= {"400", "413", "415", "422"}
        if route.authorized or route.operation_id in ("logIn", "refreshSession"):
            expected |= {"401", "403"}
        if route.path_params:
            expected.add("404")
        if route.method != "GET":
            expected |= {"409", "503"}
        assert expected <= answers, route.operation_id


def _accepted(model: Any, body: dict[str, str]) -> bool:
    from kairos.domain.shared.validation import parse

    try:
        parse(model, body)
    except (ValidationFailed, ValidationError):
        return False
    return True


@settings(deadline=None)  # the first example compiles the patterns
@given(TEXT)
def test_every_address_the_pattern_takes_is_one_the_code_takes(text: str) -> None:
    if re.search(EMAIL_PATTERN, text):
        assert _accepted(EmailBody, {"email": text}), text


def test_the_address_pattern_states_the_ascii_addresses_and_words_say_the_international_ones() -> None:
    for address in (" Dev.Ops+1@Example.co.uk ", "a@b.cd", "x_y@sub-1.example.org"):
        assert re.search(EMAIL_PATTERN, address) and _accepted(EmailBody, {"email": address}), address
    for refused in ("0", "a@b", "a@-b.cd", "a@xn--zz.cd", "a b@c.de", "a@b..cd", "é@b.cd"):
        assert not re.search(EMAIL_PATTERN, refused) and not _accepted(EmailBody, {"email": refused}), refused
    assert _accepted(EmailBody, {"email": "a@bü.de"})  # IDNA: taken, said in the field's description
    assert (
        "international"
        in DOCUMENT["components"]["schemas"]["EmailBody"]["properties"]["email"]["description"]
    )


@settings(deadline=None)  # the first example compiles the patterns
@given(TEXT.map(lambda text: text + "Aa1!" if len(text) % 2 else text))
def test_the_password_pattern_accepts_exactly_the_passwords_the_policy_accepts(text: str) -> None:
    body = {"token": "t", "password": text, "password_confirmation": text}
    assert (re.search(NEW_PASSWORD_PATTERN, text) is not None) == _accepted(ResetPassword, body)


def test_a_password_needs_ascii_letters_of_both_cases_as_cognito_counts_them() -> None:
    body = {"token": "t", "password": "éééÖÖÖ1!", "password_confirmation": "éééÖÖÖ1!"}
    assert not _accepted(ResetPassword, body)
    assert re.search(NEW_PASSWORD_PATTERN, "éééÖÖÖ1!") is None
    assert all(re.search(NEW_PASSWORD_PATTERN, f"Abcdefg1{symbol}") for symbol in SYMBOLS)


class _EmptyLog:
    def read_log(self, *args: object) -> Iterator[tuple[str, LoggedRequest]]:
        return iter(())

    def with_bodies(self, entries: Sequence[LoggedRequest]) -> list[LoggedRequest]:
        return list(entries)


def _filter_accepted(name: str, value: str) -> bool:
    try:
        RequestLog(_EmptyLog()).page("p", {name: value})
    except ValidationFailed:
        return False
    return True


def _query_pattern(name: str) -> str:
    parameters = DOCUMENT["paths"]["/portal/projects/{project}/requests"]["get"]["parameters"]
    schema = next(p for p in parameters if p["name"] == name)["schema"]
    assert schema["anyOf"][1] == {"const": ""}  # empty is no filter
    return str(schema["anyOf"][0]["pattern"])


@settings(deadline=None)  # the first example compiles the patterns
@given(
    st.sampled_from(["status", "method", "path"]),
    st.lists(
        st.sampled_from(["2", "4", "0", "x", "X", "٣", "g", "E", "T", "/", " ", "\x1d", "\u3000"]), max_size=6
    ).map("".join),
)
def test_the_request_log_filter_patterns_accept_exactly_the_filters_the_log_accepts(
    name: str, text: str
) -> None:
    assert (re.search(_query_pattern(name), text) is not None) == _filter_accepted(name, text)


def test_whitespace_in_the_patterns_is_what_strip_removes() -> None:
    space = re.compile(f"[{SPACE}]")
    assert [c for c in range(0x110000) if (space.fullmatch(chr(c)) is not None) != chr(c).isspace()] == []
