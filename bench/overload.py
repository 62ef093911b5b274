"""How long Kairos takes to answer under overload, with the fault mode on an in-process moto table
(docs/api.md, "Overload"; docs/local.md, "Fault mode"): per case, the requests DynamoDB received, and the
median and longest time until the answer (the data, or the 503's domain error). The waits are botocore's
and Kairos' own jittered backoff: times vary from run to run; the attempts do not. About a minute.

    .venv/bin/python -m bench.overload [rounds]
"""

import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from moto import mock_aws

from kairos import deadline
from kairos.config import Settings
from kairos.container import Container
from kairos.errors import Retryable
from kairos.storage.dynamodb import RoundTrips, to_item
from kairos.storage.table_definition import create_table_request
from kairos_local.faults import Fault, Faults, attach, detach

KEYS = 100  # one BatchGetItem's worth


@contextmanager
def table() -> Iterator[Container]:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"})
    os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    with mock_aws():
        settings = Settings(table_name="kairos-bench", region="eu-central-1", dynamodb_endpoint=None)
        container = Container.from_settings(settings)
        container.table.client.create_table(**create_table_request(settings.table_name))
        container.table.put_items([to_item({"PK": f"P#{n % 10}", "SK": f"K#{n}"}) for n in range(KEYS)])
        yield container


def measure(
    name: str, faults: list[Fault], call: Callable[[Container], object], rounds: int, within: float | None
) -> None:
    times: list[float] = []
    requests: list[int] = []
    outcomes: set[str] = set()
    with table() as container:
        for _ in range(rounds):
            plan = attach(container.table.client.meta.events, Faults(list(faults)))
            RoundTrips.reset()
            started = time.monotonic()
            try:
                with deadline.within(within) if within is not None else nullcontext():
                    call(container)
                outcomes.add("answered")
            except Retryable as error:
                outcomes.add(f"503 ({type(error).__name__})")
            times.append(time.monotonic() - started)
            requests.append(RoundTrips.count())
            detach(container.table.client.meta.events, plan)
    print(
        f"{name:<62} {', '.join(sorted(outcomes)):<22} requests {min(requests)}-{max(requests):<3} "
        f"median {statistics.median(times):5.2f} s  longest {max(times):5.2f} s"
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    logging.getLogger("kairos_local.faults").setLevel(logging.ERROR)  # a line per fault: thousands here
    every_key = [{"PK": f"P#{n % 10}", "SK": f"K#{n}"} for n in range(KEYS)]
    hot_read = Fault(partition="P#0", on="read", error="ProvisionedThroughputExceededException")
    get = lambda c: c.table.get({"PK": "P#0", "SK": "K#0"})  # noqa: E731
    batch = lambda c: c.table.batch_get(every_key)  # noqa: E731

    def transaction(c: Container) -> None:
        c.table.client.transact_write_items(
            TransactItems=[{"Put": {"TableName": c.table.name, "Item": to_item({"PK": "P#1", "SK": "T"})}}]
        )

    print(f"{rounds} rounds each; the deadline, where one is set, is the time the function has left less 3 s")
    measure("GetItem, partition throttled throughout", [hot_read], get, rounds, None)
    measure("GetItem, partition throttled throughout, deadline 0.5 s", [hot_read], get, rounds, 0.5)
    measure(
        "GetItem, throttled twice, then served", [hot_read.model_copy(update={"times": 2})], get, rounds, None
    )
    measure(
        "BatchGetItem of 100, a tenth unprocessed twice",
        [hot_read.model_copy(update={"times": 2})],
        batch,
        rounds,
        None,
    )
    measure("BatchGetItem of 100, a tenth unprocessed throughout", [hot_read], batch, rounds, None)
    measure("BatchGetItem of 100, a tenth unprocessed, deadline 0.1 s", [hot_read], batch, rounds, 0.1)
    conflict = Fault(partition="P#1", on="write", error="TransactionConflict")
    measure(
        "TransactWriteItems, 2 conflicts, then written",
        [conflict.model_copy(update={"times": 2})],
        transaction,
        rounds,
        None,
    )
    measure("TransactWriteItems, conflicting throughout", [conflict], transaction, rounds, None)


if __name__ == "__main__":
    main()
