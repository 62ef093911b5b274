"""The stack lands in the design's region unless the deployer names another."""

import aws_cdk as cdk
import pytest

from infra.constants import REGION, REGION_CONTEXT_KEY
from infra.stack import KairosStack, stack_environment

pytestmark = pytest.mark.xdist_group("infra")


def test_stack_goes_to_the_design_region_even_when_the_cli_defaults_to_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-1")  # what the CLI sets when no region is configured
    assert stack_environment(cdk.App()).region == REGION


def test_region_context_moves_the_stack() -> None:
    app = cdk.App(context={REGION_CONTEXT_KEY: "eu-west-1"})
    assert stack_environment(app).region == "eu-west-1"


def test_synthesized_stack_is_in_the_design_region(stack: KairosStack) -> None:
    assert stack.region == REGION
