"""The admin API's route table: one handler per route in each function, every route in the admin OpenAPI
document with its body's schema, and the documented answers of a protected route."""

import json
from pathlib import Path

from kairos.api.openapi import openapi_document
from kairos.api.portal_endpoints import accounts_endpoints, portal_endpoints
from kairos.api.portal_openapi import portal_openapi_document
from kairos.container import Container
from kairos.portal.models import BODIES, SERVICE_BODIES
from kairos.portal.routes import PORTAL_ROUTES, PortalArea, match_portal, portal_routes_for

DOCUMENT = Path(__file__).parents[3] / "docs" / "portal-openapi.json"


def test_each_function_has_exactly_one_handler_per_route(container: Container) -> None:
    for area, handlers in (
        (PortalArea.ACCOUNTS, accounts_endpoints(container)),
        (PortalArea.PORTAL, portal_endpoints(container)),
    ):
        assert set(handlers) == {r.operation_id for r in portal_routes_for(area)}


def test_routes_are_unique_and_found_by_method_and_path() -> None:
    assert len({(r.method, r.path) for r in PORTAL_ROUTES}) == len(PORTAL_ROUTES)
    assert len({r.operation_id for r in PORTAL_ROUTES}) == len(PORTAL_ROUTES)
    route, same_path = match_portal("DELETE", "/portal/projects/p-1/tokens/t-1")
    assert route is not None and route.operation_id == "deleteToken"
    assert {r.method for r in same_path} == {"PATCH", "DELETE"}


def test_the_document_describes_every_route_and_body_and_is_the_committed_one() -> None:
    document = portal_openapi_document()
    for route in PORTAL_ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.operation_id
        assert bool(operation["security"]) == route.authorized
        if route.request:
            assert route.request in BODIES or route.request in SERVICE_BODIES
            assert route.request in document["components"]["schemas"]
            assert "422" in operation["responses"]
    register = document["components"]["schemas"]["Register"]
    assert set(register["required"]) == {"name", "email", "password", "password_confirmation"}
    public = openapi_document()["components"]["schemas"]
    for name in SERVICE_BODIES:  # the webhook bodies are the public API's, validated by its service
        assert document["components"]["schemas"][name] == public[name]
    assert json.loads(DOCUMENT.read_text()) == document, "docs/portal-openapi.json is stale: `make openapi`"
