"""The request as handlers see it, and the JSON responses they return (Hapio's headers and page shape)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos.api.body import json_body
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import Page

JSON = "application/json"
BASE_HEADERS = {"cache-control": "no-cache, private", "access-control-allow-origin": "*"}


@dataclass(frozen=True)
class Request:
    principal: Principal | None
    path: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    raw_body: str | None
    url_path: str
    is_base64: bool = False
    # The invocation's Lambda context: how long it may still run (the idempotency records' in-progress
    # expiry). None outside an invocation.
    context: LambdaContext | None = None
    _parsed: dict[str, Any] = field(default_factory=dict)

    @property
    def viewer(self) -> Principal:
        if self.principal is None:  # only unauthenticated routes lack one, and they never ask
            raise RuntimeError("this route is not authenticated")
        return self.principal

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (`kairos.api.body`: its limits and errors, PHP's `[]`), read once."""
        if "body" not in self._parsed:
            content_type = self.headers.get("content-type")
            self._parsed["body"] = json_body(self.raw_body, self.is_base64, content_type, php_arrays=True)
        body: dict[str, Any] = self._parsed["body"]
        return body

    @property
    def base_url(self) -> str:
        host = self.headers.get("host", "localhost")
        scheme = self.headers.get("x-forwarded-proto", "https")
        return f"{scheme}://{host}{self.url_path}"


def json_text(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, allow_nan=False)  # strict JSON only


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type=JSON if body is not None else None,
        body="" if body is None else json_text(body),
        headers={**BASE_HEADERS, **(headers or {})},
    )


def text_response(text: str) -> Response[str]:
    """A 200 of JSON text already written (`json_text`)."""
    return Response(status_code=200, content_type=JSON, body=text, headers=dict(BASE_HEADERS))


def calendar_response(text: str) -> Response[str]:
    """An iCalendar document (RFC 5545), as calendar apps fetch it."""
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=text,
        headers={**BASE_HEADERS, "content-disposition": 'inline; filename="calendar.ics"'},
    )


def no_content() -> Response[str]:
    return json_response(204, None)


def page_response(request: Request, page: Page) -> Response[str]:
    """Laravel's paginator shape: `data`, `links` and `meta`. Links keep the query as Hapio writes it (the
    guide's example): the parameters in alphabetical order, then `page`, so links compare equal."""
    base = request.base_url
    kept = sorted((k, v) for k, v in request.query.items() if k != "page")

    def link(number: int) -> str:
        return f"{base}?{urlencode([*kept, ('page', str(number))])}"

    last = page.last_page
    body = {
        "data": page.items,
        "links": {
            "first": link(1),
            "last": link(last),
            "prev": link(page.page - 1) if 1 < page.page <= last + 1 else None,
            "next": link(page.page + 1) if page.page < last else None,
        },
        "meta": {
            "current_page": page.page,
            "from": page.first_index,
            "last_page": last,
            "path": base,
            "per_page": page.per_page,
            "to": page.last_index,
            "total": page.total,
        },
    }
    return json_response(200, body)
