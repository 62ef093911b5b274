"""No input makes the admin API answer 500: every route with a body gets malformed, mistyped, oversized
and hostile bodies (refused with a 4xx in the API's error shape: `message`, and `errors` per field on a
422, unless it happens to be valid), and every route with path parameters gets ids that cannot exist."""

import json
from typing import Any

import pytest

from kairos.portal.ports import Identity
from kairos.portal.routes import PORTAL_ROUTES, PortalRoute
from tests.unit.portal.conftest import Portal, admin_call, resolve

BODIES: list[Any] = [
    b"",
    b"not json",
    b"[1, 2]",
    b'"a string"',
    b'{"name": ',
    json.dumps({"name": 5, "email": ["x"], "password": None, "token": {}}).encode(),
    json.dumps({"email": "a" * 5000 + "@example.com", "name": "x" * 5000}).encode(),
    json.dumps({"email": "no-at-sign", "password": "short", "password_confirmation": "other"}).encode(),
    json.dumps({"token": "\u0000\ud7ff" * 10, "refresh_token": "x" * 9000, "abilities": [1, None]}).encode(),
    json.dumps({"plan": "platinum", "abilities": ["location:fly"], "current_password": ""}).encode(),
    '{"name": "Zoë 🦄", "email": "zoë@exämple.com"}'.encode(),
]
BAD_IDS = ["x" * 3000, "%00", "00000000-0000-0000-0000-000000000000"]


def _call(portal: Portal, route: PortalRoute, body: bytes, path: str) -> dict[str, Any]:
    fuzzer = Identity("6f1c1f7e-0d0b-4b8e-9a3e-2d9f7c1b5a4e", "fuzz@example.com", "")
    return resolve(portal.container, route, path, body, fuzzer if route.authorized else None)


@pytest.mark.parametrize("route", [r for r in PORTAL_ROUTES if r.request], ids=lambda r: r.operation_id)
def test_bad_bodies_get_a_4xx_in_the_error_shape(portal: Portal, route: PortalRoute) -> None:
    path = route.path
    for name in route.path_params:
        path = path.replace(f"{{{name}}}", "00000000-0000-0000-0000-000000000000")
    for body in BODIES:
        answer = _call(portal, route, body, path)
        assert answer["statusCode"] < 500, (body[:60], answer)
        payload = json.loads(answer["body"] or "{}")
        if answer["statusCode"] >= 400:
            assert isinstance(payload["message"], str)
        if answer["statusCode"] == 422:
            assert all(isinstance(v, list) for v in payload["errors"].values())


@pytest.mark.parametrize("route", [r for r in PORTAL_ROUTES if r.path_params], ids=lambda r: r.operation_id)
def test_ids_that_cannot_exist_get_a_4xx(portal: Portal, route: PortalRoute) -> None:
    for bad in BAD_IDS:
        path = route.path
        for name in route.path_params:
            path = path.replace(f"{{{name}}}", bad)
        answer = _call(portal, route, b'{"name": "x"}' if route.request else b"", path)
        assert 400 <= answer["statusCode"] < 500, (route.operation_id, bad[:20], answer)


WEBHOOK_BODIES: list[Any] = [
    {"url": "http://[::1/"},
    {"url": "https://93.184.216.34/" + "x" * 3000},
    {"url": "http://user:secret@93.184.216.34/hook"},
    {"url": "http://169.254.169.254/latest/meta-data"},
    {"url": "https://93.184.216.34:0/hook"},
    {"url": ["https://93.184.216.34/"], "events": "booking.created"},
    {"url": "https://93.184.216.34/", "events": [None, 5, {"a": 1}]},
    {"url": "https://93.184.216.34/", "enabled": 1, "description": "d" * 1001},
    {"url": "https://93.184.216.34/", "events": ["*", "booking.created", "booking.nope"]},
]


def test_bad_webhook_bodies_from_a_member_change_nothing(portal: Portal) -> None:
    """The webhook routes validate in the public API's service, after the membership check: a member's bad
    bodies reach it, and each is a 4xx (a PATCH of no known field is a 200 that changes nothing), leaving
    the project's webhooks as they were."""
    member = portal.person("hooks@example.com")
    project = portal.workspace.create(member, "Hooks")
    hooks = portal.container.webhooks
    hook = hooks.create(project["id"], {"url": "https://93.184.216.34/hook", "events": ["booking.created"]})

    def shown() -> list[tuple[Any, ...]]:
        fields = ("id", "url", "events", "enabled", "description")
        return [tuple(r.doc.get(f, r.id) for f in fields) for r in hooks.records(project["id"])]

    before = shown()
    ids = {"project": project["id"], "webhook": hook["id"]}
    for route in (r for r in PORTAL_ROUTES if r.request and "webhook" in r.operation_id.lower()):
        path = route.path.format(**ids)
        for body in [*BODIES, *(json.dumps(b).encode() for b in WEBHOOK_BODIES)]:
            answer = resolve(portal.container, route, path, body, member)
            status = answer["statusCode"]
            assert 400 <= status < 500 or (route.method, status) == ("PATCH", 200), (route, body[:60])
            if status >= 400:
                assert isinstance(json.loads(answer["body"])["message"], str)
            assert shown() == before, (route.operation_id, body[:60])


# Each query parameter of the admin API with a value `str.isdigit` takes for a number (`²`, `٣`: once a
# 500 from `int()`), out of its bounds (an audit page of the whole log), or not a number at all.
@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("audit", "limit=%C2%B2", "limit"),
        ("audit", "limit=%D9%A3", "limit"),
        ("audit", "limit=0", "limit"),
        ("audit", "limit=101", "limit"),
        ("audit", "limit=99999999999999999999", "limit"),
        ("audit", "cursor=%C2%B2", "cursor"),
        ("requests", "limit=%C2%B2", "limit"),
        ("requests", "limit=101", "limit"),
        ("requests", "status=%C2%B2%C2%B2%C2%B2", "status"),
        ("requests", "status=%C2%B2", "status"),
        ("webhooks", "per_page=%C2%B2", "per_page"),
        ("webhooks", "page=-1", "page"),
        ("dashboard", "from=%C2%B2", "from"),
    ],
)
def test_query_parameters_are_validated_and_bounded(
    portal: Portal, path: str, query: str, field: str
) -> None:
    owner = portal.person("query@example.com")
    project = portal.workspace.create(owner, "Clinic")

    status, body = admin_call(portal, owner, "GET", f"/projects/{project['id']}/{path}", query=query)

    assert status == 422, body
    assert list(body["errors"]) == [field]
