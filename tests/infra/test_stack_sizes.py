"""Every stack, the parent and each of the API's sections (nested stacks, infra/api_sections.py), stays well
under CloudFormation's 500 resources, and still does with 40 more routes; a route changed in a section is a
new deployment of the stage, an unchanged table is none."""

from dataclasses import replace
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import infra.api
from infra.stack import KairosStack, add_kairos_stack
from kairos.portal.routes import PORTAL_PREFIX
from kairos.routes import API_PREFIX, ROUTES, Area, Route
from tests.infra.conftest import cdk_context
from tests.infra.nested_templates import StackTemplates, deployed_template, stack_templates
from tests.infra.test_api_construct import resource_key, resource_paths

pytestmark = pytest.mark.xdist_group("infra")

CLOUDFORMATION_LIMIT = 500
# Room kept in every stack. The parent grows with functions, queues and alarms (about 7 resources a
# function), a section with its own routes (3 resources for a route on a new path: the resource, the
# method, ANY), and the parent by one nested stack for a new section.
HEADROOM = 150
RESOURCE_ITEM = f"{API_PREFIX}/resources/{{resource}}"  # the largest section today
NEW_SECTION = f"{API_PREFIX}/extra-section"
# What the parent keeps of the API's paths: the root, the prefixes and the catch-alls.
PARENT_PATHS = {"/", "/{proxy+}", API_PREFIX, PORTAL_PREFIX, f"{PORTAL_PREFIX}/{{proxy+}}"}
# Skipped bundling: the stacks below are compared, never deployed or run.
NO_BUNDLING = {"aws:cdk:bundling-stacks": []}


def more_routes(count: int) -> tuple[Route, ...]:
    """`count` routes, each on a new path: three quarters in the largest section, the rest in a new one."""
    in_largest = count * 3 // 4
    return tuple(
        Route("GET", f"{RESOURCE_ITEM}/extra-{n}", Area.RESOURCES, f"getExtra{n}", None, "extra")
        for n in range(in_largest)
    ) + tuple(
        Route("POST", f"{NEW_SECTION}/{{series}}/part-{n}", Area.BOOKINGS, f"addPart{n}", None, "extra")
        for n in range(count - in_largest)
    )


def build(routes: tuple[Route, ...], outdir: str, **context: str) -> KairosStack:
    """The app's stack, as app.py composes it, with `routes` as the route table and `context` added."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra.api, "ROUTES", routes)
        return add_kairos_stack(cdk.App(context={**cdk_context(), **NO_BUNDLING, **context}, outdir=outdir))


def deployment_id(stack: KairosStack) -> str:
    deployment = stack.api.latest_deployment
    assert deployment is not None
    resource = deployment.node.default_child
    assert isinstance(resource, cdk.CfnElement)
    return str(stack.resolve(resource.logical_id))


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[KairosStack, StackTemplates]:
    stack = build(ROUTES + more_routes(40), str(tmp_path_factory.mktemp("grown")))
    return stack, stack_templates(stack)


def methods(template: Template) -> set[tuple[str, str]]:
    """(resource path, HTTP method) of every method of the template."""
    paths = resource_paths(template)
    return {
        (paths[resource_key(m["Properties"]["ResourceId"])], m["Properties"]["HttpMethod"])
        for m in template.find_resources("AWS::ApiGateway::Method").values()
    }


def test_every_stack_stays_well_under_cloudformations_resource_limit(templates: StackTemplates) -> None:
    sizes = templates.sizes()
    print("\n".join(f"{count:4} {path or 'parent'}" for path, count in sizes.items()))
    assert len(sizes) > 1, "the API's sections are nested stacks"
    for path, count in sizes.items():
        assert count <= CLOUDFORMATION_LIMIT - HEADROOM, f"{path or 'parent'}: {count} resources"


def test_forty_more_routes_still_leave_every_stack_well_under_the_limit(
    grown: tuple[KairosStack, StackTemplates], templates: StackTemplates
) -> None:
    before, after = templates.sizes(), grown[1].sizes()
    print("\n".join(f"{before.get(p, 0):4} -> {n:4} {p or 'parent'}" for p, n in after.items()))
    assert len(after) == len(before) + 1, "the new section is a nested stack of its own"
    for path, count in after.items():
        assert count <= CLOUDFORMATION_LIMIT - HEADROOM, f"{path or 'parent'}: {count} resources"
    assert {(route.path, route.method) for route in more_routes(40)} <= methods(deployed_template(grown[1]))


def test_the_parent_keeps_only_the_prefixes_and_catch_alls_and_each_section_is_one_nested_stack(
    templates: StackTemplates, deployed: Template
) -> None:
    assert set(resource_paths(Template.from_json(dict(templates.parent))).values()) == PARENT_PATHS
    paths = resource_paths(deployed)
    heads = set()
    for stack_id, nested in templates.nested.items():
        kinds = {r["Type"] for r in nested["Resources"].values()}
        assert kinds == {"AWS::ApiGateway::Resource", "AWS::ApiGateway::Method"}, templates.paths[stack_id]
        (head,) = {
            "/".join(paths[f"{stack_id}.{key}"].split("/")[:3])
            for key, resource in nested["Resources"].items()
            if resource["Type"] == "AWS::ApiGateway::Resource"
        }
        heads.add(head)
    assert len(heads) == len(templates.nested)  # no section is split over two stacks


def test_the_stage_is_deployed_after_every_section(templates: StackTemplates, template: Template) -> None:
    (deployment,) = template.find_resources("AWS::ApiGateway::Deployment").values()
    assert templates.nested and set(templates.nested) <= set(deployment["DependsOn"])


def test_a_route_changed_in_a_section_is_a_new_deployment_and_an_unchanged_table_is_none(
    stack: KairosStack, grown: tuple[KairosStack, StackTemplates], tmp_path: Path
) -> None:
    """The deployment's logical id hashes every method, the nested stacks' included: CloudFormation
    creates a new deployment (and points the stage at it) exactly when a method changed. Here one route of
    a section goes to another function."""
    changed = next(r for r in ROUTES if r.path.startswith(RESOURCE_ITEM))
    moved = tuple(replace(r, area=Area.SERVICES) if r is changed else r for r in ROUTES)
    assert deployment_id(build(ROUTES, f"{tmp_path}/same")) == deployment_id(stack)
    assert deployment_id(build(moved, f"{tmp_path}/moved")) != deployment_id(stack)
    assert deployment_id(grown[0]) != deployment_id(stack)
