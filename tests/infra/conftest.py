"""One synthesized Kairos stack for all infra tests (synthesis costs seconds, the assertions microseconds):
a session fixture, which infra tests share as they all run in one xdist worker (group "infra").

The stack is built with cdk.json's feature flags, so the tests see the template `cdk synth` produces, and
with bundling skipped, so they need neither pip nor the network (test_layer_bundling runs the bundler)."""

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.stack import KairosStack, add_kairos_stack

REPO_ROOT = Path(__file__).resolve().parents[2]

# What the CLI adds (asset paths in the template's metadata), minus bundling.
TEST_CONTEXT = {"aws:cdk:bundling-stacks": [], "aws:cdk:enable-asset-metadata": True}


def cdk_context() -> dict[str, Any]:
    """cdk.json's context (the feature flags) plus the test switches."""
    flags: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return {**flags, **TEST_CONTEXT}


@pytest.fixture(scope="session")
def stack() -> KairosStack:
    """Composed exactly as app.py composes it, cdk-nag included."""
    return add_kairos_stack(cdk.App(context=cdk_context()))


@pytest.fixture(scope="session")
def template(stack: KairosStack) -> Template:
    """Synthesis runs the cdk-nag plugin too: an unacknowledged finding fails it (see test_cdk_nag)."""
    return Template.from_stack(stack)
