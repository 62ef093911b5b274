"""Runs the Lambda functions locally the way Lambda does: each function is loaded as several independent
instances (its module imported once per instance, so each has its own resolver and clients), and an
instance serves one event at a time. Concurrent requests use different instances, as on AWS."""

import base64
import importlib.util
import queue
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

from kairos.portal.routes import PortalRoute
from kairos.routes import Route
from kairos_local.aws_calls import INVOCATION

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The fields of the Lambda context object that Powertools (and a budgeted queue consumer) reads."""

    function_name: str
    aws_request_id: str
    remaining_ms: int = 29_000  # at the start: the function's timeout (the event chain's consumers: theirs)
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-central-1:000000000000:function:local"
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def load_function(name: str, number: int = 1) -> ModuleType:
    """One instance of `functions/<name>/handler.py`: a module of its own, with its own clients."""
    path = FUNCTIONS_DIR / name / "handler.py"
    spec = importlib.util.spec_from_file_location(f"kairos_function_{name}_{number}", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FunctionPool:
    """Warm instances of one function; more are started (cold starts) while all are busy, up to `limit`."""

    def __init__(self, function: str, limit: int) -> None:
        self.function = function  # `functions/<function>/`: an API area's or a Portal function's
        self._limit = limit
        self._started = 0
        self._idle: queue.LifoQueue[ModuleType] = queue.LifoQueue()
        self._idle.put(self._start())

    def _start(self) -> ModuleType:
        self._started += 1
        return load_function(self.function, self._started)

    @contextmanager
    def instance(self) -> Iterator[ModuleType]:
        try:
            module = self._idle.get_nowait()
        except queue.Empty:
            module = self._start() if self._started < self._limit else self._idle.get()
        try:
            yield module
        finally:
            self._idle.put(module)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        with self.instance() as module:
            result: dict[str, Any] = invoke(self.function, module.lambda_handler, event)
            return result


def invoke(function: str, handler: Handler, event: dict[str, Any], timeout_seconds: float = 29) -> Any:
    """Runs a handler as Lambda runs `kairos-<function>`. On AWS each instance is a process of its own;
    here instances share the `kairos` package and its one Powertools logger, whose keys (function name,
    correlation id) a handler sets for the whole process. The same keys set for this thread alone win over
    those, so a log line names the function and the request that wrote it. The context tells the handler
    it has `timeout_seconds` left (the function's timeout, as at the start of an invocation)."""
    from kairos.observability import logger  # after the local settings (log level) are in place

    context = LambdaContext(
        function_name=f"kairos-{function}",
        aws_request_id=str(uuid.uuid4()),
        remaining_ms=int(timeout_seconds * 1000),
    )
    request_id = (event.get("requestContext") or {}).get("requestId")
    logger.thread_safe_append_keys(
        function_name=context.function_name,
        function_request_id=context.aws_request_id,
        correlation_id=request_id,
    )
    tag = INVOCATION.set(
        {
            "function": context.function_name,
            "request": request_id or context.aws_request_id,
            "records": str(len(event.get("Records") or [])),  # a batch's size (bench/heat_metering.py)
        }
    )
    try:
        return handler(event, context)
    finally:
        INVOCATION.reset(tag)
        logger.thread_safe_clear_keys()


def proxy_event(
    *,
    method: str,
    path: str,
    query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    route: Route | PortalRoute | None,
    path_parameters: Mapping[str, str],
    source_ip: str,
) -> dict[str, Any]:
    """An API Gateway REST proxy event, as API Gateway builds it for a Lambda proxy integration."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    forwarded = [("X-Forwarded-For", source_ip), ("X-Forwarded-Proto", "http")]
    for name, value in [*headers, *forwarded]:
        single[name] = value
        multi.setdefault(name, []).append(value)
    pairs = parse_qsl(query, keep_blank_values=True)
    query_single = {k: v for k, v in pairs}
    query_multi: dict[str, list[str]] = {}
    for k, v in pairs:
        query_multi.setdefault(k, []).append(v)
    try:
        text: str | None = body.decode("utf-8") if body else None
        encoded = False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    resource = route.path if route else "/{proxy+}"
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": single or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": query_single or None,
        "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "httpMethod": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "requestTimeEpoch": int(time.time() * 1000),
            "resourcePath": resource,
            "stage": "local",
            "identity": {"sourceIp": source_ip, "userAgent": single.get("User-Agent", "")},
        },
        "body": text,
        "isBase64Encoded": encoded,
    }
