"""Lambda function of the webhook queue: domain events fanned out to subscriptions, and delivery retries.
Returns SQS partial batch failures, so only a failed message comes back."""

from kairos.api.lambda_entry import make_queue_handler

lambda_handler = make_queue_handler(lambda container: container.dispatcher.handle)
