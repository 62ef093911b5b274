"""One synthesized Kairos stack for all infra tests (synthesis costs seconds, the assertions microseconds):
a session fixture, which infra tests share as they all run in one xdist worker (group "infra").

The stack is built with cdk.json's feature flags and with bundling, as `cdk synth` builds it, so the tests
see the template and the staged assets that a deployment uploads. The cloud assembly is kept in
.venv/cdk-test.out: CDK reuses a staged asset whose hash it already holds, so the layer is bundled (with
pip, from PyPI or pip's cache) only when requirements.lock, the package or the bundler changed. Each
xdist worker has an assembly of its own, so that two syntheses never write one folder at once (pytest is
pinned below 9, whose node ids xdist 3.8 cannot tag: there `--dist loadgroup` split the group)."""

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.constants import FUNCTION_NAME_PREFIX, RUNTIME
from infra.stack import KairosStack, add_kairos_stack
from tests.infra.nested_templates import StackTemplates, deployed_template, stack_templates

REPO_ROOT = Path(__file__).resolve().parents[2]
CLOUD_ASSEMBLY = REPO_ROOT / ".venv" / "cdk-test.out" / os.environ.get("PYTEST_XDIST_WORKER", "main")

# What the CLI adds: asset paths in the template's metadata.
TEST_CONTEXT = {"aws:cdk:enable-asset-metadata": True}


def cdk_context() -> dict[str, Any]:
    """cdk.json's context (the feature flags) plus the test switches."""
    flags: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return {**flags, **TEST_CONTEXT}


@pytest.fixture(scope="session")
def stack() -> KairosStack:
    """Composed exactly as app.py composes it, cdk-nag included."""
    return add_kairos_stack(cdk.App(context=cdk_context(), outdir=str(CLOUD_ASSEMBLY)))


@pytest.fixture(scope="session")
def template(stack: KairosStack) -> Template:
    """Synthesis runs the cdk-nag plugin too: an unacknowledged finding fails it (see test_cdk_nag).
    Staged assets the stack no longer uses (its assets manifest names them all, the site's contents
    included) are removed, so the kept assembly does not grow."""
    synthesized = Template.from_stack(stack)
    manifest = json.loads((CLOUD_ASSEMBLY / f"{stack.artifact_id}.assets.json").read_text())
    used = {asset["source"]["path"] for asset in manifest["files"].values()}
    for staged in CLOUD_ASSEMBLY.glob("asset.*"):
        if staged.is_dir() and staged.name not in used:
            shutil.rmtree(staged)
    return synthesized


@pytest.fixture(scope="session")
def templates(template: Template, stack: KairosStack) -> StackTemplates:
    """The parent's template and each nested stack's (the API's sections)."""
    return stack_templates(stack, template)


@pytest.fixture(scope="session")
def deployed(templates: StackTemplates) -> Template:
    """Everything the deployment creates, the API sections' nested stacks included (nested_templates.py)."""
    return deployed_template(templates)


def staged_asset(stack: KairosStack, resource: Mapping[str, Any]) -> Path:
    """The directory a template resource's code was staged in (what the deployment zips and uploads)."""
    app = stack.node.root
    assert isinstance(app, cdk.App)
    return Path(app.outdir) / str(resource["Metadata"]["aws:asset:path"])


def kairos_functions(template: Template) -> dict[str, Mapping[str, Any]]:
    """The functions Kairos runs (`kairos-<name>`), by logical id. CDK adds deploy-time functions of its own
    for the Portal's site (one copies the build into the bucket, one empties the bucket when the stack is
    deleted): not Kairos's code, never reached by a request or an event."""
    return {
        key: function
        for key, function in template.find_resources("AWS::Lambda::Function").items()
        if str(function["Properties"].get("FunctionName", "")).startswith(f"{FUNCTION_NAME_PREFIX}-")
    }


def kairos_layer(template: Template) -> tuple[str, Mapping[str, Any]]:
    """The shared layer, by logical id (the other layer is the AWS CLI of CDK's site deployment function)."""
    (found,) = [
        (key, layer)
        for key, layer in template.find_resources("AWS::Lambda::LayerVersion").items()
        if layer["Properties"].get("CompatibleRuntimes") == [RUNTIME.name]
    ]
    return found
