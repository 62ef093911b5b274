"""`kairos-local` (what `make dev` runs): starts the local store (moto, journaled to the data folder), the
local API and the event chain, prints the base URL and the token, and on Ctrl-C or SIGTERM stops them in
order: the API stops accepting and drains its requests, the event chain stops, then the store saves and
stops. Every write the API acknowledged is already in the store's journal, so even `kill -9` loses none."""

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from kairos.errors import StoreFull
from kairos.portal.routes import PortalArea
from kairos.routes import Area
from kairos_local.aws_calls import record_calls
from kairos_local.journal import no_room
from kairos_local.lambda_runtime import FunctionPool
from kairos_local.moto_process import STOP_POLL_SECONDS, MotoProcess
from kairos_local.store import DEFAULT_DATA_DIR, ENDPOINT_FILE, use_local_store

DRAIN_SECONDS = 30.0
OUTBOX = "outbox"  # in the data folder: the Portal's mails, one file each
CALLS_ENVIRONMENT = "KAIROS_LOCAL_CALLS_FILE"  # benches: the functions' DynamoDB calls, as JSON lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Kairos API locally on moto.")
    parser.add_argument("--host", default=os.environ.get("KAIROS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KAIROS_PORT", "8080")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("KAIROS_MOTO_PORT", "0")))
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KAIROS_DATA_DIR", DEFAULT_DATA_DIR))
    )
    parser.add_argument("--instances", type=int, default=8, help="warm instances per function at most")
    parser.add_argument(
        "--ttl-sweep-seconds",
        type=float,
        default=float(os.environ.get("KAIROS_TTL_SWEEP_SECONDS", "30")),
        help="how often items past their TTL are removed",
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="repair a damaged data folder (keeps what is intact, says what it drops) instead of starting",
    )
    args = parser.parse_args()
    if args.repair:
        from kairos_local.repair import repair

        raise SystemExit(repair(args.data_dir))
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del frame
        if not stopping.is_set():
            print(f"Stopping ({signal.Signals(signum).name}): draining requests ...", flush=True)
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    full = False
    store = MotoProcess(args.data_dir, args.moto_port, args.ttl_sweep_seconds)
    try:
        _run(args, store.endpoint, stopping)
    except (StoreFull, OSError) as error:  # getting ready writes to the store and the data folder
        if isinstance(error, OSError) and not no_room(error):
            raise
        print(f"Kairos cannot start: the data folder {args.data_dir} is full ({error}).", file=sys.stderr)
        full = True
    finally:
        started = time.monotonic()
        code = store.stop()
        (args.data_dir / ENDPOINT_FILE).unlink(missing_ok=True)
        if code == 0:
            print(
                f"Kairos stopped; data saved in {args.data_dir} ({time.monotonic() - started:.1f} s).",
                flush=True,
            )
        else:
            print(
                f"The local store stopped with exit code {code}; its journal keeps every write.", flush=True
            )
    if full:
        raise SystemExit(2)


def _run(args: argparse.Namespace, endpoint: str, stopping: threading.Event) -> None:
    use_local_store(endpoint)
    from kairos.container import Container
    from kairos_local.authorizer import LocalAuthorizer
    from kairos_local.bootstrap import ensure_project, ensure_table, ensure_user_pool
    from kairos_local.event_chain import Activity, start_event_chain
    from kairos_local.faults import ENVIRONMENT, from_environment
    from kairos_local.http_server import LocalApi
    from kairos_local.portal_site import PortalSite

    container = Container.from_environment()
    ensure_table(container)
    pool = ensure_user_pool(container.settings.region)
    portal_url = os.environ.get("KAIROS_PORTAL_URL") or f"http://{args.host}:{args.port}"
    os.environ.update(
        {
            "KAIROS_USER_POOL_ID": pool.user_pool_id,
            "KAIROS_USER_POOL_CLIENT_ID": pool.client_id,
            "KAIROS_MAIL_OUTBOX": str(args.data_dir / OUTBOX),
            "KAIROS_PORTAL_URL": portal_url,
        }
    )
    state = ensure_project(container, args.data_dir / "local.json")
    (args.data_dir / ENDPOINT_FILE).write_text(endpoint + "\n")
    faults = from_environment()  # on the functions' clients, made from here on; not on the set-up above
    if faults is not None:
        print(f"Fault mode ({ENVIRONMENT}): {len(faults.faults)} faults on DynamoDB", flush=True)
    calls = os.environ.get(CALLS_ENVIRONMENT)
    if calls:  # the key-heat model's recording (bench/heat.py): the functions' calls, not the set-up's
        record_calls(calls, responses=True, only="dynamodb")
    activity = Activity()
    start_event_chain(
        container.settings, activity
    )  # once the table exists: its stream reader starts at LATEST
    pools = {str(name): FunctionPool(str(name), args.instances) for name in (*Area, *PortalArea)}
    authorizer = LocalAuthorizer(endpoint, container.settings.region, pool.user_pool_id, pool.client_id)
    region = container.settings.region
    site = PortalSite(region, pool.user_pool_id, pool.client_id, portal_url)
    server = LocalApi(
        (args.host, args.port), pools, on_answered=activity.poke, authorizer=authorizer, site=site
    )
    threading.Thread(
        target=server.serve_forever, args=(STOP_POLL_SECONDS,), name="local-api", daemon=True
    ).start()
    host, port = server.server_address[:2]
    print(f"Kairos is running at http://{host!s}:{port}/v1", flush=True)
    print(f"Portal:  http://{host!s}:{port}/ (the web app)", flush=True)
    print(f"Portal admin API: http://{host!s}:{port}/portal (mails in {args.data_dir / OUTBOX})", flush=True)
    print(f"Project: {state.project_id} (data in {args.data_dir})", flush=True)
    print(f"Token:   {state.token}", flush=True)
    print(f"Try:     curl -H 'Authorization: Bearer <token>' http://{host!s}:{port}/v1/project", flush=True)
    print("Ctrl-C stops it; every acknowledged write is kept in " + str(args.data_dir), flush=True)
    stopping.wait()
    left = server.drain(DRAIN_SECONDS)
    server.server_close()
    activity.stop()
    if left:
        print(
            f"{left} connections were still busy after {DRAIN_SECONDS:.0f} s and were cut.", file=sys.stderr
        )


if __name__ == "__main__":
    main()
