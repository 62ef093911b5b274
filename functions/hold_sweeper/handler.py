"""Lambda function run every minute by a schedule: removes the temporary bookings whose `expires_at` has
passed (their place was free from that instant already); the stream mapper makes `booking.expired` of
each removal. A run removes at most a batch; the next run takes the rest."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos.container import Container
from kairos.observability import logger, metrics, tracer

container = Container.from_environment()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    removed = container.hold_sweeper.sweep()
    logger.info("expired holds removed", extra={"removed": removed})
    return {"removed": removed}
