"""The edge in front of the functions: a WAF web ACL on the API's stage, and API Gateway's own answers in
Hapio's error shape (`{"message": ...}`, kairos/api/errors.py), with Retry-After where waiting helps.

The web ACL's rate-based rules count requests over one sliding window (`wafWindowSeconds`) and block
what goes over with the functions' own 429 (`{"message": "Too Many Attempts."}`, Retry-After: the window,
by which the count has fallen under the limit):
1. per token: each Authorization header value (WAF leaves requests without one out of this rule);
2. per address without a token: requests with no (or an empty) Authorization header, by source address;
3. per address: every request of an address, a ceiling for a caller that makes up a new token for each
   request (each of its junk tokens would stay under rule 1, and each request would cost a function).
The limits sit above what a project's plan admits (the functions answer that with their own 429 and
rate-limit headers): the web ACL stops floods before they cost Lambda and DynamoDB, not customers.

Gateway responses: API Gateway's stage throttle (429, Retry-After: 1), a function it cannot invoke (its
reserved concurrency in use: 503, Retry-After: 1), and every other error API Gateway answers itself
(timeouts, a request too large, ...) keep their status with Hapio's body and the functions' CORS header."""

import json

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constants import API_NAME
from infra.settings import EdgeLimits
from kairos.api.http import BASE_HEADERS
from kairos.errors import RateLimited

TOO_MANY = "too-many-requests"  # the web ACL's custom response body, by key
AUTHORIZATION = "authorization"
BUSY_MESSAGE = "The service is busy; try again."
GATEWAY_MESSAGE = "$context.error.messageString"  # API Gateway's own message, as a JSON string


def hapio_error(message: str) -> str:
    """The body of an error answered by the gateway: a JSON literal, or API Gateway's message variable."""
    return f'{{"message": {message}}}' if message.startswith("$") else json.dumps({"message": message})


class KairosEdge(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, api: apigw.RestApi, limits: EdgeLimits
    ) -> None:
        super().__init__(scope, construct_id)
        self.web_acl = self._web_acl(limits)
        wafv2.CfnWebACLAssociation(
            self,
            "Association",
            resource_arn=api.deployment_stage.stage_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
        self._gateway_responses(api)

    def _web_acl(self, limits: EdgeLimits) -> wafv2.CfnWebACL:
        too_many = str(RateLimited(retry_after=limits.waf_window_seconds, limit=0))
        block = wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429,
                    custom_response_body_key=TOO_MANY,
                    response_headers=[
                        wafv2.CfnWebACL.CustomHTTPHeaderProperty(name=name, value=value)
                        for name, value in {
                            **BASE_HEADERS,
                            "retry-after": str(limits.waf_window_seconds),
                        }.items()
                    ],
                )
            )
        )
        no_token = wafv2.CfnWebACL.StatementProperty(
            not_statement=wafv2.CfnWebACL.NotStatementProperty(
                statement=wafv2.CfnWebACL.StatementProperty(
                    size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                            single_header={"Name": AUTHORIZATION}
                        ),
                        comparison_operator="GT",
                        size=0,
                        text_transformations=[_NO_TRANSFORMATION],
                    )
                )
            )
        )
        per_token = wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=limits.waf_per_token,
            evaluation_window_sec=limits.waf_window_seconds,
            aggregate_key_type="CUSTOM_KEYS",
            custom_keys=[
                wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
                    header=wafv2.CfnWebACL.RateLimitHeaderProperty(
                        name=AUTHORIZATION, text_transformations=[_NO_TRANSFORMATION]
                    )
                )
            ],
        )
        per_anonymous_address = wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=limits.waf_per_anonymous_address,
            evaluation_window_sec=limits.waf_window_seconds,
            aggregate_key_type="IP",
            scope_down_statement=no_token,
        )
        per_address = wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=limits.waf_per_address,
            evaluation_window_sec=limits.waf_window_seconds,
            aggregate_key_type="IP",
        )
        rules = [
            ("per-token", per_token),
            ("per-anonymous-address", per_anonymous_address),
            ("per-address", per_address),
        ]
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=API_NAME,
            description="Kairos API: per-token and per-address rate limits in front of the functions",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            custom_response_bodies={
                TOO_MANY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=hapio_error(too_many)
                )
            },
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name=name,
                    priority=priority,
                    statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=statement),
                    action=block,
                    visibility_config=_visibility(f"{API_NAME}-{name}"),
                )
                for priority, (name, statement) in enumerate(rules)
            ],
            visibility_config=_visibility(API_NAME),
        )

    def _gateway_responses(self, api: apigw.RestApi) -> None:
        cors = {name.title(): f"'{value}'" for name, value in BASE_HEADERS.items()}
        retry = {**cors, "Retry-After": "'1'"}
        too_many = str(RateLimited(retry_after=1, limit=0))
        for construct_id, response_type, status, headers, message in (
            ("Throttled", apigw.ResponseType.THROTTLED, "429", retry, too_many),
            ("Unavailable", apigw.ResponseType.INTEGRATION_FAILURE, "503", retry, BUSY_MESSAGE),
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX, None, cors, GATEWAY_MESSAGE),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX, None, cors, GATEWAY_MESSAGE),
        ):
            api.add_gateway_response(
                construct_id,
                type=response_type,
                status_code=status,
                response_headers=headers,
                templates={"application/json": hapio_error(message)},
            )


_NO_TRANSFORMATION = wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    """CloudWatch metrics per rule (blocked and counted requests) and sampled requests in the console."""
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )
