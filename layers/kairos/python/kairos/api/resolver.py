"""The resolver of every API and Portal function: Powertools' REST resolver, keeping the event it resolves
on itself.

Powertools keeps the event and context being resolved on `BaseRouter`, the class (so that routers
included into a resolver see them): one slot for every resolver of the process. On Lambda a process
resolves one event at a time. The local server runs instances of the functions in threads of one
process, each instance with a resolver of its own; there, a request could be routed and answered by the
event another thread set meanwhile (another screen's body for the Portal's project list; a request with
one project's token answered with another's path), so each resolver keeps its own: every read
(`self.current_event`, the endpoints' `app.current_event`) finds the instance's attribute first."""

from collections.abc import Mapping
from typing import Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext


class OwnEventResolver(APIGatewayRestResolver):
    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self.current_event = cast(APIGatewayProxyEvent, self._to_proxy_event(cast(dict[str, Any], event)))
        self.lambda_context = context
        return super().resolve(event, context)
