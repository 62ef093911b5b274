"""Logger, tracer and metrics, one of each for the whole package (Powertools; JSON logs with the API
Gateway request id as correlation id, set by each handler's decorator).

Traces: only the AWS SDK is patched. Powertools would patch http.client too, and a webhook delivery's
subsegment would then carry the receiver's whole URL, query included (customer configuration, sometimes a
token). Whether handler responses and errors are captured is set by the stack (off: they hold customer
data, and a large answer such as /v1/openapi.json overflows the X-Ray daemon's datagrams).

Metrics: the figures of `Metric`, counted where they happen and published (EMF) when the handler ends. An
invocation that counted none publishes nothing, which is normal (a listing creates no booking): the warning
Powertools gives for it is silenced."""

import threading
import warnings
from enum import StrEnum

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "kairos"
NAMESPACE = "Kairos"
PATCHED_MODULES = ("botocore",)

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, patch_modules=PATCHED_MODULES)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
_counting = threading.Lock()  # Powertools' metric set is a plain dict; the dispatcher counts from threads


class Metric(StrEnum):
    """The application's own figures (CloudWatch namespace NAMESPACE, dimension service=SERVICE)."""

    BOOKINGS_CREATED = "BookingsCreated"
    BOOKING_RACE_RETRIES = "BookingRaceRetries"  # a write planned again: another booking got in first
    BOOKABLE_SLOTS_LISTED = "BookableSlotsListed"
    WEBHOOKS_DELIVERED = "WebhookDeliveriesSucceeded"
    WEBHOOKS_FAILED = "WebhookDeliveriesFailed"  # an attempt failed; a retry is queued
    WEBHOOKS_DEAD = "WebhookDeliveriesDead"  # the last attempt failed: the delivery is given up
    USAGE_EVENTS_NOT_SENT = "UsageEventsNotSent"  # the usage queue refused a request's event every time


def count(metric: Metric, value: int = 1) -> None:
    """Adds to the figure published at the end of this invocation (nothing, for a zero)."""
    if value:
        with _counting:
            metrics.add_metric(name=metric.value, unit=MetricUnit.Count, value=value)
