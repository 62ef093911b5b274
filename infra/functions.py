"""One Lambda function per API area, all made by one factory, each with only the table access it needs."""

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
from infra.references import logical_id
from infra.settings import stack_settings
from kairos.routes import Area
from kairos.storage import keys

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
# Every project's rate-limit partition, built by the key module itself so the two cannot disagree.
RATE_COUNTER_PARTITIONS = keys.rate_counter("*", "")["PK"]
USAGE_PARTITIONS = keys.usage_partition("*")


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
            scope, name=area.value, description=f"Kairos API, {area.value} area", table=table, layer=layer
        )
        _grant_table_access(area, table, function, scope)
        return function


def kairos_function(
    scope: Construct,
    *,
    name: str,
    description: str,
    table: dynamodb.ITable,
    layer: lambda_.ILayerVersion,
    timeout: Duration = FUNCTION_TIMEOUT,
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
        memory_size=FUNCTION_MEMORY_MB,
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


def acknowledge_index_access(scope: Construct, table: dynamodb.ITable) -> None:
    """grant_read(_write)_data covers the table's indexes: cdk-nag's wildcard finding, with the reason."""
    Validations.of(scope).acknowledge(
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{logical_id(table)}.Arn>/index/*]",
            reason="The table's own indexes (`<table>/index/*`, today GSI1-4): listings and lookups query "
            "them. No other table is reachable.",
        )
    )


def _grant_table_access(
    area: Area, table: dynamodb.Table, function: lambda_.Function, scope: Construct
) -> None:
    """The project area only authenticates (GetItem on a token and its project), counts the request in
    the project's request counter (UpdateItem, limited by a leading-keys condition to rate-counter
    partitions) and reads the usage counters (Query on usage partitions); it never writes projects, tokens
    or catalogue items. The catalogue areas read and write their
    entities (queries on the table and GSI1, transactions, batch deletes): grant_read_write_data."""
    if area is Area.PROJECT:
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem"], resources=[table.table_arn])
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],
                resources=[table.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [RATE_COUNTER_PARTITIONS]}},
            )
        )
        function.add_to_role_policy(  # GET /v1/project/usage, and a new month's quota counter, read these
            iam.PolicyStatement(
                actions=["dynamodb:Query"],
                resources=[table.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [USAGE_PARTITIONS]}},
            )
        )
        return
    table.grant_read_write_data(function)
    acknowledge_index_access(scope, table)


def _booking_lists(scope: Construct) -> dict[str, str]:
    """`-c bookingLists=project` while a stack is upgraded (kairos.config.Settings reads it)."""
    chosen = scope.node.try_get_context(BOOKING_LISTS_CONTEXT_KEY)
    return {BOOKING_LISTS_ENV: str(chosen)} if chosen is not None else {}
