"""The local API: a threaded HTTP server that turns each request into an API Gateway proxy event, hands it
to the function of the route's area (the same route table as the CDK stack), and writes back the function's
response as it is. A request that matches no route goes to the fallback area, as the deployed catch-all
does."""

import base64
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kairos import routes
from kairos.storage.dynamodb import RoundTrips
from kairos_local.lambda_runtime import FunctionPool, proxy_event

ROUND_TRIPS_HEADER = "x-kairos-dynamodb-round-trips"


class LocalApi(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], pools: dict[routes.Area, FunctionPool]) -> None:
        super().__init__(address, _Handler)
        self.pools = pools


class _Handler(BaseHTTPRequestHandler):
    server: LocalApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        path, _, query = self.path.partition("?")
        method = self.command.upper()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route, same_path = routes.match(method, path)
        owner = route or (same_path[0] if same_path else None)
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
        pool = self.server.pools[owner.area if owner else routes.FALLBACK_AREA]
        RoundTrips.reset()
        result = pool.invoke(event)
        self._reply(result, event["requestContext"]["requestId"], RoundTrips.count())

    def _reply(self, result: dict[str, Any], request_id: str, round_trips: int) -> None:
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
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch  # noqa: N815
