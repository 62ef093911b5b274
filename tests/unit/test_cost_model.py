"""The cost model's arithmetic (bench/cost_model.py), not its prices: each line follows from the rate,
the measured inputs and the price list, and scales as AWS bills it."""

import pytest

from bench.cost_model import (
    MONTH_SECONDS,
    PLATFORM_LOG_BYTES,
    PRICES,
    SEND_SECONDS,
    WAVE_SECONDS,
    Inputs,
    consumer_cpu,
    duration_seconds,
    metering_invocations,
    monthly,
    xray_traces,
)

INPUTS = Inputs(
    memory_mb=512,
    api_memory_mb=1024,
    api_cpu_seconds=0.010,
    api_log_bytes=100,
    access_log_bytes=600,
    waves_per_request=3,
    stream_cpu_per_invocation=0.004,
    stream_cpu_per_record=0.001,
    metering_cpu_per_invocation=0.003,
    metering_cpu_per_event=0.0005,
    consumer_log_bytes=500,
    write_units=6.0,
    read_units=70.0,
    items_written=2.0,
    booking_write_share=0.1,
    metering_batch=40,
    metering_window_seconds=5,
    web_acls=1,
    web_acl_rules=3,
    alarms=10,
    dashboards=1,
)


def test_lambda_duration_stretches_cpu_by_the_share_of_a_vcpu_the_memory_buys() -> None:
    assert duration_seconds(0.010, 512) == pytest.approx(0.010 * 1769 / 512)
    assert duration_seconds(0.010, 3538, 0.005) == pytest.approx(0.015)  # a whole vCPU at most


def test_xray_records_one_trace_a_second_then_five_percent() -> None:
    assert xray_traces(0.5) == 0.5
    assert xray_traces(101) == pytest.approx(1 + 5)


def test_request_lines_scale_with_the_rate_and_fixed_lines_do_not() -> None:
    one, thousand = monthly(INPUTS, 1), monthly(INPUTS, 1000)
    assert one["API Gateway (REST)"] == pytest.approx(MONTH_SECONDS * PRICES["api_request"])
    assert thousand["DynamoDB writes"] == pytest.approx(
        1000 * 6 * MONTH_SECONDS * PRICES["dynamodb_write_unit"]
    )
    assert thousand["DynamoDB reads"] == pytest.approx(1000 * one["DynamoDB reads"])
    assert (
        one["fixed: WAF web ACL and rules"]
        == thousand["fixed: WAF web ACL and rules"]
        == pytest.approx(PRICES["waf_web_acl_month"] + 3 * PRICES["waf_rule_month"])
    )
    # 1,024 MB; the waiting: 3 waves, then the usage event's send
    api_gb_seconds = 1000 * (0.010 * 1769 / 1024 + 3 * WAVE_SECONDS + SEND_SECONDS) * 1.0 * MONTH_SECONDS
    assert thousand["Lambda GB-seconds (API)"] == pytest.approx(api_gb_seconds * PRICES["lambda_gb_second"])


def test_metering_runs_per_full_batch_or_per_batching_window() -> None:
    assert metering_invocations(1000, 40, 5) == 25
    assert metering_invocations(1, 40, 5) == pytest.approx(0.2)  # 5 events each, once per window
    assert metering_invocations(0.1, 40, 5) == pytest.approx(0.1)  # one event each


def test_consumers_are_invoked_per_batch_and_pay_cpu_per_record() -> None:
    lines = monthly(INPUTS, 40)  # one metering batch a second; 80 stream records a second
    assert lines["SQS (send, receive, delete)"] == pytest.approx(
        (40 + 2) * MONTH_SECONDS * PRICES["sqs_request"]
    )
    # 40 API requests, 1 metering batch, and the stream mapper polled 4 times a second on one shard
    invocations = 40 + 1 + 4
    assert lines["Lambda requests"] == pytest.approx(invocations * MONTH_SECONDS * PRICES["lambda_request"])
    cpu = 4 * 0.004 + 80 * 0.001 + 1 * 0.003 + 40 * 0.0005
    assert lines["Lambda GB-seconds (stream mapper, metering)"] == pytest.approx(
        cpu * 1769 / 512 * 0.5 * MONTH_SECONDS * PRICES["lambda_gb_second"]
    )
    log_bytes = 40 * (100 + 600) + 5 * 500 + invocations * PLATFORM_LOG_BYTES
    ingest_and_store = PRICES["logs_ingest_gb"] + PRICES["logs_storage_gb_month"]
    assert lines["CloudWatch Logs (ingest, 1 month stored)"] == pytest.approx(
        log_bytes * MONTH_SECONDS / 1e9 * ingest_and_store
    )


def test_only_domain_events_pay_for_the_bus_and_usage_events_are_sqs_sends() -> None:
    lines = monthly(INPUTS, 40)
    domain_events = 40 * INPUTS.booking_write_share
    assert lines["EventBridge"] == pytest.approx(domain_events * MONTH_SECONDS * PRICES["eventbridge_event"])


def test_a_consumers_cpu_splits_into_per_invocation_and_per_record() -> None:
    # batches of one record cost 10.5 ms (median); a batch of 101 records costs 60.5 ms
    per_invocation, per_record = consumer_cpu([0.0100, 0.0105, 0.0110], [1, 1, 1], 0.0605, 101)
    assert per_record == pytest.approx(0.0005)
    assert per_invocation == pytest.approx(0.0100)
