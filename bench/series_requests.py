"""The DynamoDB client's own work on the requests of a 52-week booking series (docs/booking-series.md,
"Cost"): the series' requests are recorded in process (an in-memory moto table, a doctor named), then
sent again through a client that answers each from memory (nothing leaves the process), so the figure is
the client's CPU alone (its events, endpoint rules, serialization), which `bench.booking_series`' handler
CPU holds beside far noisier work. Twice: with the client `make_client` makes, and with that client
given botocore's own JSON serializer back. Each figure is the median of `rounds` replays.

    .venv/bin/python -m bench.series_requests [rounds]
"""

import copy
import os
import statistics
import sys
import time
from collections import Counter
from typing import Any

from botocore import xform_name
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.serialize import JSONSerializer
from moto import mock_aws

from kairos.config import Settings
from kairos.container import Container
from kairos.storage.dynamodb import make_client
from kairos.storage.table_definition import create_table_request
from tests.unit.test_booking_series import series_body, weekly_clinic

SETTINGS = Settings(table_name="kairos-bench", region="eu-central-1", dynamodb_endpoint=None)
_BOTOCORE = JSONSerializer()
Request = tuple[str, dict[str, Any]]  # the operation, its parameters


def recorded() -> list[Request]:
    """The requests a 52-week series sends, in order."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with mock_aws():
        container = Container.from_settings(SETTINGS)
        client = container.table.client
        client.create_table(**create_table_request(SETTINGS.table_name))
        project = container.projects.create_project("Bench clinic", rate_limit=10_000)
        _, token = container.projects.create_token(project.id, "all", None)
        viewer = container.auth.authenticate(f"Bearer {token}")
        clinic = weekly_clinic(container, viewer)
        sent: list[Request] = []

        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            sent.append((model.name, copy.deepcopy(params)))

        client.meta.events.register("provide-client-params.dynamodb", record)
        container.booking_series.create(viewer, series_body(clinic, "FREQ=WEEKLY;COUNT=52"))
    return sent


def replayed(requests: list[Request], botocore_serializer: bool, rounds: int) -> float:
    """The median CPU (ms) of the client's work on `requests`, each answered from memory."""
    client = make_client(SETTINGS)
    if botocore_serializer:
        client._serializer = _BOTOCORE  # type: ignore[attr-defined]
    answer: tuple[AWSResponse, dict[str, Any]] = (
        AWSResponse("https://dynamodb", 200, HTTPHeaders(), None),
        {},
    )

    def answered(**_: Any) -> Any:  # before the request is signed and sent: nothing leaves the process
        return answer

    client.meta.events.register("before-call.dynamodb", answered)
    runs = []
    for _ in range(rounds + 1):
        started = time.process_time()
        for operation, params in requests:
            getattr(client, xform_name(operation))(**params)
        runs.append((time.process_time() - started) * 1000)
    return statistics.median(runs[1:])  # after a warm-up replay


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    requests = recorded()
    model = make_client(SETTINGS).meta.service_model
    sent = sum(len(_BOTOCORE.serialize_to_request(p, model.operation_model(o))["body"]) for o, p in requests)
    operations = ", ".join(f"{n} {o}" for o, n in Counter(o for o, _ in requests).most_common())
    own, botocore = replayed(requests, False, rounds), replayed(requests, True, rounds)
    print(f"a 52-week series, a doctor named: {operations}; {sent / 1000:.0f} kB of bodies; {rounds} replays")
    print(f"the client's CPU, as make_client makes it:   {own:6.1f} ms")
    print(f"the client's CPU, botocore's serializer:      {botocore:6.1f} ms")


if __name__ == "__main__":
    main()
