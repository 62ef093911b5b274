"""Lambda function of the usage queue: usage events rolled up into the projects' daily counters, a batch
in one write when none was counted before, else one by one. Returns SQS partial batch failures, so only a
failed message comes back."""

from kairos.api.queue_entry import make_queue_handler

lambda_handler = make_queue_handler(
    lambda container: container.metering.record,
    handle_all=lambda container: container.metering.record_all,
)
