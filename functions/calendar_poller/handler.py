"""Lambda function run every 15 minutes by a schedule: syncs every calendar subscription's feed (a
conditional GET each), so busy times follow the calendars (docs/calendar-subscriptions.md)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos import cold_start
from kairos.container import Container
from kairos.observability import logger, metrics, tracer

container = Container.from_environment()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    synced = container.calendar_subscriptions.sync_all()
    logger.info("calendar subscriptions synced", extra={"synced": synced})
    return {"synced": synced}


cold_start.end()  # the import is done: the garbage collector runs again (kairos.cold_start)
