"""Lambda function of the hold timers: fed by the hold timer queue, each message a hold's timer, due when
the hold expires (the stream mapper starts one per hold written with an expiry). A due timer removes its
resource's expired holds, whose place was free from that instant already; the stream mapper makes
`booking.expired` of each removal. A timer not yet due (SQS delays a message 15 minutes at most) is sent
again. Partial batch failures: a throttled removal brings back its message alone.

Also run every minute by a schedule, for holds listed before timers existed (in partitions every project
shared): it removes those that expired, a batch a run, until none is left."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos.api.queue_entry import make_queue_handler
from kairos.container import Container
from kairos.events.hold_timer_queue import timer_from
from kairos.observability import logger, metrics, tracer

container = Container.from_environment()
on_timers = make_queue_handler(
    lambda container: lambda body: container.hold_sweeper.fire(timer_from(body)), container=container
)


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return dict(on_timers(event, context))
    return dict(sweep_legacy(event, context))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def sweep_legacy(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    removed = container.hold_sweeper.sweep_legacy()
    logger.info("expired holds of the shared listing removed", extra={"removed": removed})
    return {"removed": removed}
