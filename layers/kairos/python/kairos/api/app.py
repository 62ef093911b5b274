"""Builds the resolver of one API area from the route table: every route of the area gets its handler,
wrapped so that authentication, the rate limit, the ability check and the error mapping happen the same way
for all of them. Requests for unknown paths or methods get Hapio-style 404 and 405 answers."""

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from kairos import routes
from kairos.api.errors import error_response
from kairos.api.http import Request, json_response
from kairos.api.resolver import OwnEventResolver
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.errors import DomainError, Forbidden, Unauthenticated
from kairos.observability import logger
from kairos.usage.events import ApiRequest, kept_body
from kairos.values.formats import format_timestamp, now_utc
from kairos.values.ids import normal_id

if TYPE_CHECKING:  # the Portal's route table is loaded by the Portal's functions only
    from kairos.portal.routes import PortalRoute

Handler = Callable[[Request], Response[str]]
PREFLIGHT_HEADERS = {
    "access-control-allow-headers": "Authorization, Content-Type, Idempotency-Key",
    "access-control-max-age": "3600",
}


def powertools_rule(route: "routes.Route | PortalRoute") -> str:
    rule = route.path
    for name in route.path_params:
        rule = rule.replace(f"{{{name}}}", f"<{name.replace('-', '_')}>")
    return rule


def build_app(
    area: routes.Area, handlers: Mapping[str, Handler], container: Container
) -> APIGatewayRestResolver:
    app = OwnEventResolver()
    for route in routes.routes_for(area):
        handler = handlers[route.operation_id]  # a missing handler fails at import, not at request time
        app.route(powertools_rule(route), method=route.method)(_endpoint(app, route, handler, container))

    @app.not_found
    def _not_found(error: Exception) -> Response[str]:
        del error  # Powertools passes its NotFoundError; the route table says more
        event = app.current_event
        try:
            _, _, rate = _admit(container, event.headers, event.raw_event)
        except DomainError as refused:  # over the limit
            return error_response(refused)
        response = _unrouted(event.http_method.upper(), event.path)
        response.headers.update(rate)
        return response

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]
    def _unexpected(error: Exception) -> Response[str]:
        logger.exception("unhandled error", extra={"error": type(error).__name__})
        return json_response(500, {"message": "Server Error."})

    return app


def _unrouted(method: str, path: str) -> Response[str]:
    """The answer to a method or path the route table does not serve: 404, 405, or a CORS preflight."""
    _, same_path = routes.match(method, path)
    return unrouted_answer(method, path, {r.method for r in same_path}, PREFLIGHT_HEADERS)


def unrouted_answer(
    method: str, path: str, allowed: set[str], preflight_headers: Mapping[str, str]
) -> Response[str]:
    """404 for a path no route has, a CORS preflight's 204 or a 405 naming the methods it has."""
    shown = path.lstrip("/")
    methods = ", ".join(sorted(allowed))
    if allowed and method == "OPTIONS":  # a browser's CORS preflight
        return json_response(204, None, {**preflight_headers, "access-control-allow-methods": methods})
    if allowed:
        text = f"The {method} method is not supported for route {shown}. Supported methods: {methods}."
        return json_response(405, {"message": text}, {"allow": methods})
    return json_response(404, {"message": f"The route {shown} could not be found."})


def _admit(
    container: Container,
    headers: Mapping[str, str] | None,
    event: Mapping[str, Any],
    *,
    token: bool = True,
    within_quota: bool = True,
) -> tuple[Principal | None, DomainError | None, dict[str, str]]:
    """Who is calling, why they may not, and the rate-limit headers every answer carries (Hapio: every
    response has them). A request with a valid token counts against its project (and its monthly quota,
    unless the route is exempt); any other (no token, a wrong one, a disabled project, or `token=False`
    for routes without authentication) against its source address. Raises RateLimited (or QuotaExceeded)
    past a limit, before anything else is done."""
    authorization = {k.lower(): v for k, v in (headers or {}).items()}.get("authorization")
    principal: Principal | None = None
    refusal: DomainError | None = None
    status = None
    try:
        principal = container.auth.authenticate(authorization) if token else None
        if principal is not None:  # a disabled project's token is refused here, cached or not
            status = container.auth.count_request(principal, within_quota=within_quota)
    except (Unauthenticated, Forbidden) as error:
        principal, refusal = None, error
    if status is None:
        status = container.auth.count_anonymous(_source_address(event))
    rate = {"x-ratelimit-limit": str(status.limit), "x-ratelimit-remaining": str(status.remaining)}
    return principal, refusal, rate


def _endpoint(
    app: APIGatewayRestResolver, route: routes.Route, handler: Handler, container: Container
) -> Callable[..., Response[str]]:
    def endpoint(**path_values: str) -> Response[str]:
        started = time.monotonic()
        event = app.current_event
        headers = {k.lower(): v for k, v in (event.headers or {}).items()}
        extra: dict[str, str] = {}
        principal: Principal | None = None
        try:
            principal, refusal, extra = _admit(
                container,
                headers,
                event.raw_event,
                token=route.authenticated,
                within_quota=not route.quota_exempt,
            )
            if route.authenticated:
                if refusal is not None:
                    raise refusal
                assert principal is not None
                principal.require(route.ability)
            request = Request(
                principal=principal,
                path={name: normal_id(path_values[name.replace("-", "_")]) for name in route.path_params},
                query=_query(event.query_string_parameters),
                headers=headers,
                raw_body=event.body,
                url_path=_public_path(event.raw_event),
                is_base64=bool(event.is_base64_encoded),
                context=app.lambda_context,
            )
            response = handler(request)
        except DomainError as error:
            response = error_response(error)
        response.headers.update(extra)
        if principal is not None and response.status_code != 429:  # a 429 was not processed: not counted
            _count(container, principal, route, response, started, event.raw_event)
        return response

    endpoint.__name__ = route.operation_id
    return endpoint


def _count(
    container: Container,
    principal: Principal,
    route: routes.Route,
    response: Response[str],
    started: float,
    event: Mapping[str, Any],
) -> None:
    """One usage event for the metering roll-up and the request log (docs/usage.md, docs/portal.md); the
    emitter never raises. It carries what the log shows, so writing the log costs this request nothing."""
    status = response.status_code
    now = time.time()
    container.usage_events.emit(
        ApiRequest(
            project_id=principal.project_id,
            method=route.method,
            operation_id=route.operation_id,
            status=status,
            duration_ms=int((time.monotonic() - started) * 1000),
            time=format_timestamp(now_utc()),
            path=_called_path(event),
            epoch_ms=int(now * 1000),
            token_id=principal.token_id,
            token_name=principal.token_name,
            body=kept_body(response.body if isinstance(response.body, str) else None),
            request_body=None if event.get("isBase64Encoded") else kept_body(event.get("body")),
        )
    )


def _called_path(event: Mapping[str, Any]) -> str:
    """The path and query as the client sent them (API Gateway's multi-value parameters, in order)."""
    path = str(event.get("path") or "/")
    pairs = [
        (name, value)
        for name, values in (event.get("multiValueQueryStringParameters") or {}).items()
        for value in values or []
    ]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _query(parameters: Mapping[str, str] | None) -> dict[str, str]:
    """The query as handlers see it: an empty plain parameter (`to=`) is an absent one, as Laravel's
    ConvertEmptyStringsToNull makes it for Hapio; a filter (`metadata[note][eq]=`) keeps its empty value."""
    return {k: v for k, v in (parameters or {}).items() if v != "" or "[" in k}


def _source_address(event: Mapping[str, Any]) -> str:
    """The client's address as API Gateway saw it (the local server fills it in the same way)."""
    identity = (event.get("requestContext") or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def _public_path(event: Mapping[str, Any]) -> str:
    """The path as the client called it (with the stage when there is one), for pagination links."""
    context = event.get("requestContext") or {}
    return str(context.get("path") or event.get("path") or "/")
