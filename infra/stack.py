"""The Kairos stack: it only composes the constructs (table, layer, functions, API and its edge, event path,
the Portal's back end and its web app's static site, monitoring) and names its outputs."""

import os

from aws_cdk import App, CfnOutput, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from infra.api import KairosApi
from infra.constants import (
    API_ID,
    EDGE_ID,
    EVENTS_ID,
    FUNCTIONS_ID,
    LAYER_ID,
    MONITORING_ID,
    OUTPUT_API_URL,
    OUTPUT_SITE_URL,
    OUTPUT_TABLE_NAME,
    OUTPUT_USER_POOL_CLIENT_ID,
    OUTPUT_USER_POOL_ID,
    PORTAL_ID,
    REGION,
    REGION_CONTEXT_KEY,
    SITE_ID,
    STACK_DESCRIPTION,
    STACK_ID,
    TABLE_ID,
)
from infra.edge import KairosEdge
from infra.events import KairosEvents
from infra.functions import AreaFunctions
from infra.layer import KairosLayer
from infra.monitoring import KairosMonitoring, Watched
from infra.portal import KairosPortal
from infra.portal_site import PortalSite
from infra.settings import stack_settings
from infra.table import KairosTable
from kairos.events.definitions import STREAM_CONSUMER
from kairos.portal.routes import PortalArea
from kairos.portal.site_config import site_config


class KairosStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, env: Environment | None = None) -> None:
        super().__init__(scope, construct_id, description=STACK_DESCRIPTION, env=env)
        self.table = KairosTable(self, TABLE_ID).table
        layer = KairosLayer(self, LAYER_ID).layer
        self.functions = AreaFunctions(self, FUNCTIONS_ID, table=self.table, layer=layer).by_area
        settings = stack_settings(self)
        self.api = KairosApi(self, API_ID, functions=self.functions, limits=settings.edge).rest_api
        self.edge = KairosEdge(self, EDGE_ID, api=self.api, limits=settings.edge)
        self.events = KairosEvents(
            self, EVENTS_ID, table=self.table, layer=layer, api_functions=self.functions
        )
        self.site = PortalSite(self, SITE_ID, api=self.api)
        self.portal = KairosPortal(
            self, PORTAL_ID, table=self.table, layer=layer, api=self.api, site_url=self.site.url
        )
        self.site.publish(
            site_config(
                self.api.url,
                self.region,
                self.portal.user_pool.user_pool_id,
                self.portal.client.user_pool_client_id,
            )
        )
        self.events.allow_redelivery(self.portal.functions[PortalArea.PORTAL])
        watched = Watched(
            api=self.api,
            functions={
                **{area.value: function for area, function in self.functions.items()},
                **{area.value: function for area, function in self.portal.functions.items()},
                STREAM_CONSUMER: self.events.stream_mapper,
                **self.events.consumers,
            },
            table=self.table,
            stream_mapper=self.events.stream_mapper,
            queues=list(self.events.queues.values()),
            queue_alarms=self.events.alarms,
        )
        self.monitoring = KairosMonitoring(self, MONITORING_ID, watched=watched)
        CfnOutput(self, OUTPUT_API_URL, value=self.api.url, description="Base URL (routes start with /v1)")
        CfnOutput(self, OUTPUT_TABLE_NAME, value=self.table.table_name, description="The DynamoDB table")
        CfnOutput(
            self, OUTPUT_USER_POOL_ID, value=self.portal.user_pool.user_pool_id, description="Portal users"
        )
        CfnOutput(
            self,
            OUTPUT_USER_POOL_CLIENT_ID,
            value=self.portal.client.user_pool_client_id,
            description="The Portal's app client",
        )
        CfnOutput(self, OUTPUT_SITE_URL, value=self.site.url, description="The Portal web app (CloudFront)")


def add_kairos_stack(app: App) -> KairosStack:
    """The app's one stack, checked by cdk-nag's AWS Solutions pack at every synthesis. cdk-nag 3 is a CDK
    policy-validation plugin: synthesis fails on any finding the constructs have not acknowledged, and each
    acknowledgment (`Validations.of(construct).acknowledge`) sits next to the resource it concerns."""
    stack = KairosStack(app, STACK_ID, env=stack_environment(app))
    check_with_cdk_nag(app)
    return stack


def check_with_cdk_nag(app: App) -> None:
    """AWS Solutions checks on every resource of the app's construct tree at synthesis, nested stacks (the
    API's sections) included."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def stack_environment(scope: Construct) -> Environment:
    """The account the CLI resolved (none: an environment-agnostic template) and the design's region unless
    `-c region=...` names another. CDK_DEFAULT_REGION is not consulted: the CLI fills it with us-east-1
    when no region is configured, which would silently move the stack out of eu-central-1."""
    region = scope.node.try_get_context(REGION_CONTEXT_KEY) or REGION
    return Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)
