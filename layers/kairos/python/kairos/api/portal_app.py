"""Builds the resolver of a Portal function from the portal route table: each route's handler is wrapped
so that the person (from the Cognito claims the authorizer put in the request context), CORS for the
Portal's origin, the error mapping and the 404/405 answers are the same for every admin route.

Deployed, API Gateway's Cognito authorizer has checked the ID token before the function runs; locally the
local server checks it the same way (`kairos_local.authorizer`). Then, deployed and locally alike, the
wrapper refuses a token whose session began before the person's last log-out (`Accounts.check_session`):
the authorizer only knows the token's signature and expiry, and Cognito's sign-out revokes refresh tokens
only. Handlers only see `PortalRequest.person`.
Bearer tokens in a header, never cookies: a page on another site cannot make a person's browser call the
admin API with their session (no CSRF), and CORS admits the Portal's origin only."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from kairos.api.app import powertools_rule, unrouted_answer
from kairos.api.body import json_body
from kairos.api.errors import error_response
from kairos.api.http import json_response
from kairos.api.resolver import OwnEventResolver
from kairos.container import Container
from kairos.errors import DomainError, Unauthenticated
from kairos.observability import logger
from kairos.portal.ports import Identity
from kairos.portal.routes import PortalArea, PortalRoute, match_portal, portal_routes_for
from kairos.portal.user_pool import ACCOUNT_ID_ATTRIBUTE
from kairos.values.ids import normal_id

PREFLIGHT_HEADERS = {
    "access-control-allow-headers": "Authorization, Content-Type",
    "access-control-max-age": "3600",
}


@dataclass(frozen=True)
class PortalRequest:
    route: PortalRoute
    person_or_none: Identity | None
    path: Mapping[str, str]
    query: Mapping[str, str]
    source: str
    raw_body: str | None
    headers: Mapping[str, str]
    is_base64: bool = False
    _parsed: dict[str, Any] = field(default_factory=dict)

    @property
    def person(self) -> Identity:
        if self.person_or_none is None:  # only the accounts routes lack one, and they never ask
            raise Unauthenticated()
        return self.person_or_none

    def body(self) -> Any:
        """The body validated by the route's model (422 in Hapio's shape otherwise); for a body a service
        validates (`SERVICE_BODIES`), the JSON object as `kairos.api.body` reads it. The models (pydantic)
        are imported by the first request with a body: a cold start does not wait for them."""
        if "body" not in self._parsed:
            from kairos.domain.shared.validation import parse
            from kairos.portal.models import BODIES, SERVICE_BODIES

            name = self.route.request or ""
            data = json_body(self.raw_body, self.is_base64, self.headers.get("content-type"))
            self._parsed["body"] = data if name in SERVICE_BODIES else parse(BODIES[name], data)
        return self._parsed["body"]


PortalHandler = Callable[[PortalRequest], Response[str]]


def _claims(event: Mapping[str, Any]) -> Mapping[str, Any]:
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}


def session_start(event: Mapping[str, Any]) -> int:
    """When the ID token's session began (`auth_time`, kept by Cognito across refreshes; else `iat`),
    in epoch seconds; API Gateway hands claims over as strings. 0 when neither is there."""
    claims = _claims(event)
    value = str(claims.get("auth_time") or claims.get("iat") or "0")
    return int(value) if value.isdigit() else 0


def person_from(event: Mapping[str, Any]) -> Identity | None:
    """The person the authorizer let through: the ID token's claims in the request context. The account
    is the stable id a user made by an e-mail change carries (no client can write it), else `sub`."""
    claims = _claims(event)
    sub = claims.get(ACCOUNT_ID_ATTRIBUTE) or claims.get("sub")
    email = claims.get("email") or claims.get("cognito:username")  # the username is the address
    if not sub or not email:
        return None
    return Identity(str(sub), str(email).lower(), str(claims.get("name") or ""))


def build_portal_app(
    area: PortalArea, handlers: Mapping[str, PortalHandler], container: Container
) -> APIGatewayRestResolver:
    app = OwnEventResolver()
    cors = {
        "access-control-allow-origin": container.settings.portal_origin,
        "vary": "Origin",
    }
    for route in portal_routes_for(area):
        handler = handlers[route.operation_id]
        endpoint = _endpoint(app, route, handler, cors, container)
        app.route(powertools_rule(route), method=route.method)(endpoint)

    @app.not_found
    def _not_found(error: Exception) -> Response[str]:
        del error
        event = app.current_event
        response = _unrouted(event.http_method.upper(), event.path)
        response.headers.update(cors)
        return response

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(error: Exception) -> Response[str]:
        logger.exception("unhandled error", extra={"error": type(error).__name__})
        return json_response(500, {"message": "Server Error."}, cors)

    return app


def _unrouted(method: str, path: str) -> Response[str]:
    _, same_path = match_portal(method, path)
    return unrouted_answer(method, path, {r.method for r in same_path}, PREFLIGHT_HEADERS)


def _endpoint(
    app: APIGatewayRestResolver,
    route: PortalRoute,
    handler: PortalHandler,
    cors: Mapping[str, str],
    container: Container,
) -> Callable[..., Response[str]]:
    def endpoint(**path_values: str) -> Response[str]:
        event = app.current_event
        raw = event.raw_event
        try:
            person = person_from(raw)
            if route.authorized:  # the token is genuine (the authorizer); is its session still on?
                if person is None:  # never reached behind the authorizer
                    raise Unauthenticated()
                container.accounts.check_session(person, session_start(raw))
            identity = (raw.get("requestContext") or {}).get("identity") or {}
            request = PortalRequest(
                route=route,
                person_or_none=person,
                path={name: normal_id(path_values[name.replace("-", "_")]) for name in route.path_params},
                query={k: v for k, v in (event.query_string_parameters or {}).items() if v != ""},
                source=str(identity.get("sourceIp") or "unknown"),
                raw_body=event.body,
                headers={k.lower(): v for k, v in (event.headers or {}).items()},
                is_base64=bool(event.is_base64_encoded),
            )
            response = handler(request)
        except DomainError as error:
            response = error_response(error)
        response.headers.update(cors)
        return response

    endpoint.__name__ = route.operation_id
    return endpoint
