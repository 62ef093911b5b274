"""The text Kairos keeps (kairos.values.text): every name of the public API, the Portal and the CLI by
one rule, webhook urls and descriptions, and e-mail addresses in one normal form (docs/security.md)."""

from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, EntityKind
from kairos.domain.projects.auth import Principal
from kairos.errors import ValidationFailed
from kairos.storage.catalogue_store import CatalogueStore
from kairos.values.text import normal_email
from kairos.webhooks.subscriptions import Webhooks
from tests.unit.portal.conftest import PASSWORD, Portal, admin_call

BAD_NAMES = {
    "\u200b\u200b\u200b": "The name field must not contain invisible characters.",  # zero-width spaces only
    "Clinic\u200b": "The name field must not contain invisible characters.",
    "\u3164": "The name field must not contain invisible characters.",  # a Hangul filler: a blank letter
    "x\u00ady": "The name field must not contain invisible characters.",  # a soft hyphen
    "\u2060": "The name field must not contain invisible characters.",
    "Clinic\r\nBcc: victim@example.com": "The name field must not contain control characters or line breaks.",
    "Tab\there": "The name field must not contain control characters or line breaks.",
    "a\u2028b": "The name field must not contain control characters or line breaks.",
    "evil\u202egnp.exe": "The name field must not contain bidirectional control characters.",
    "\u2067Clinic\u2069": "The name field must not contain bidirectional control characters.",
    "\u0301\u0301": "The name field must contain a visible character.",
}
GOOD_NAMES = [
    "Dr. Smith",
    "Zoë 🦄",
    "👨\u200d👩\u200d👧 family room",  # joiners inside an emoji sequence
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # a zero-width non-joiner inside a Persian word
    "診察室 1",
    "  Room 4  ",  # trimmed, as before
]
ENTITY_BODIES: dict[str, tuple[EntityKind, dict[str, Any]]] = {
    "location": (
        LOCATION,
        {"time_zone": "Europe/Stockholm", "resource_selection_strategy": "randomize"},
    ),
    "resource": (RESOURCE, {}),
    "service": (SERVICE, {"type": "fixed", "duration": "PT50M"}),
}


@pytest.mark.parametrize("kind", ENTITY_BODIES)
@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_public_apis_names_refuse_hidden_and_control_characters(kind: str, name: str) -> None:
    entity, body = ENTITY_BODIES[kind]
    with pytest.raises(ValidationFailed) as caught:
        entity.validate({**body, "name": name})
    assert caught.value.errors == {"name": [BAD_NAMES[name]]}


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_any_script_with_emoji_and_joiners_are_kept(name: str) -> None:
    assert RESOURCE.validate({"name": name})["name"] == name.strip()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_every_portal_name_field_refuses_the_same_names(portal: Portal, name: str) -> None:
    owner = portal.person("names@example.com")
    project = portal.workspace.create(owner, "Clinic")
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/projects", {"name": name}),
        ("PATCH", f"/projects/{project['id']}", {"name": name}),
        ("PATCH", "/account", {"name": name}),
        ("POST", f"/projects/{project['id']}/tokens", {"name": name}),
    ]
    for method, path, body in writes:
        status, answer = admin_call(portal, owner, method, path, body)
        assert (status, answer["errors"]) == (422, {"name": [BAD_NAMES[name]]}), (method, path)
    register = {
        "name": name,
        "email": "new@example.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }
    status, answer = admin_call(portal, owner, "POST", "/account/register", register)
    assert (status, answer["errors"]) == (422, {"name": [BAD_NAMES[name]]})
    assert portal.workspace.project(owner, project["id"])["name"] == "Clinic"


def test_a_name_longer_than_255_characters_is_refused_everywhere_never_cut(portal: Portal) -> None:
    owner = portal.person("long@example.com")
    project = portal.workspace.create(owner, "Clinic")
    refusal = (422, {"name": ["The name field must not be greater than 255 characters."]})
    for method, path in [
        ("POST", "/projects"),
        ("PATCH", f"/projects/{project['id']}"),
        ("POST", f"/projects/{project['id']}/tokens"),
        ("PATCH", "/account"),
    ]:
        status, answer = admin_call(portal, owner, method, path, {"name": "x" * 300})
        assert (status, answer["errors"]) == refusal, (method, path)
    assert [p["name"] for p in portal.workspace.projects(owner)] == ["Clinic"]
    status, _ = admin_call(portal, owner, "POST", "/projects", {"name": "x" * 255})
    assert status == 201  # the limit itself is taken


@pytest.mark.parametrize("name", ["\u200b", "a\nb", "\u202eevil"])
def test_the_clis_project_and_token_names_follow_the_same_rule(container: Container, name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        container.projects.create_project(name)
    assert list(caught.value.errors) == ["name"]
    project = container.projects.create_project("Clinic")
    with pytest.raises(ValidationFailed):
        container.projects.rename_project(project.id, name)
    with pytest.raises(ValidationFailed):
        container.projects.create_token(project.id, name, None)


# --- webhook urls and descriptions ----------------------------------------------------------------------


@pytest.fixture
def hooks(container: Container) -> Webhooks:
    return Webhooks(CatalogueStore(container.table), lambda url: None)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/x\r\nX-Injected: 1",
        "https://hooks.example.com/\nx",
        "https://hooks.exa\tmple.com/x",  # urlsplit drops the tab and resolves hooks.example.com
        "https://hooks.example.com/a b",
        'https://hooks.example.com/"quoted"',
        "https://hooks.example.com/<script>",
        "https://hooks.example.com/x%zz",
        "https://bücher.example/x",
    ],
)
def test_a_webhook_url_with_characters_no_url_has_is_refused(
    hooks: Webhooks, principal: Principal, url: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        hooks.create(principal.project_id, {"url": url})
    assert list(caught.value.errors) == ["url"]
    assert "RFC 3986" in caught.value.errors["url"][0]
    assert hooks.records(principal.project_id) == []


def test_a_percent_encoded_url_with_an_idna_host_is_kept(hooks: Webhooks, principal: Principal) -> None:
    url = "https://xn--bcher-kva.example/hook?name=Zo%C3%AB&x=%22a%22#frag"
    assert hooks.create(principal.project_id, {"url": url})["url"] == url


@pytest.mark.parametrize("description", ["\u202eevil", "a\x1bb", "\u200b"])
def test_a_webhook_description_refuses_hidden_and_control_characters(
    hooks: Webhooks, principal: Principal, description: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        hooks.create(principal.project_id, {"url": "https://h.example.com/", "description": description})
    assert list(caught.value.errors) == ["description"]


def test_a_webhook_description_may_span_lines(hooks: Webhooks, principal: Principal) -> None:
    body = {"url": "https://h.example.com/", "description": "Bookings\n\tto the CRM"}
    assert hooks.create(principal.project_id, body)["description"] == "Bookings\n\tto the CRM"


# --- e-mail addresses -----------------------------------------------------------------------------------


def full_width(text: str) -> str:
    """The text in full-width forms (U+FF01-FF5E), which look like ASCII."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("Dev@Example.COM", "dev@example.com"),
        ("  dev@example.com ", "dev@example.com"),
        (full_width("dev@example.com"), "dev@example.com"),  # NFKC folds it
        ("dev@Bücher.example", "dev@xn--bcher-kva.example"),
        ("dev@xn--bcher-kva.example", "dev@xn--bcher-kva.example"),
        ("dev@例え.jp", "dev@xn--r8jz45g.jp"),
        ("o'brien+kairos@example.co.uk", "o'brien+kairos@example.co.uk"),
    ],
)
def test_addresses_take_one_normal_form(given: str, normal: str) -> None:
    assert normal_email(given) == normal


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("dev\u200b@example.com", "must not contain invisible, control or bidirectional characters"),
        ("dev@exa\u200dmple.com", "must not contain invisible, control or bidirectional characters"),
        ("\u202edev@example.com", "must not contain invisible, control or bidirectional characters"),
        (
            "dev@example.com\r\nBcc: x@example.com",
            "must not contain invisible, control or bidirectional characters",
        ),
        ("dev@p\u0430ypal.com", "must not mix scripts within a part of its domain (a look-alike address)"),
        ("d\u00e9v@example.com", "must be written in ASCII before the @"),
        ("dev@exam_ple.com", "must be a valid email address"),
        ("dev@localhost", "must be a valid email address"),
        ("a..b@example.com", "must be a valid email address"),
        ('"a b"@example.com', "must be a valid email address"),
        ("dev@-example.com", "must be a valid email address"),
    ],
)
def test_look_alike_invisible_and_malformed_addresses_are_refused(given: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        normal_email(given)


def test_a_full_width_spelling_logs_in_to_the_same_account_and_a_look_alike_is_refused(
    portal: Portal,
) -> None:
    owner = portal.person("dev@example.com")
    body = {"email": full_width("DEV") + "@example.com", "password": PASSWORD}
    status, session = admin_call(portal, owner, "POST", "/session", body)
    assert status == 200 and session["id_token"]
    status, answer = admin_call(
        portal, owner, "POST", "/account/forgot-password", {"email": "dev@p\u0430ypal.com"}
    )
    assert (status, list(answer["errors"])) == (422, ["email"])
