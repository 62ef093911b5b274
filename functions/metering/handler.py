"""Lambda function of the usage queue: usage events rolled up into the projects' daily counters.
Returns SQS partial batch failures, so only a failed message comes back."""

from kairos.api.lambda_entry import make_queue_handler

lambda_handler = make_queue_handler(lambda container: container.metering.record)
