"""Upgrading a stack deployed before the API's sections (nested stacks): the first step
(`-c keepApiDeployment=<id>`) builds the sections under a parking path and keeps the deployment the stage
serves, so the routes leave the parent while the stage still answers them; a plain deploy then moves the
sections under their prefixes."""

from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from infra.api_sections import PARKING
from infra.constants import KEEP_API_DEPLOYMENT_CONTEXT_KEY
from infra.stack import KairosStack
from kairos.portal.routes import PORTAL_ROUTES
from kairos.routes import ROUTES
from tests.infra.nested_templates import deployed_template, nested_stacks, stack_templates
from tests.infra.test_api_construct import resource_paths
from tests.infra.test_stack_sizes import PARENT_PATHS, build, deployment_id

pytestmark = pytest.mark.xdist_group("infra")


def test_the_first_step_parks_the_sections_and_keeps_the_stages_deployment(
    stack: KairosStack, tmp_path: Path
) -> None:
    """The stage keeps the deployment in place (same logical id, same properties: CloudFormation leaves it
    and the stage alone), while the routes move out of the parent to sections under a path no
    deployment serves; the next plain deploy moves them under their prefixes (test_api_construct)."""
    deployed = deployment_id(stack)[:-32] + "0123456789abcdef" * 2  # a deployment of this API, not today's
    step = build(ROUTES, str(tmp_path), **{KEEP_API_DEPLOYMENT_CONTEXT_KEY: deployed})
    templates = stack_templates(step)
    parent = Template.from_json(dict(templates.parent))
    assert list(parent.find_resources("AWS::ApiGateway::Deployment")) == [deployed]
    (stage,) = parent.find_resources("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["DeploymentId"] == {"Ref": deployed}
    assert len(templates.nested) == len(nested_stacks(stack))
    paths = set(resource_paths(deployed_template(templates)).values())
    routes = {route.path for route in (*ROUTES, *PORTAL_ROUTES)}
    assert {PARKING + path for path in routes} <= paths
    assert not routes & paths
    assert {path for path in paths if not path.startswith(PARKING)} == PARENT_PATHS


@pytest.mark.parametrize("given", ["", "Deployment", "ApiDeploymentF06CCCE0", "Api" + "0" * 32])
def test_a_kept_deployment_that_is_not_this_apis_stops_the_synthesis(tmp_path: Path, given: str) -> None:
    with pytest.raises(ValueError, match=KEEP_API_DEPLOYMENT_CONTEXT_KEY):
        build(ROUTES, str(tmp_path), **{KEEP_API_DEPLOYMENT_CONTEXT_KEY: given})
