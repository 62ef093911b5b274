"""Functions run side by side in the local API share one process and one Powertools logger; each log line
still names the function and the request that wrote it, as on AWS where each is a process of its own."""

import io
import json
import logging
import threading
from typing import Any

from kairos.observability import logger
from kairos_local.lambda_runtime import invoke


def test_log_lines_of_functions_running_at_once_name_their_own_function_and_request() -> None:
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    previous = logger.log_level
    logger.setLevel("INFO")
    both_inside = threading.Barrier(2)

    def lambda_handler(event: dict[str, Any], context: Any) -> None:
        logger.append_keys(
            function_name=context.function_name
        )  # what inject_lambda_context does, process-wide
        both_inside.wait(timeout=10)  # the other function has set its own name by now
        logger.info("handled", extra={"expected": event["expected"]})
        both_inside.wait(timeout=10)

    def run(function: str) -> None:
        event = {"expected": f"kairos-{function}", "requestContext": {"requestId": f"request-{function}"}}
        invoke(function, lambda_handler, event)

    try:
        threads = [threading.Thread(target=run, args=(name,)) for name in ("bookings", "metering")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        logger.remove_keys(["function_name"])
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert sorted(line["function_name"] for line in lines) == ["kairos-bookings", "kairos-metering"]
    for line in lines:
        assert line["function_name"] == line["expected"]
        assert line["correlation_id"] == "request-" + line["expected"].removeprefix("kairos-")
