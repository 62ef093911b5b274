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
"""

import re

from aws_cdk import NestedStack
from aws_cdk import aws_apigateway as apigw
from constructs import Construct

CATCH_ALL = "{proxy+}"


class ApiSections(Construct):
    """Places every resource under one API prefix (`/v1` or `/portal`) in its section's nested stack,
    created the first time a path of the section is asked for. The nested stacks are this construct's
    children, so the cdk-nag acknowledgments of the API's construct (its parent) cover their methods."""

    def __init__(self, scope: Construct, construct_id: str, *, api: apigw.RestApi, prefix: str) -> None:
        super().__init__(scope, construct_id)
        self._prefix = api.root.resource_for_path(prefix)
        self._heads: dict[str, apigw.Resource] = {}
        self.nested_stacks: list[NestedStack] = []

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
        head = apigw.Resource(stack, section, parent=self._prefix, path_part=section)
        self._heads[section] = head
        self.nested_stacks.append(stack)
        return head


def section_id(section: str) -> str:
    """A section's nested stack id: `booking-groups` -> `BookingGroupsRoutes`."""
    return "".join(word.title() for word in re.split(r"[^A-Za-z0-9]+", section) if word) + "Routes"
