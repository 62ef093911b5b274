"""The admin API's own OpenAPI 3.1 document, generated from the portal route table and the body models
(`kairos.portal.models`). Served at `/portal/openapi.json` and kept in `docs/portal-openapi.json`; the test
suite runs schemathesis over the served document, as over the public API's.

Each operation lists every answer it can give: the success; 400/413/415 for a body that cannot be read and
422 for one (or a query) that breaks a rule; 401 without a valid ID token (and for wrong credentials at log
in and refresh); 403 for a member where the owner is required (and for an unverified address at log in);
404 for an id that names nothing of yours; 409 and 503 for a write that met another one or a busy table or
identity provider; 429 past a rate limit."""

from functools import lru_cache
from typing import Any

from kairos.api.body import MAX_BODY_BYTES, MAX_DEPTH
from kairos.api.openapi import PAGE_SCHEMA, PER_PAGE_SCHEMA, query_parameter
from kairos.api.openapi_bodies import state_text_rules
from kairos.api.openapi_schemas import schemas as public_schemas
from kairos.domain.shared.fields import DATE_SCHEMA, TIMESTAMP_SCHEMA
from kairos.portal.models import BODIES, SERVICE_BODIES
from kairos.portal.routes import PORTAL_ROUTES, PortalRoute
from kairos.portal.workspace import AUDIT_PAGE_MAX, AUDIT_POSITION
from kairos.usage.request_log import MAX_PAGE, METHOD_FILTER, PATH_FILTER, STATUS_FILTER

ERROR = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
_TEXT = {"type": "string"}
_QUERY: dict[str, list[dict[str, Any]]] = {
    "getRequests": [
        query_parameter(
            "status",
            {**_TEXT, "pattern": f"^{STATUS_FILTER.pattern}$"},
            description="A status (404) or class (4xx)",
        ),
        query_parameter(
            "method", {**_TEXT, "pattern": METHOD_FILTER}, description="GET, POST, PUT, PATCH, ..."
        ),
        query_parameter(
            "path", {**_TEXT, "pattern": PATH_FILTER}, description="Path prefix, e.g. /v1/bookings"
        ),
        query_parameter("from", TIMESTAMP_SCHEMA, description="Earliest time"),
        query_parameter("to", TIMESTAMP_SCHEMA, description="Latest time, not before `from`"),
        query_parameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 25}),
        query_parameter("cursor", _TEXT, description="`next_cursor` of the previous page"),
    ],
    "getAudit": [
        query_parameter("limit", {"type": "integer", "minimum": 1, "maximum": AUDIT_PAGE_MAX, "default": 25}),
        query_parameter(
            "cursor",
            {**_TEXT, "pattern": f"^{AUDIT_POSITION.pattern}$"},
            description="`next_cursor` of the previous page",
        ),
    ],
    "getDashboard": [
        query_parameter("from", DATE_SCHEMA, description="First day (default: 29 days ago)"),
        query_parameter(
            "to", DATE_SCHEMA, description="Last day (default: today), at most a year after `from`"
        ),
    ],
    "getProjectWebhooks": [
        query_parameter("page", PAGE_SCHEMA),
        query_parameter("per_page", PER_PAGE_SCHEMA),
    ],
    "getProjectWebhookDeliveries": [
        query_parameter("page", PAGE_SCHEMA),
        query_parameter("per_page", PER_PAGE_SCHEMA),
    ],
}
# Routes without the authorizer that answer 401 and 403: wrong credentials, an unverified address.
_CREDENTIALS = frozenset({"logIn", "refreshSession"})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(route: PortalRoute) -> dict[str, Any]:
    def error(description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}

    success = {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}}
    responses: dict[str, Any] = {
        str(route.status): {"description": "No content"} if route.status == 204 else success,
        "429": error("Too many attempts"),
    }
    if route.request:
        responses["400"] = error("The body is not valid UTF-8, not valid JSON, or not a JSON object")
        responses["413"] = error(f"The body is larger than {MAX_BODY_BYTES} bytes")
        responses["415"] = error("The body is not sent as Content-Type: application/json")
    if route.request or route.operation_id in _QUERY:
        responses["422"] = error("Invalid data, per field in `errors`")
    if route.authorized or route.operation_id in _CREDENTIALS:
        responses["401"] = error("No valid ID token (log in, refresh: wrong credentials)")
        responses["403"] = error("Only the project's owner may do this (log in: the address is not verified)")
    if route.path_params:
        responses["404"] = error("Not found (for a project: also when you are not a member)")
    if route.method != "GET":
        responses["409"] = error("Changed by another request meanwhile")
        responses["503"] = error(
            "The table or the identity provider is busy: the same request may be retried"
        )
    return responses


def _operation(route: PortalRoute) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": ["session" if not route.authorized else route.path.split("/")[2]],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in route.path_params
        ]
        + _QUERY.get(route.operation_id, []),
        "responses": _responses(route),
        "security": [{"bearer": []}] if route.authorized else [],
    }
    if route.request:
        operation["requestBody"] = {
            "required": True,
            "description": f"At most {MAX_BODY_BYTES} bytes, nested at most {MAX_DEPTH} levels.",
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
    state_text_rules(schemas, BODIES)
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
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (Cognito ID token)"}
            },
        },
    }
