"""How an operation becomes an HTTP request and its answer a value, for the sync and the async client.

Retries: a 429 is waited out for its `Retry-After` (the request was not processed), a 503 too (Kairos
answers it when nothing was written), each at most `max_retries` times, never longer than `max_wait`
seconds at a time. A POST carries an `Idempotency-Key` (one per call, the same on each retry; Kairos
honours it on bookings and booking groups: the same key and body return the first answer), so a retry
after a lost answer does not book twice.
"""

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import httpx
from pydantic import TypeAdapter

from kairos_client.errors import KairosClientError, api_error, retry_after
from kairos_client.models import PageLinks, PageMeta
from kairos_client.types import Model, wire_value

T = TypeVar("T")
Item = TypeVar("Item")
RETRIED = (429, 503)
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # below the base URL: `/locations/{location}`
    body: str | None  # the request model's name


class Page(Model, Generic[Item]):
    """One page of a list (Laravel's paginator shape); `Client.paginate` walks them all."""

    data: list[Item]
    links: PageLinks
    meta: PageMeta


@dataclass(frozen=True)
class Call(Generic[T]):
    """One call of an operation, as a generated method makes it; `into` reads the answer."""

    operation: Operation
    into: TypeAdapter[T]
    path: Mapping[str, str] | None = None
    query: Mapping[str, Any] | None = None
    body: Any = None
    idempotency_key: str | None = None


class _Base:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        max_wait: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait

    def _request(self, call: "Call[Any]") -> httpx.Request:
        operation = call.operation
        values = {key.replace("_", "-"): str(value) for key, value in (call.path or {}).items()}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise KairosClientError(f"{operation.path} needs path={{{name!r}: ...}}")
            return httpx.URL("/" + values[name]).raw_path.decode()[1:]  # percent-encoded

        url = self.base_url + re.sub(r"{([^}]+)}", fill, operation.path)
        params = {k: _query_text(wire_value(v)) for k, v in (call.query or {}).items() if v is not None}
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if operation.method == "POST":
            headers[IDEMPOTENCY_HEADER] = call.idempotency_key or str(uuid.uuid4())
        body = call.body
        payload = wire_value(body) if body is not None else ({} if operation.body else None)
        timeout = {"timeout": httpx.Timeout(self.timeout).as_dict()}
        return httpx.Request(
            operation.method, url, params=params, json=payload, headers=headers, extensions=timeout
        )

    def _wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when the answer is final."""
        if response.status_code not in RETRIED or attempt >= self.max_retries:
            return None
        told = retry_after(dict(response.headers))
        return min(self.max_wait, told if told is not None else 2.0**attempt)

    @staticmethod
    def _result(response: httpx.Response, into: TypeAdapter[T]) -> T:
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise api_error(response.status_code, body, dict(response.headers))
        if response.status_code == 204 or not response.content:
            return into.validate_python(None)
        if "json" not in response.headers.get("content-type", ""):
            return into.validate_python(response.text)
        return into.validate_json(response.content)


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _next_page(query: Mapping[str, Any] | None, page: Page[Any]) -> dict[str, Any] | None:
    if page.meta.current_page >= page.meta.last_page:
        return None
    return {**(query or {}), "page": page.meta.current_page + 1}


class SyncTransport(_Base):
    def __init__(
        self, base_url: str, token: str, *, http: httpx.Client | None = None, **options: Any
    ) -> None:
        super().__init__(base_url, token, **options)
        self.http = http or httpx.Client(timeout=self.timeout)

    def _call(self, call: Call[T]) -> T:
        request, attempt = self._request(call), 0
        while (wait := self._wait(response := self.http.send(request), attempt)) is not None:
            self._sleep(wait)
            attempt += 1
        return self._result(response, call.into)

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def paginate(
        self, operation: str, *, path: Mapping[str, str] | None = None, query: Mapping[str, Any] | None = None
    ) -> Iterator[Any]:
        """Every item of a list operation (`"get_locations"`), page after page."""
        method = getattr(self, operation)
        page_query: dict[str, Any] | None = dict(query or {})
        while page_query is not None:
            page = method(path=path, query=page_query) if path else method(query=page_query)
            yield from page.data
            page_query = _next_page(page_query, page)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncTransport(_Base):
    def __init__(
        self, base_url: str, token: str, *, http: httpx.AsyncClient | None = None, **options: Any
    ) -> None:
        super().__init__(base_url, token, **options)
        self.http = http or httpx.AsyncClient(timeout=self.timeout)

    async def _call(self, call: Call[T]) -> T:
        request, attempt = self._request(call), 0
        while (wait := self._wait(response := await self.http.send(request), attempt)) is not None:
            await self._sleep(wait)
            attempt += 1
        return self._result(response, call.into)

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def paginate(
        self, operation: str, *, path: Mapping[str, str] | None = None, query: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Any]:
        """Every item of a list operation (`"get_locations"`), page after page."""
        method = getattr(self, operation)
        page_query: dict[str, Any] | None = dict(query or {})
        while page_query is not None:
            page = await (method(path=path, query=page_query) if path else method(query=page_query))
            for item in page.data:
                yield item
            page_query = _next_page(page_query, page)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
