"""Makes the Lambda entry point of an API area or a Portal function: its resolver under Powertools' Logger
(request id as correlation id), Tracer and Metrics. Each API `functions/<name>/handler.py` is one call to
it; the queue consumers' entry points are in `queue_entry` (kept apart: an API function's cold start does
not import Powertools' batch utilities)."""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos import cold_start, deadline
from kairos.api.app import Handler, build_app
from kairos.container import Container
from kairos.observability import logger, metrics, tracer
from kairos.routes import Area

if TYPE_CHECKING:  # the Portal's modules are loaded by the Portal's functions only
    from kairos.api.portal_app import PortalHandler
    from kairos.portal.routes import PortalArea

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def make_handler(area: Area, handlers: Callable[[Container], dict[str, Handler]]) -> LambdaHandler:
    return _api_handler(build_app(area, handlers(container := Container.from_environment()), container))


def make_portal_handler(
    area: "PortalArea", handlers: Callable[[Container], Mapping[str, "PortalHandler"]]
) -> LambdaHandler:
    """A Portal function (`functions/portal*/handler.py`): the admin API's resolver for its area (imported
    here: an API function's cold start does not load the Portal's models)."""
    from kairos.api.portal_app import build_portal_app

    container = Container.from_environment()
    return _api_handler(build_portal_app(area, handlers(container), container))


def _api_handler(app: APIGatewayRestResolver) -> LambdaHandler:
    """An API Gateway proxy entry point around a resolver, under Logger, Tracer and Metrics."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        with deadline.within(deadline.seconds_for(context.get_remaining_time_in_millis())):
            return app.resolve(event, context)

    cold_start.end()
    return lambda_handler
