"""cdk-nag's AWS Solutions pack finds nothing that is not acknowledged, and every acknowledgment says why.

cdk-nag 3 is a policy-validation plugin; `validate_scope` runs the same checks the plugin runs at synth."""

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_apigateway as apigw
from cdk_nag import AwsSolutionsChecks

from infra.api_sections import ApiSections
from infra.stack import KairosStack, check_with_cdk_nag

pytestmark = pytest.mark.xdist_group("infra")

MIN_REASON_LENGTH = 40  # a sentence, not a placeholder


def test_aws_solutions_checks_report_no_unacknowledged_finding(stack: KairosStack) -> None:
    report = AwsSolutionsChecks().validate_scope(stack)
    findings = {
        f"{v.severity} {v.rule_name}": [r.construct_path for r in v.violating_resources]
        for v in report.violations
    }
    assert findings == {}
    assert report.success


@pytest.mark.usefixtures("template")  # synthesized: the cloud assembly is written
def test_every_acknowledgment_names_an_aws_solutions_rule_and_gives_a_reason(stack: KairosStack) -> None:
    """Read from the cloud assembly, where the acknowledgments stay as the audit trail of each deployment."""
    app = stack.node.root
    assert isinstance(app, App)
    metadata = json.loads((Path(app.outdir) / f"{stack.artifact_id}.metadata.json").read_text())
    acknowledged = {
        rule: reason
        for entries in metadata.values()
        for entry in entries
        if entry["type"] == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry["data"].items()
    }
    assert acknowledged, "the stack is expected to acknowledge some findings"
    for rule, reason in acknowledged.items():
        assert rule.removeprefix("Annotation::").startswith("AwsSolutions-"), rule
        assert len(reason) >= MIN_REASON_LENGTH, rule


def test_a_finding_in_a_nested_stack_fails_the_synthesis(tmp_path: Path) -> None:
    """The checks registered for the app reach the API's sections (nested stacks): a method there without
    authorization nor acknowledgment is reported at its own path, and synthesis fails."""
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Checked")
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("ANY", apigw.MockIntegration())
    sections = ApiSections(stack, "Routes", api=api, prefix="/v1")
    sections.resource_for_path("/v1/things/{thing}").add_method("GET", apigw.MockIntegration())
    check_with_cdk_nag(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    found = {
        violation["ruleName"]: {c["constructPath"] for c in violation["violatingConstructs"]}
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    }
    assert "Checked/Routes/ThingsRoutes/things/{thing}/GET/Resource" in found["AwsSolutions-APIG4"]
