"""The admin API's own OpenAPI 3.1 document, generated from the portal route table and the body models
(`kairos.portal.models`). Served at `/portal/openapi.json` and kept in `docs/portal-openapi.json`."""

from functools import lru_cache
from typing import Any

from kairos.api.openapi_schemas import schemas as public_schemas
from kairos.portal.models import BODIES, SERVICE_BODIES
from kairos.portal.routes import PORTAL_ROUTES, PortalRoute

ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
_QUERY: dict[str, list[tuple[str, str]]] = {
    "getRequests": [
        ("status", "A status code (404) or class (4xx)"),
        ("method", "GET, POST, PUT, PATCH or DELETE"),
        ("path", "Path prefix, e.g. /v1/bookings"),
        ("from", "Earliest time, YYYY-MM-DDThh:mm:ss+hh:mm"),
        ("to", "Latest time, YYYY-MM-DDThh:mm:ss+hh:mm"),
        ("limit", "Entries per page (1-100, default 25)"),
        ("cursor", "`next_cursor` of the previous page"),
    ],
    "getAudit": [
        ("limit", "Entries per page (1-100, default 25)"),
        ("cursor", "`next_cursor` of the previous page"),
    ],
    "getDashboard": [
        ("from", "First day, YYYY-MM-DD (default: 29 days ago)"),
        ("to", "Last day (default: today)"),
    ],
    "getProjectWebhooks": [("page", "Page number"), ("per_page", "Entries per page")],
    "getProjectWebhookDeliveries": [("page", "Page number"), ("per_page", "Entries per page")],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(route: PortalRoute) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": _ref("Error")}}}
    responses: dict[str, Any] = {
        str(route.status): {"description": "No content"}
        if route.status == 204
        else {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}},
        "404": {"description": "Not found (for a project: also when you are not a member)", **error},
        "429": {"description": "Too many attempts", **error},
    }
    if route.request or route.operation_id in _QUERY:
        responses["422"] = {"description": "Invalid data, per field in `errors`", **error}
    if route.authorized:
        responses["401"] = {"description": "No valid ID token", **error}
        responses["403"] = {"description": "Only the project's owner may do this", **error}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": ["session" if not route.authorized else route.path.split("/")[2]],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in route.path_params
        ]
        + [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in _QUERY.get(route.operation_id, [])
        ],
        "responses": responses,
        "security": [{"cognito": []}] if route.authorized else [],
    }
    if route.request:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(route.request)}},
        }
    return operation


@lru_cache(maxsize=1)
def portal_openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in PORTAL_ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    schemas: dict[str, Any] = {"Error": ERROR}
    for name, model in BODIES.items():
        schemas[name] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    public = public_schemas()
    schemas.update({name: public[name] for name in sorted(SERVICE_BODIES)})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kairos Portal admin API",
            "version": "1.0.0",
            "description": (
                "The Portal's back end: accounts, projects, members, plans, API tokens, the request log, "
                "the dashboard and webhooks. Log in at POST /portal/session and send the `id_token` as "
                "`Authorization: Bearer <id_token>`. Errors have the public API's shape: `message`, and "
                "`errors` per field on a 422."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito ID token)"}
            },
        },
    }
