"""The stack's nested stacks (the API's sections, infra/api_sections.py) and one template of everything a
deployment creates: the parent's resources and every nested stack's, each nested reference to a parameter
replaced by what the parent passes for it. Assertions about the API's methods and resources read that
template, so they see every route wherever it is placed.

Nested templates are read from the cloud assembly: `Template.from_stack` synthesizes the whole app again
at each call (cdk-nag included), seconds per nested stack."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template


@dataclass(frozen=True)
class StackTemplates:
    parent: Mapping[str, Any]
    nested: Mapping[str, Mapping[str, Any]]  # by the nested stack's logical id in the parent
    paths: Mapping[str, str]  # that logical id -> the nested stack's construct path

    def sizes(self) -> dict[str, int]:
        """Resources of each stack, by construct path (the parent's under "")."""
        return {"": len(self.parent["Resources"])} | {
            self.paths[key]: len(nested["Resources"]) for key, nested in self.nested.items()
        }


def nested_stacks(stack: cdk.Stack) -> list[cdk.NestedStack]:
    return [child for child in stack.node.find_all() if isinstance(child, cdk.NestedStack)]


def stack_logical_id(nested: cdk.NestedStack) -> str:
    """The logical id of the nested stack's `AWS::CloudFormation::Stack` in its parent."""
    resource = nested.nested_stack_resource
    assert resource is not None
    return str(cdk.Stack.of(resource).resolve(resource.logical_id))


def stack_templates(stack: cdk.Stack, parent: Template | None = None) -> StackTemplates:
    """Every stack's template (synthesizing the app unless the parent's synthesized `parent` is given)."""
    synthesized = (parent or Template.from_stack(stack)).to_json()
    app = stack.node.root
    assert isinstance(app, cdk.App)
    nested = nested_stacks(stack)
    return StackTemplates(
        parent=synthesized,
        nested={
            stack_logical_id(n): json.loads((Path(app.outdir) / n.template_file).read_text()) for n in nested
        },
        paths={stack_logical_id(n): n.node.path for n in nested},
    )


def deployed_template(templates: StackTemplates) -> Template:
    """The parent's template with every nested stack's resources added, under `<nested stack's logical
    id>.<own logical id>` (two nested stacks may use one id), their parameters resolved to the values the
    parent gives them (a `Ref` to the RestApi, a function's `Fn::GetAtt` ..., as in the parent)."""
    resources = dict(templates.parent["Resources"])
    for stack_id, nested in templates.nested.items():
        own = nested["Resources"]
        given = resources[stack_id]["Properties"].get("Parameters", {})
        references = given | {key: {"Ref": f"{stack_id}.{key}"} for key in own}
        resources |= {f"{stack_id}.{key}": _resolved(resource, references) for key, resource in own.items()}
    return Template.from_json({**templates.parent, "Resources": resources})


def _resolved(value: Any, references: Mapping[str, Any]) -> Any:
    """`value` with each `Ref` named in `references` replaced by what it stands for."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in references:
            return references[value["Ref"]]
        return {key: _resolved(item, references) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, references) for item in value]
    return value
