"""Lambda function of the webhooks area (subscriptions, rotation, the delivery log)."""

from kairos.api.lambda_entry import make_handler
from kairos.api.webhook_endpoints import webhooks
from kairos.routes import Area

lambda_handler = make_handler(Area.WEBHOOKS, webhooks)
