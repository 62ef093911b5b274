"""The edge: a WAF web ACL on the stage with per-token and per-address rate limits from the settings, and
every answer API Gateway or WAF gives itself in Hapio's error shape, with Retry-After where waiting helps."""

import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.references import logical_id
from infra.settings import EdgeLimits, stack_settings
from infra.stack import KairosStack
from kairos.api.errors import error_response
from kairos.errors import RateLimited

pytestmark = pytest.mark.xdist_group("infra")

GATEWAY_MESSAGE = "$context.error.messageString"


@pytest.fixture(scope="module")
def limits(stack: KairosStack) -> EdgeLimits:
    return stack_settings(stack).edge


@pytest.fixture(scope="module")
def web_acl(template: Template) -> Mapping[str, Any]:
    (acl,) = template.find_resources("AWS::WAFv2::WebACL").values()
    return dict(acl["Properties"])


def rule(web_acl: Mapping[str, Any], name: str) -> dict[str, Any]:
    (found,) = [r for r in web_acl["Rules"] if r["Name"] == name]
    return dict(found)


def hapio_body(template: str) -> dict[str, Any]:
    """A response template's body as a client reads it (API Gateway's message variable is a JSON string)."""
    parsed: dict[str, Any] = json.loads(template.replace(GATEWAY_MESSAGE, '"Endpoint request timed out"'))
    return parsed


def test_the_web_acl_guards_the_api_stage(
    template: Template, stack: KairosStack, web_acl: Mapping[str, Any]
) -> None:
    assert web_acl["Scope"] == "REGIONAL"
    assert web_acl["DefaultAction"] == {"Allow": {}}
    (association,) = template.find_resources("AWS::WAFv2::WebACLAssociation").values()
    properties = association["Properties"]
    assert properties["WebACLArn"] == {"Fn::GetAtt": [stack.resolve(stack.edge.web_acl.logical_id), "Arn"]}
    arn = properties["ResourceArn"]["Fn::Join"][1]
    assert {"Ref": logical_id(stack.api)} in arn
    assert {"Ref": logical_id(stack.api.deployment_stage)} in arn


def test_each_token_is_rate_limited_on_its_own(web_acl: Mapping[str, Any], limits: EdgeLimits) -> None:
    """Keyed on the whole Authorization header: one project's tokens never share a count with another's,
    and a request without the header is left to the per-address rules."""
    statement = rule(web_acl, "per-token")["Statement"]["RateBasedStatement"]
    assert statement["AggregateKeyType"] == "CUSTOM_KEYS"
    assert statement["CustomKeys"] == [
        {"Header": {"Name": "authorization", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}
    ]
    assert (statement["Limit"], statement["EvaluationWindowSec"]) == (
        limits.waf_per_token,
        limits.waf_window_seconds,
    )


def test_requests_without_a_token_are_rate_limited_per_address(
    web_acl: Mapping[str, Any], limits: EdgeLimits
) -> None:
    statement = rule(web_acl, "per-anonymous-address")["Statement"]["RateBasedStatement"]
    assert statement["AggregateKeyType"] == "IP"
    assert (statement["Limit"], statement["EvaluationWindowSec"]) == (
        limits.waf_per_anonymous_address,
        limits.waf_window_seconds,
    )
    has_token = statement["ScopeDownStatement"]["NotStatement"]["Statement"]["SizeConstraintStatement"]
    assert has_token["FieldToMatch"] == {"SingleHeader": {"Name": "authorization"}}
    assert (has_token["ComparisonOperator"], has_token["Size"]) == ("GT", 0)


def test_an_address_making_up_tokens_still_meets_a_ceiling(
    web_acl: Mapping[str, Any], limits: EdgeLimits
) -> None:
    statement = rule(web_acl, "per-address")["Statement"]["RateBasedStatement"]
    assert statement == {
        "AggregateKeyType": "IP",
        "Limit": limits.waf_per_address,
        "EvaluationWindowSec": limits.waf_window_seconds,
    }
    assert limits.waf_per_anonymous_address < limits.waf_per_token <= limits.waf_per_address


def test_a_blocked_request_gets_the_functions_own_429_with_retry_after(
    web_acl: Mapping[str, Any], limits: EdgeLimits
) -> None:
    function_answer = error_response(RateLimited(retry_after=limits.waf_window_seconds, limit=100))
    for blocking in web_acl["Rules"]:
        response = blocking["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        body = web_acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
        assert body["ContentType"] == "APPLICATION_JSON"
        assert json.loads(body["Content"]) == json.loads(str(function_answer.body))
        headers = {h["Name"]: h["Value"] for h in response["ResponseHeaders"]}
        assert headers["retry-after"] == str(
            limits.waf_window_seconds
        )  # by then the count is under the limit
        assert headers["access-control-allow-origin"] == "*"  # a browser client can read it
        assert blocking["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True


@pytest.fixture(scope="module")
def gateway_responses(template: Template) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["ResponseType"]: dict(r["Properties"])
        for r in template.find_resources("AWS::ApiGateway::GatewayResponse").values()
    }


def test_api_gateways_throttle_answers_like_the_functions_429(
    gateway_responses: dict[str, dict[str, Any]],
) -> None:
    throttled = gateway_responses["THROTTLED"]
    assert throttled["StatusCode"] == "429"
    assert hapio_body(throttled["ResponseTemplates"]["application/json"]) == {"message": "Too Many Attempts."}
    assert throttled["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"


def test_a_function_that_cannot_be_invoked_is_a_503_to_retry(
    gateway_responses: dict[str, dict[str, Any]],
) -> None:
    """Its reserved concurrency in use, Lambda refuses the invocation: API Gateway's 504 becomes a 503 that
    says when to come back."""
    unavailable = gateway_responses["INTEGRATION_FAILURE"]
    assert unavailable["StatusCode"] == "503"
    assert set(hapio_body(unavailable["ResponseTemplates"]["application/json"])) == {"message"}
    assert unavailable["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"


def test_every_answer_of_the_gateway_itself_is_in_hapios_shape(
    gateway_responses: dict[str, dict[str, Any]],
) -> None:
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(gateway_responses)
    for kind, response in gateway_responses.items():
        body = hapio_body(response["ResponseTemplates"]["application/json"])
        assert list(body) == ["message"] and isinstance(body["message"], str), kind
        assert (
            response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'"
        ), kind
    for default in ("DEFAULT_4XX", "DEFAULT_5XX"):  # each keeps API Gateway's status and message
        assert "StatusCode" not in gateway_responses[default]
        assert GATEWAY_MESSAGE in gateway_responses[default]["ResponseTemplates"]["application/json"]
