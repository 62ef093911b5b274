"""The REST API, built from the route table in `kairos.routes`: no route is written here.

API Gateway picks a resource's specific method before its ANY method, and a resource before the greedy
`{proxy+}`, so three kinds of method give the Hapio answers without API Gateway's own error bodies:
- each route is a method on its path, integrated with its area's function;
- ANY on every path of the table goes to the function that owns the path, which answers a wrong method
  with a JSON 405 listing the allowed ones (ANY on intermediate paths such as /v1 goes to the fallback);
- ANY on the root and on `/{proxy+}` goes to the fallback area's function, which answers a JSON 404.
"""

import json

from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.api_sections import ApiSections, keep_deployment
from infra.constants import API_NAME, LOG_RETENTION, STAGE_NAME
from infra.settings import EdgeLimits
from kairos.routes import API_PREFIX, FALLBACK_AREA, ROUTES, Area

ANY = "ANY"
PROXY_PATH = "/{proxy+}"

# One JSON line per request. requestId is the correlation id of the function's Powertools logs, and
# awsEndpointRequestId the Lambda request id, so a request can be followed from the gateway into the code.
ACCESS_LOG_FIELDS = {
    "requestId": apigw.AccessLogField.context_request_id(),
    "extendedRequestId": apigw.AccessLogField.context_extended_request_id(),
    "lambdaRequestId": apigw.AccessLogField.context_aws_endpoint_request_id(),
    "xrayTraceId": apigw.AccessLogField.context_xray_trace_id(),
    "requestTime": apigw.AccessLogField.context_request_time(),
    "ip": apigw.AccessLogField.context_identity_source_ip(),
    "userAgent": apigw.AccessLogField.context_identity_user_agent(),
    "httpMethod": apigw.AccessLogField.context_http_method(),
    "resourcePath": apigw.AccessLogField.context_resource_path(),
    "path": apigw.AccessLogField.context_path(),
    "status": apigw.AccessLogField.context_status(),
    "responseLength": apigw.AccessLogField.context_response_length(),
    "responseLatency": apigw.AccessLogField.context_response_latency(),
    "integrationStatus": apigw.AccessLogField.context_integration_status(),
    "integrationLatency": apigw.AccessLogField.context_integration_latency(),
    "errorMessage": apigw.AccessLogField.context_error_message(),
}


def resource_owners() -> dict[str, Area]:
    """Every resource path the route table creates, with the area whose function answers ANY on it: the
    area of the path's routes, or the fallback for intermediate paths that carry no route (such as /v1)."""
    areas: dict[str, Area] = {}
    for route in ROUTES:
        segments = route.path.strip("/").split("/")
        for depth in range(1, len(segments)):
            areas.setdefault("/" + "/".join(segments[:depth]), FALLBACK_AREA)
        areas[route.path] = route.area
    return areas


class KairosApi(Construct):
    """A regional REST API with one stage, access logs, X-Ray tracing and stage-wide throttling (the
    settings' `stageRateLimit` and `stageBurstLimit`). CORS is not configured here: the functions add the
    CORS headers to every response, and the edge (infra/edge.py) to API Gateway's own answers."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[Area, lambda_.Function],
        limits: EdgeLimits,
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION)
        self.rest_api = apigw.RestApi(
            self,
            "Resource",
            rest_api_name=API_NAME,
            description="Kairos booking API (Hapio-compatible).",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Access logs need the account-wide API Gateway logging role; this stack sets it up.
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full bodies would put bearer tokens and customer data in logs
                tracing_enabled=True,
                throttling_rate_limit=limits.stage_rate,
                throttling_burst_limit=limits.stage_burst,
            ),
        )
        # The stack's ApiUrl output replaces the output RestApi adds under a generated name.
        self.rest_api.node.try_remove_child("Endpoint")
        # One integration per function, granting API Gateway once per function for the whole API: one
        # permission per method would overflow the function's 20 KB resource policy.
        integrations = {
            area: apigw.LambdaIntegration(function, scope_permission_to_method=False)
            for area, function in functions.items()
        }
        # Each section of the table's paths is a nested stack (infra/api_sections.py).
        sections = ApiSections(self, "Routes", api=self.rest_api, prefix=API_PREFIX)
        for route in ROUTES:
            sections.resource_for_path(route.path).add_method(route.method, integrations[route.area])
        for path, area in resource_owners().items():
            sections.resource_for_path(path).add_method(ANY, integrations[area])
        keep_deployment(self.rest_api)
        root = self.rest_api.root
        for catch_all in (root, root.add_resource(PROXY_PATH.strip("/"))):
            catch_all.add_method(ANY, integrations[FALLBACK_AREA])
        Validations.of(self).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG2",
                reason="Requests are validated by the functions (pydantic models), which answer with Hapio's "
                "422 error bodies; API Gateway's validator would answer in its own format.",
            ),
            Acknowledgment(
                id="AwsSolutions-APIG4",
                reason="Hapio-compatible bearer tokens: each function authenticates the token against the "
                "table (stored as hashes) before anything else; an authorizer would add a second lookup.",
            ),
            Acknowledgment(
                id="AwsSolutions-COG4",
                reason="API clients are projects holding Hapio bearer tokens, not Cognito users.",
            ),
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="AWS's own policy for the account-wide API Gateway logging role that access and "
                "execution logs require; it only allows writing to CloudWatch Logs.",
            ),
        )
