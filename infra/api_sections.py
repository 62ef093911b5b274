"""The REST API's resource tree, split into nested stacks by section so that routes never push a stack
towards CloudFormation's 500 resources.

A section is a path's first segment below an API's prefix: `/v1/resources`, `/portal/projects`. Each
section's resources and methods (whatever their depth) are one nested stack of the API's construct; the
prefix itself (`/v1`, `/portal`), its `{proxy+}` catch-all and the root stay in the parent stack with the
RestApi. So a stack's size follows one section's routes, and a new section is a new nested stack.

Why the placement is a function of the path alone: API Gateway refuses two resources of one path, and
CloudFormation updates sibling nested stacks in parallel, so a resource moved from one nested stack to
another would be created before it is deleted and fail the deployment. A section never moves.

Why the stage still redeploys: each section's resource is a `Resource` of the real RestApi (the parent's
resource as its parent), so every method added below it reaches the RestApi's latest deployment, as a
method in the parent would: its properties are hashed into the deployment's logical id (a changed route is
a new deployment) and the deployment depends on the method (CDK turns that into a dependency on the
section's nested stack, so the stage is deployed after every method exists). CloudFormation passes the
RestApi id, the prefix's resource id and the functions' ARNs to each nested stack as parameters; Lambda's
permissions stay in the parent (one per function for the whole API, see infra/api.py).

A stack deployed before the sections has their routes in the parent, and cannot take the nested stacks in
one update (the same paths would exist twice). `-c keepApiDeployment=<the deployed deployment's logical
id>` synthesizes the step between: the sections under a parking path (`PARKING`), and the API's deployment
kept as it is, so the stage goes on serving every route from that deployment (a snapshot) while
CloudFormation removes them from the parent. The next plain deploy moves the sections under their prefix
(new resources: the parked ones have another parent) and deploys the stage anew (docs/infrastructure.md).
"""

import re

from aws_cdk import CfnElement, NestedStack, Stack
from aws_cdk import aws_apigateway as apigw
from constructs import Construct

from infra.constants import KEEP_API_DEPLOYMENT_CONTEXT_KEY

CATCH_ALL = "{proxy+}"
# Where an upgrade's first step builds the sections (`/kairos-upgrade/v1/resources`, ...): never deployed.
PARKING = "/kairos-upgrade"


class ApiSections(Construct):
    """Places every resource under one API prefix (`/v1` or `/portal`) in its section's nested stack,
    created the first time a path of the section is asked for. The nested stacks are this construct's
    children, so the cdk-nag acknowledgments of the API's construct (its parent) cover their methods."""

    def __init__(self, scope: Construct, construct_id: str, *, api: apigw.RestApi, prefix: str) -> None:
        super().__init__(scope, construct_id)
        self._prefix = api.root.resource_for_path(prefix)
        self._heads: dict[str, apigw.Resource] = {}
        # The sections hang from the prefix, or from its parking place under `keepApiDeployment`.
        self._parent = api.root.resource_for_path(PARKING + prefix) if kept_deployment(self) else self._prefix

    def resource_for_path(self, path: str) -> apigw.IResource:
        """The resource of `path` (created with its parents when missing), in its section's stack."""
        prefix = self._prefix.path
        if path != prefix and not path.startswith(prefix + "/"):
            raise ValueError(f"{path} is not under {prefix}")
        section, _, below = path.removeprefix(prefix).strip("/").partition("/")
        if not section or section == CATCH_ALL:
            return self._prefix.resource_for_path(section)
        head = self._heads.get(section) or self._section(section)
        return head.resource_for_path(below)

    def _section(self, section: str) -> apigw.Resource:
        stack = NestedStack(
            self,
            section_id(section),
            description=f"Kairos API routes under {self._prefix.path}/{section}",
        )
        head = apigw.Resource(stack, section, parent=self._parent, path_part=section)
        self._heads[section] = head
        return head


def section_id(section: str) -> str:
    """A section's nested stack id: `booking-groups` -> `BookingGroupsRoutes`."""
    return "".join(word.title() for word in re.split(r"[^A-Za-z0-9]+", section) if word) + "Routes"


def kept_deployment(scope: Construct) -> str | None:
    """`-c keepApiDeployment=<logical id>`: the API deployment an upgrade's first step keeps."""
    kept = scope.node.try_get_context(KEEP_API_DEPLOYMENT_CONTEXT_KEY)
    return None if kept is None else str(kept)


def keep_deployment(api: apigw.RestApi) -> None:
    """Under `keepApiDeployment`, the API's deployment keeps the logical id given (that of the deployment in
    place, whose properties are the same), so CloudFormation leaves it and the stage as they are. An id
    that is not one of this API's deployments (their ids start with the construct's own) stops the
    synthesis."""
    kept = kept_deployment(api)
    if kept is None:
        return
    deployment = api.latest_deployment
    assert deployment is not None, "the API deploys its stage"
    resource = deployment.node.default_child
    assert isinstance(resource, CfnElement)
    own = Stack.of(api).get_logical_id(resource)
    if not re.fullmatch(rf"{own}[0-9a-f]{{32}}", kept):
        raise ValueError(
            f"{KEEP_API_DEPLOYMENT_CONTEXT_KEY} must be the logical id of the API's deployment in the "
            f"deployed stack ({own} and 32 hexadecimal digits), not {kept!r}"
        )
    resource.override_logical_id(kept)
