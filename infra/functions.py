"""One Lambda function per API area, all made by one factory, each with only the table access it needs
(infra/table_access.py)."""

from collections.abc import Mapping

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import (
    ARCHITECTURE,
    BOOKING_LISTS_CONTEXT_KEY,
    BOOKING_LISTS_ENV,
    FUNCTION_HANDLER,
    FUNCTION_MEMORY_MB,
    FUNCTION_NAME_PREFIX,
    FUNCTION_TIMEOUT,
    FUNCTIONS_DIR,
    LOG_RETENTION,
    POWERTOOLS_METRICS_NAMESPACE,
    POWERTOOLS_SERVICE_NAME,
    RUNTIME,
    SOURCE_EXCLUDES,
    TABLE_NAME_ENV,
    TRACER_SETTINGS,
)
from infra.settings import stack_settings
from infra.table_access import grant_table_access
from kairos.routes import Area

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"


class AreaFunctions(Construct):
    """The functions behind the API, keyed by area; `by_area` is what the API construct integrates."""

    def __init__(
        self, scope: Construct, construct_id: str, *, table: dynamodb.Table, layer: lambda_.ILayerVersion
    ) -> None:
        super().__init__(scope, construct_id)
        self.by_area: dict[Area, lambda_.Function] = {
            area: self._area_function(area, table, layer) for area in Area
        }

    def _area_function(
        self, area: Area, table: dynamodb.Table, layer: lambda_.ILayerVersion
    ) -> lambda_.Function:
        scope = Construct(self, area.value.capitalize())
        function = kairos_function(
            scope,
            name=area.value,
            description=f"Kairos API, {area.value} area",
            table=table,
            layer=layer,
            memory_mb=stack_settings(scope).area_memory_mb(area),
        )
        grant_table_access(function, table, area.value, scope)
        return function


def kairos_function(
    scope: Construct,
    *,
    name: str,
    description: str,
    table: dynamodb.ITable,
    layer: lambda_.ILayerVersion,
    timeout: Duration = FUNCTION_TIMEOUT,
    memory_mb: int = FUNCTION_MEMORY_MB,
    environment: Mapping[str, str] | None = None,
) -> lambda_.Function:
    """The function `functions/<name>/` with its own role and log group: the role starts empty (no managed
    policy), so each permission the caller grants is one the function really uses. Its reserved concurrency
    is the settings' (infra/settings.py): the instances it always has, and its ceiling."""
    role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal(LAMBDA_PRINCIPAL))
    log_group = logs.LogGroup(scope, "Logs", retention=LOG_RETENTION)
    log_group.grant_write(role)
    function = lambda_.Function(
        scope,
        "Function",
        function_name=f"{FUNCTION_NAME_PREFIX}-{name}",
        description=description,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        handler=FUNCTION_HANDLER,
        code=lambda_.Code.from_asset(str(FUNCTIONS_DIR / name), exclude=SOURCE_EXCLUDES),
        layers=[layer],
        memory_size=memory_mb,
        timeout=timeout,
        reserved_concurrent_executions=stack_settings(scope).reserved(name),
        tracing=lambda_.Tracing.ACTIVE,
        role=role,
        log_group=log_group,
        environment={
            TABLE_NAME_ENV: table.table_name,
            "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": POWERTOOLS_METRICS_NAMESPACE,
            **TRACER_SETTINGS,
            **_booking_lists(scope),
            **(environment or {}),
        },
    )
    Validations.of(scope).acknowledge(
        Acknowledgment(
            id="AwsSolutions-L1",
            reason="Python 3.11 on purpose: the project targets it (requires-python <3.12) and the "
            "layer's wheels are built for it; a newer runtime is a deliberate upgrade of all three.",
        ),
        Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Active tracing: xray:PutTraceSegments and PutTelemetryRecords have no resource-level "
            "permissions, so AWS requires Resource '*' for them.",
        ),
    )
    return function


def _booking_lists(scope: Construct) -> dict[str, str]:
    """`-c bookingLists=project` while a stack is upgraded (kairos.config.Settings reads it)."""
    chosen = scope.node.try_get_context(BOOKING_LISTS_CONTEXT_KEY)
    return {BOOKING_LISTS_ENV: str(chosen)} if chosen is not None else {}
