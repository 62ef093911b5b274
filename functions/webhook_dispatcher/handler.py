"""Lambda function of the webhook queue: domain events fanned out to subscriptions, and delivery retries.
The whole batch is sent at once within a time budget below the function's timeout; it returns SQS partial
batch failures, so only a message whose deliveries could not all be attempted comes back."""

from kairos.api.queue_entry import make_budgeted_queue_handler

lambda_handler = make_budgeted_queue_handler(lambda container: container.dispatcher.dispatch)
