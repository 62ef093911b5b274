"""No input makes the admin API answer 500: every route with a body gets malformed, mistyped, oversized
and hostile bodies (refused with a 4xx in the API's error shape: `message`, and `errors` per field on a
422, unless it happens to be valid), and every route with path parameters gets ids that cannot exist."""

import json
from typing import Any

import pytest

from kairos.api.portal_app import build_portal_app
from kairos.api.portal_endpoints import accounts_endpoints, portal_endpoints
from kairos.portal.routes import PORTAL_ROUTES, PortalArea, PortalRoute
from kairos_local.lambda_runtime import LambdaContext, proxy_event
from tests.unit.portal.conftest import Portal

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
    handlers = accounts_endpoints if route.area is PortalArea.ACCOUNTS else portal_endpoints
    app = build_portal_app(route.area, handlers(portal.container), portal.container)
    event = proxy_event(
        method=route.method, path=path, query="", headers=[("Content-Type", "application/json")],
        body=body, route=route, path_parameters={}, source_ip="203.0.113.9",
    )  # fmt: skip
    if route.authorized:
        claims = {"sub": "6f1c1f7e-0d0b-4b8e-9a3e-2d9f7c1b5a4e", "email": "fuzz@example.com"}
        event["requestContext"]["authorizer"] = {"claims": claims}
    return app.resolve(event, LambdaContext("kairos-portal", "fuzz"))  # type: ignore[arg-type]


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
