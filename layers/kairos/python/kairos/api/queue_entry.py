"""Makes the Lambda entry points of the queue consumers: one that handles each SQS message alone
(Powertools' BatchProcessor: a failing message is reported in `batchItemFailures` and retried by SQS on its
own, the others are done), and one that handles its whole batch at once within a time budget below the
function's timeout, reporting each message's outcome the same way. Each consumer's
`functions/<name>/handler.py` is one call to these."""

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos import cold_start, deadline
from kairos.container import Container
from kairos.observability import logger, metrics, tracer

if TYPE_CHECKING:  # the API entry module loads the API resolver, which a queue consumer never uses
    from kairos.api.lambda_entry import LambdaHandler

BatchHandler = Callable[[list[dict[str, Any]]], bool]
# Message bodies and the seconds they may take -> for each message, whether it is done.
BudgetedBatchHandler = Callable[[list[dict[str, Any]], float], list[bool]]


def make_queue_handler(
    handle: Callable[[Container], Callable[[dict[str, Any]], object]],
    handle_all: Callable[[Container], BatchHandler] | None = None,
    scheduled: Callable[[Container], Callable[[], dict[str, Any]]] | None = None,
) -> "LambdaHandler":
    """An SQS consumer: `handle(container)` gets each message body, parsed as JSON; raising fails it alone.
    With `handle_all`, the whole batch's bodies go to it first, in one call; when it answers False (it did
    nothing), each message is handled alone as above. With `scheduled`, the function is also run by a
    schedule: an event without records is a scheduled run, and `scheduled(container)` makes its answer."""
    container = Container.from_environment()
    handle_message = handle(container)
    handle_batch = handle_all(container) if handle_all is not None else None
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> None:
        handle_message(json.loads(record.body))

    def handle_batch_whole(event: dict[str, Any]) -> bool:
        """Whether the whole batch was handled at once. Anything that stops it (a bad message, a throttled
        or contended write: nothing is written then) sends the batch down the one-by-one path, where only
        the messages that fail again come back."""
        try:
            bodies = [json.loads(record["body"]) for record in event.get("Records", [])]
            return handle_batch is not None and handle_batch(bodies)
        except Exception:
            logger.warning(
                "the batch was not handled at once; its messages are handled one by one", exc_info=True
            )
            return False

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        with deadline.within(deadline.seconds_for(context.get_remaining_time_in_millis())):
            if scheduled is not None and "Records" not in event:
                return scheduled(container)()
            if handle_batch is not None and handle_batch_whole(event):
                return {"batchItemFailures": []}
            response = process_partial_response(
                event=event, record_handler=record_handler, processor=processor, context=context
            )
            return dict(response)

    cold_start.end()
    return lambda_handler


def make_budgeted_queue_handler(handle: Callable[[Container], BudgetedBatchHandler]) -> "LambdaHandler":
    """An SQS consumer for slow work (calls to other people's servers): `handle(container)` gets the whole
    batch's bodies, parsed as JSON, and the seconds it may take, and says which messages are done. Only the
    others, and bodies that are not JSON, are reported in `batchItemFailures`: SQS hands back just them."""
    handle_batch = handle(Container.from_environment())

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        records = event.get("Records", [])
        bodies: dict[str, dict[str, Any]] = {}
        for record in records:
            try:
                bodies[record["messageId"]] = json.loads(record["body"])
            except ValueError:
                logger.warning("a queue message that is not JSON", extra={"message_id": record["messageId"]})
        budget = deadline.seconds_for(context.get_remaining_time_in_millis())
        with deadline.within(budget):
            done = dict(zip(bodies, handle_batch(list(bodies.values()), budget), strict=True))
        failed = [record["messageId"] for record in records if not done.get(record["messageId"], False)]
        logger.info("queue batch handled", extra={"messages": len(records), "back_to_the_queue": failed})
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

    cold_start.end()
    return lambda_handler
