"""`kairos-local` (what `make dev` runs): starts moto, the local API and the snapshot saver, prints the base
URL and the token, and stops everything it started on Ctrl-C."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from kairos.routes import Area
from kairos_local.lambda_runtime import FunctionPool
from kairos_local.store import DEFAULT_DATA_DIR, ENDPOINT_FILE, use_local_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"moto exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"moto did not start on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Kairos API locally on moto.")
    parser.add_argument("--host", default=os.environ.get("KAIROS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KAIROS_PORT", "8080")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("KAIROS_MOTO_PORT", "0")))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KAIROS_DATA_DIR", DEFAULT_DATA_DIR))
    )
    parser.add_argument("--instances", type=int, default=8, help="warm instances per function at most")
    parser.add_argument("--save-every", type=float, default=5.0, help="seconds between snapshots")
    args = parser.parse_args()
    moto_port = args.moto_port or _free_port()

    moto = subprocess.Popen(
        [sys.executable, "-m", "kairos_local.moto_server", "--port", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(moto_port, moto)
        _run(args, moto_port)
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:
            moto.kill()


def _run(args: argparse.Namespace, moto_port: int) -> None:
    use_local_store(f"http://127.0.0.1:{moto_port}")
    from kairos.container import Container
    from kairos_local import snapshot
    from kairos_local.bootstrap import ensure_data, ensure_project
    from kairos_local.event_chain import start_event_chain
    from kairos_local.http_server import LocalApi

    data_file = args.data_dir / "table.json"
    container = Container.from_environment()
    loaded = ensure_data(container, data_file)
    state = ensure_project(container, args.data_dir / "local.json")
    (args.data_dir / ENDPOINT_FILE).write_text(f"http://127.0.0.1:{moto_port}\n")

    stop = threading.Event()
    start_event_chain(container.settings, stop)  # after the load: its stream reader starts at LATEST
    pools = {area: FunctionPool(area, args.instances) for area in Area}
    server = LocalApi((args.host, args.port), pools)

    def save() -> None:
        snapshot.save(container.table.client, container.table.name, data_file)

    def saver() -> None:
        while not stop.wait(args.save_every):
            save()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    threading.Thread(target=server.serve_forever, name="local-api", daemon=True).start()
    threading.Thread(target=saver, name="snapshot", daemon=True).start()
    host, port = server.server_address[:2]
    print(f"Kairos is running at http://{host!s}:{port}/v1", flush=True)
    print(f"Project: {state.project_id} ({loaded} items loaded from {data_file})", flush=True)
    print(f"Token:   {state.token}", flush=True)
    print(f"Try:     curl -H 'Authorization: Bearer <token>' http://{host!s}:{port}/v1/project", flush=True)
    print("Ctrl-C stops it; data is kept in " + str(data_file), flush=True)
    stop.wait()
    server.shutdown()
    save()
    (args.data_dir / ENDPOINT_FILE).unlink(missing_ok=True)
    print("Kairos stopped; data saved.", flush=True)


if __name__ == "__main__":
    main()
