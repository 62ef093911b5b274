"""The cost model's arithmetic (bench/cost_model.py), not its prices: each line follows from the rate,
the measured inputs and the price list, and scales as AWS bills it."""

import pytest

from bench.cost_model import MONTH_SECONDS, PRICES, Inputs, duration_seconds, monthly, xray_traces

INPUTS = Inputs(
    memory_mb=512,
    api_cpu_seconds=0.010,
    api_log_bytes=1000,
    stream_cpu_seconds=0.005,
    metering_cpu_seconds=0.020,
    consumer_log_bytes=500,
    write_units=6.0,
    read_units=70.0,
    booking_write_share=0.1,
    metering_batch=40,
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
    api_gb_seconds = 1000 * (0.010 * 1769 / 512 + INPUTS.io_wait_seconds) * 0.5 * MONTH_SECONDS
    assert thousand["Lambda GB-seconds (API)"] == pytest.approx(api_gb_seconds * PRICES["lambda_gb_second"])


def test_metering_is_one_invocation_and_two_queue_calls_per_batch() -> None:
    lines = monthly(INPUTS, 40)  # one metering batch a second
    sqs = (40 + 2) * MONTH_SECONDS * PRICES["sqs_request"]
    assert lines["SQS (send, receive, delete)"] == pytest.approx(sqs)
    # 40 API requests, 1 metering batch, and the stream mapper polled 4 times a second on one shard
    assert lines["Lambda requests"] == pytest.approx((40 + 1 + 4) * MONTH_SECONDS * PRICES["lambda_request"])
