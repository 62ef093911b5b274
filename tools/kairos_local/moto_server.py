"""moto in server mode, with every request applied alone.

moto applies a DynamoDB transaction by copying and swapping the whole table, so two transactions running
at once can lose writes. One lock around each request makes the emulated table behave like DynamoDB (each
request atomic), while the Kairos HTTP server in front stays concurrent, so a read-then-write race in
Kairos still shows up here as it would on AWS.
"""

import argparse
import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import make_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def serialized(app: WSGIApp) -> WSGIApp:
    lock = threading.Lock()

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return [body]

    return call


def serve(host: str, port: int) -> None:
    from moto.server import DomainDispatcherApplication, create_backend_app  # type: ignore[attr-defined]

    from kairos_local import moto_patches

    moto_patches.install()

    app = serialized(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="moto server with one request at a time")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
