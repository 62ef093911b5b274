"""The REST API is the route table: every route, and nothing else, plus the ANY methods that make unknown
routes and wrong methods reach a function (JSON 404 and 405) instead of API Gateway's own error bodies."""

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.constants import (
    OUTPUT_API_URL,
    OUTPUT_SITE_URL,
    OUTPUT_TABLE_NAME,
    OUTPUT_USER_POOL_CLIENT_ID,
    OUTPUT_USER_POOL_ID,
    STAGE_NAME,
)
from infra.references import logical_id
from infra.settings import stack_settings
from infra.stack import KairosStack
from kairos.portal.routes import PortalArea, is_portal_path
from kairos.routes import FALLBACK_AREA, ROUTES, Area

pytestmark = pytest.mark.xdist_group("infra")

ROOT = "/"
CATCH_ALL = "/{proxy+}"

Methods = dict[tuple[str, str], Area | PortalArea]


@pytest.fixture(scope="module")
def methods(deployed: Template, stack: KairosStack) -> Methods:
    """(resource path, HTTP method) -> the area whose function the method invokes, read from the template
    of the parent stack and of the API's sections (nested stacks)."""
    area_of_function: dict[str, Area | PortalArea] = {
        logical_id(f): area for area, f in [*stack.functions.items(), *stack.portal.functions.items()]
    }
    paths = resource_paths(deployed)
    found: Methods = {}
    for method in deployed.find_resources("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        assert properties["Integration"]["Type"] == "AWS_PROXY"
        key = (paths[resource_key(properties["ResourceId"])], properties["HttpMethod"])
        assert key not in found, f"{key} is defined twice"
        found[key] = area_of_function[invoked_function(properties["Integration"]["Uri"])]
    return found


def resource_key(reference: dict[str, Any]) -> str:
    """A resource's logical id, or ROOT for the API's root resource (referenced through GetAtt)."""
    return str(reference.get("Ref", ROOT))


def resource_paths(template: Template) -> dict[str, str]:
    """Logical id -> full path of every API resource, rebuilt from each resource's parent and path part."""
    resources = template.find_resources("AWS::ApiGateway::Resource")

    def path(key: str) -> str:
        if key == ROOT:
            return ""
        properties = resources[key]["Properties"]
        return f"{path(resource_key(properties['ParentId']))}/{properties['PathPart']}"

    return {ROOT: ROOT} | {key: path(key) for key in resources}


def invoked_function(uri: dict[str, Any]) -> str:
    (function,) = [
        part["Fn::GetAtt"][0]
        for part in uri["Fn::Join"][1]
        if isinstance(part, dict) and "Fn::GetAtt" in part
    ]
    return str(function)


def test_every_route_is_a_method_on_its_path_integrated_with_its_area(methods: Methods) -> None:
    for route in ROUTES:
        assert methods.get((route.path, route.method)) == route.area, f"{route.method} {route.path}"


def public(path: str) -> bool:
    """Not the Portal's (tests/infra/test_portal_construct.py)."""
    return not is_portal_path(path)


def test_no_method_exists_beyond_the_route_table_and_the_any_catch_alls(methods: Methods) -> None:
    specific = {key for key in methods if key[1] != "ANY" and public(key[0])}
    assert specific == {(route.path, route.method) for route in ROUTES}


def test_any_on_each_resource_reaches_the_function_that_owns_the_path(
    methods: Methods, deployed: Template
) -> None:
    """A wrong method on a known path is answered 405 by the path's own area; a path that carries no route
    (such as /v1) and any unknown path go to the fallback area, which answers 404."""
    owners = {route.path: route.area for route in ROUTES}
    for path in {p for p in resource_paths(deployed).values() if public(p)} - {ROOT, CATCH_ALL}:
        assert methods[(path, "ANY")] == owners.get(path, FALLBACK_AREA), path
    assert methods[(ROOT, "ANY")] == FALLBACK_AREA
    assert methods[(CATCH_ALL, "ANY")] == FALLBACK_AREA


def test_stage_is_regional_traced_logged_and_throttled(template: Template, stack: KairosStack) -> None:
    limits = stack_settings(stack).edge
    template.has_resource_properties(
        "AWS::ApiGateway::RestApi", {"EndpointConfiguration": {"Types": ["REGIONAL"]}}
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": STAGE_NAME,
            "TracingEnabled": True,
            "AccessLogSetting": {
                "DestinationArn": Match.any_value(),
                "Format": Match.string_like_regexp(r"\$context\.requestId"),
            },
            "MethodSettings": [
                Match.object_like(
                    {
                        "HttpMethod": "*",
                        "ResourcePath": "/*",
                        "DataTraceEnabled": False,
                        "LoggingLevel": "ERROR",
                        "ThrottlingRateLimit": limits.stage_rate,
                        "ThrottlingBurstLimit": limits.stage_burst,
                    }
                )
            ],
        },
    )


def test_outputs_name_the_api_the_table_the_pool_and_the_site(template: Template, stack: KairosStack) -> None:
    outputs = template.find_outputs("*")
    assert set(outputs) == {
        OUTPUT_API_URL,
        OUTPUT_TABLE_NAME,
        OUTPUT_USER_POOL_ID,
        OUTPUT_USER_POOL_CLIENT_ID,
        OUTPUT_SITE_URL,
    }
    assert outputs[OUTPUT_TABLE_NAME]["Value"] == {"Ref": logical_id(stack.table)}
    assert {"Ref": logical_id(stack.api)} in outputs[OUTPUT_API_URL]["Value"]["Fn::Join"][1]
