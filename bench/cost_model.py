"""The cost model's price list and arithmetic (bench/costs.py measures its inputs; docs/costs.md prints the
result). Prices: eu-central-1 (Frankfurt) on-demand list prices in USD, as published on the AWS pricing
page named beside each (aws.amazon.com/<service>/pricing), as of 2025-11 (DynamoDB's on-demand prices
after the cut of 2024-11-01); first-tier prices, no free tier. Check them before relying on a figure."""

import math
from dataclasses import dataclass
from statistics import median

MONTH_SECONDS = 730 * 3600  # AWS bills a month as 730 hours
VCPU_MEMORY_MB = 1769  # Lambda gives one full vCPU at 1,769 MB, in proportion below
PRICES = {
    "lambda_gb_second": 0.0000166667,  # aws.amazon.com/lambda/pricing, x86
    "lambda_request": 0.20 / 1e6,
    "api_request": 3.70 / 1e6,  # aws.amazon.com/api-gateway/pricing, REST API, first 333 million a month
    "dynamodb_write_unit": 0.7625 / 1e6,  # aws.amazon.com/dynamodb/pricing/on-demand, write request unit
    "dynamodb_read_unit": 0.1525 / 1e6,  # read request unit
    "dynamodb_storage_gb_month": 0.306,  # the first 25 GB a month are free
    "stream_read_request": 0.0,  # a stream read by a Lambda trigger is not charged
    "eventbridge_event": 1.00 / 1e6,  # aws.amazon.com/eventbridge/pricing, custom events
    "sqs_request": 0.40 / 1e6,  # aws.amazon.com/sqs/pricing, standard queue
    "logs_ingest_gb": 0.63,  # aws.amazon.com/cloudwatch/pricing, standard log ingestion
    "logs_storage_gb_month": 0.0324,  # log storage (archived)
    "xray_trace": 5.00 / 1e6,  # aws.amazon.com/xray/pricing, traces recorded
    "waf_web_acl_month": 5.00,  # aws.amazon.com/waf/pricing
    "waf_rule_month": 1.00,
    "waf_request": 0.60 / 1e6,
    "alarm_month": 0.10,  # aws.amazon.com/cloudwatch/pricing, standard-resolution alarm metric
    "dashboard_month": 3.00,
    "kms_key_month": 1.00,  # aws.amazon.com/kms/pricing, customer managed key
}
# Behaviours of AWS the arithmetic follows (documented by AWS, not measured here):
XRAY_RESERVOIR_PER_SECOND = 1.0  # X-Ray's default sampling rule (Kairos sets no other): 1 a second,
XRAY_RATE = 0.05  # then 5 % of the rest
STREAM_POLLS_PER_SECOND = 4.0  # Lambda reads each stream shard about four times a second
SHARD_WRITE_UNITS = 1000.0  # a stream shard per 1,000 write units a second (a table partition's)
PLATFORM_LOG_BYTES = 330  # Lambda's START, END and REPORT lines (with X-Ray's trace id) per invocation
LOG_RETENTION_MONTHS = 1  # infra/constants.py LOG_RETENTION (one month): a month's logs stay stored
WAVE_SECONDS = 0.005  # one DynamoDB round trip in the region (assumed: DynamoDB's single-digit ms)
# One SQS SendMessage in the region, which a request waits for (its usage event): assumed as fast as a
# DynamoDB round trip, which SQS seldom is, so a model of a request that sends fewer is not flattered.
SEND_SECONDS = WAVE_SECONDS


@dataclass(frozen=True)
class Inputs:
    """What one request of the typical mix costs beside the prices: measured (CPU, logs, units, waves) or
    configured (memory, batch sizes, fixed items)."""

    memory_mb: int  # of the event path's functions (the stream mapper, metering)
    api_memory_mb: int  # of the API's functions
    api_cpu_seconds: float  # warm CPU of the API function per request
    api_log_bytes: float  # what the API function logs per request
    access_log_bytes: float  # API Gateway's access log line per request
    waves_per_request: float  # sequential DynamoDB round trips of an API request (its waiting)
    stream_cpu_per_invocation: float  # the stream mapper's warm CPU per invocation, beside its records
    stream_cpu_per_record: float  # and per stream record
    metering_cpu_per_invocation: float  # metering's, per invocation
    metering_cpu_per_event: float  # and per usage event
    consumer_log_bytes: float  # what the stream mapper and metering log per invocation
    write_units: float  # DynamoDB per request, the whole path (metering, logs, index copies)
    read_units: float
    items_written: float  # per request: each a stream record the stream mapper reads
    booking_write_share: float  # of the mix: each booking write makes a domain event
    metering_batch: int
    metering_window_seconds: float  # SQS gathers a batch this long at most
    alarms: int = 0
    dashboards: int = 0
    web_acls: int = 0
    web_acl_rules: int = 0
    kms_keys: int = 0


def consumer_cpu(
    small: list[float], small_records: list[int], big: float, big_records: int
) -> tuple[float, float]:
    """(per invocation, per record) from the warm invocations of small batches and one of a big batch."""
    cpu, records = median(small), median(small_records)
    per_record = max(0.0, (big - cpu) / (big_records - records))
    return max(0.0, cpu - per_record * records), per_record


def duration_seconds(cpu_seconds: float, memory_mb: int, wait_seconds: float = 0.0) -> float:
    """Lambda's billed duration: CPU time stretched by the share of a vCPU the memory buys, plus waiting."""
    return cpu_seconds / min(1.0, memory_mb / VCPU_MEMORY_MB) + wait_seconds


def xray_traces(rate: float) -> float:
    """Traces recorded a second at `rate` sampled requests a second, by the default rule."""
    return min(rate, XRAY_RESERVOIR_PER_SECOND) + XRAY_RATE * max(0.0, rate - XRAY_RESERVOIR_PER_SECOND)


def metering_invocations(rate: float, batch: int, window_seconds: float) -> float:
    """Metering invocations a second: a full batch, or what the batching window gathered."""
    if rate * window_seconds >= batch or window_seconds <= 0:
        return rate / batch
    return min(rate, 1 / window_seconds)


def monthly(inputs: Inputs, rate: float) -> dict[str, float]:
    """Dollars a month per line at `rate` requests a second of the mix."""
    p, month, gb = PRICES, MONTH_SECONDS, inputs.memory_mb / 1024
    records = rate * inputs.items_written
    shards = max(1, math.ceil(rate * inputs.write_units / SHARD_WRITE_UNITS))
    stream = min(records, STREAM_POLLS_PER_SECOND * shards)  # invocations a second
    metering = metering_invocations(rate, inputs.metering_batch, inputs.metering_window_seconds)
    invocations = rate + stream + metering
    api_seconds = duration_seconds(  # the waves, then the usage event's send, before it answers
        inputs.api_cpu_seconds, inputs.api_memory_mb, inputs.waves_per_request * WAVE_SECONDS + SEND_SECONDS
    )
    api_gb = inputs.api_memory_mb / 1024
    consumer_cpu = stream * inputs.stream_cpu_per_invocation + records * inputs.stream_cpu_per_record
    consumer_cpu += metering * inputs.metering_cpu_per_invocation + rate * inputs.metering_cpu_per_event
    consumer_seconds = duration_seconds(consumer_cpu, inputs.memory_mb)
    log_bytes = rate * (inputs.api_log_bytes + inputs.access_log_bytes)
    log_bytes += (stream + metering) * inputs.consumer_log_bytes + invocations * PLATFORM_LOG_BYTES
    log_gb = log_bytes * month / 1e9
    # A domain event per booking write on the bus; usage events go to SQS (the sends below), not the bus.
    events = rate * inputs.booking_write_share
    return {
        "API Gateway (REST)": rate * month * p["api_request"],
        "Lambda requests": invocations * month * p["lambda_request"],
        "Lambda GB-seconds (API)": rate * api_seconds * api_gb * month * p["lambda_gb_second"],
        "Lambda GB-seconds (stream mapper, metering)": consumer_seconds * gb * month * p["lambda_gb_second"],
        "DynamoDB writes": rate * inputs.write_units * month * p["dynamodb_write_unit"],
        "DynamoDB reads": rate * inputs.read_units * month * p["dynamodb_read_unit"],
        "EventBridge": events * month * p["eventbridge_event"],
        "SQS (send, receive, delete)": (rate + 2 * metering) * month * p["sqs_request"],
        "CloudWatch Logs (ingest, 1 month stored)": log_gb
        * (p["logs_ingest_gb"] + LOG_RETENTION_MONTHS * p["logs_storage_gb_month"]),
        "X-Ray traces": xray_traces(invocations) * month * p["xray_trace"],
        "WAF requests": rate * month * p["waf_request"],
        "fixed: WAF web ACL and rules": inputs.web_acls * p["waf_web_acl_month"]
        + inputs.web_acl_rules * p["waf_rule_month"],
        "fixed: alarms, dashboards, keys": inputs.alarms * p["alarm_month"]
        + inputs.dashboards * p["dashboard_month"]
        + inputs.kms_keys * p["kms_key_month"],
    }
