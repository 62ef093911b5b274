"""How the template names a construct: the logical id that cdk-nag findings and template references use."""

from aws_cdk import CfnElement, Stack
from constructs import IConstruct


def logical_id(construct: IConstruct) -> str:
    """The logical id of an L2 construct's CloudFormation resource (its default child)."""
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement), f"{construct.node.path} has no CloudFormation resource"
    return str(Stack.of(construct).resolve(resource.logical_id))
