"""The local API: a threaded HTTP server that turns each request into an API Gateway proxy event, hands it
to the function of the route's area (the same route table as the CDK stack), and writes back the function's
response as it is. A request that matches no route goes to the fallback area, as the deployed catch-all
does; so does any method, known to HTTP or not, so every answer is the API's JSON (a 405 naming the allowed
methods for a known path, a 404 otherwise), as behind API Gateway.

Paths under `/portal` go to the Portal's functions by the portal route table; for the routes behind the
Cognito authorizer, the ID token is checked first, as API Gateway does (`authorizer.py`). `GET` and `HEAD`
of any other path are the Portal web app's (`portal_site.py`), as the stack's static site serves it.

Stopping drains: `drain()` stops accepting, closes the keep-alive connections that wait for a request, and
waits for the requests in progress, whose answers say `connection: close`.
"""

import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kairos import routes
from kairos.portal.routes import PortalArea, PortalRoute, is_portal_path, match_portal
from kairos.storage.dynamodb import RoundTrips
from kairos_local.authorizer import UNAUTHORIZED, LocalAuthorizer
from kairos_local.lambda_runtime import FunctionPool, proxy_event
from kairos_local.portal_site import PortalSite, SiteAnswer

ROUND_TRIPS_HEADER = "x-kairos-dynamodb-round-trips"
WAVES_HEADER = "x-kairos-dynamodb-waves"  # round trips waited for one after the other
PORTAL_FALLBACK = PortalArea.ACCOUNTS  # answers unknown /portal paths (404), wrong methods and preflights


class LocalApi(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        pools: Mapping[str, FunctionPool],
        on_answered: Callable[[], None] = lambda: None,
        authorizer: LocalAuthorizer | None = None,
        site: PortalSite | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.pools = pools  # by API area and Portal function
        self.authorizer = authorizer
        self.site = site
        self.on_answered = on_answered
        self.draining = False
        self._connections: dict[socket.socket, bool] = {}  # open connections: is a request in progress?
        self._changed = threading.Condition()

    def track(self, connection: socket.socket, busy: bool | None) -> None:
        """Notes a connection as idle or busy (None: closed)."""
        with self._changed:
            if busy is None:
                self._connections.pop(connection, None)
            else:
                self._connections[connection] = busy
            self._changed.notify_all()

    def drain(self, seconds: float) -> int:
        """Stops accepting, ends idle connections, waits up to `seconds` for requests in progress; how many
        connections were still open at the end."""
        self.draining = True
        self.shutdown()
        deadline = time.monotonic() + seconds
        with self._changed:
            while self._connections and time.monotonic() < deadline:
                for connection, busy in list(self._connections.items()):
                    if not busy:
                        _close_reading(connection)
                self._changed.wait(0.1)
            return len(self._connections)


def _unauthorized() -> dict[str, Any]:
    """API Gateway's answer when its authorizer refuses the token (the stack adds the CORS header)."""
    return {
        "statusCode": 401,
        "headers": {"content-type": "application/json", "access-control-allow-origin": "*"},
        "body": json.dumps(UNAUTHORIZED),
    }


def _close_reading(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already gone
        connection.shutdown(socket.SHUT_RD)


class _Handler(BaseHTTPRequestHandler):
    server: LocalApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without it, each answer waits ~40 ms
    wbufsize = 1 << 16  # headers and body leave in one write (the base class flushes after each answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, busy=False)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, busy=None)

    def __getattr__(self, name: str) -> Any:
        """`do_<METHOD>` for every method: the functions answer those they do not serve."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The server's own errors (a malformed request line, headers too long) in the API's JSON."""
        payload = json.dumps({"message": message or self.responses.get(code, ("Error",))[0]}).encode()
        self.close_connection = True
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(payload)

    def _dispatch(self) -> None:
        self.server.track(self.connection, busy=True)
        try:
            self._answer()
        finally:
            self.server.track(self.connection, busy=False)
            self.server.on_answered()

    def _answer(self) -> None:
        path, _, query = self.path.partition("?")
        method = self.command.upper()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        site = self.server.site
        if site is not None and site.serves(method, path):
            self._send_site(site.answer(self.path, self.headers.get("Host")))
            return
        route: routes.Route | PortalRoute | None
        if is_portal_path(path):
            route, _ = match_portal(method, path)
            function = str(route.area if route else PORTAL_FALLBACK)  # as the stack's ANY methods do
        else:
            route, same_path = routes.match(method, path)
            owner = route or (same_path[0] if same_path else None)
            function = str(owner.area if owner else routes.FALLBACK_AREA)
        path_parameters: dict[str, str] = {}
        if route is not None:
            found = route.pattern.match(path)
            values = found.groupdict() if found else {}
            path_parameters = {name: values[name.replace("-", "_")] for name in route.path_params}
        event = proxy_event(
            method=method,
            path=path,
            query=query,
            headers=list(self.headers.items()),
            body=body,
            route=route,
            path_parameters=path_parameters,
            source_ip=self.client_address[0],
        )
        if isinstance(route, PortalRoute) and route.authorized:
            claims = self._claims()
            if claims is None:
                self._reply(_unauthorized(), event["requestContext"]["requestId"], 0, 0)
                return
            event["requestContext"]["authorizer"] = {"claims": claims}
        RoundTrips.reset()
        result = self.server.pools[function].invoke(event)
        self._reply(result, event["requestContext"]["requestId"], RoundTrips.count(), RoundTrips.waves())

    def _claims(self) -> dict[str, Any] | None:
        authorizer = self.server.authorizer
        return authorizer.claims(self.headers.get("Authorization")) if authorizer else None

    def _send_site(self, answer: SiteAnswer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self._send_body(answer.body)

    def _reply(self, result: dict[str, Any], request_id: str, round_trips: int, waves: int) -> None:
        payload = (result.get("body") or "").encode()
        if result.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        self.send_response(int(result["statusCode"]))
        headers: dict[str, list[str]] = {k: [str(v)] for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = [str(v) for v in values]
        headers.pop("Content-Length", None)
        for name, values in headers.items():
            for value in values:
                self.send_header(name, value)
        self.send_header("apigw-requestid", request_id)
        self.send_header(ROUND_TRIPS_HEADER, str(round_trips))
        self.send_header(WAVES_HEADER, str(waves))
        self._send_body(payload)

    def _send_body(self, payload: bytes) -> None:
        """The headers' end and the body (none for HEAD); a draining server closes the connection."""
        self.send_header("Content-Length", str(len(payload)))
        if self.server.draining:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
