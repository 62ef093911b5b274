"""The operator CLI changes a project's plan and rate limit on the same data the Portal uses."""

import pytest

from kairos.container import Container
from kairos.domain.errors import ValidationFailed
from kairos_cli.__main__ import _parser, run


def cli(container: Container, *words: str) -> dict[str, object]:
    result = run(_parser().parse_args(list(words)), container)
    assert isinstance(result, dict)
    return result


def test_the_cli_changes_plan_and_rate_limit_and_the_api_sees_them(container: Container) -> None:
    project = cli(container, "project", "create", "Clinic")
    shown = cli(container, "project", "plan", str(project["id"]), "tier2")
    assert (shown["plan"], shown["rate_limit"]) == ("tier2", 250)
    shown = cli(container, "project", "rate-limit", str(project["id"]), "42")
    assert (shown["plan"], shown["rate_limit"]) == ("tier2", 42)
    stored = container.projects.project(str(project["id"]))
    assert (stored.plan, stored.rate_limit_per_minute) == ("tier2", 42)
    item = container.table.get({"PK": f"PROJECT#{project['id']}", "SK": "PROJECT"})
    assert item is not None and item["plan_changed_by"] == "operator (CLI)"


def test_the_cli_refuses_a_plan_or_limit_that_does_not_exist(container: Container) -> None:
    project = cli(container, "project", "create", "Clinic")
    with pytest.raises(SystemExit):
        _parser().parse_args(["project", "plan", str(project["id"]), "platinum"])
    with pytest.raises(ValidationFailed):
        cli(container, "project", "rate-limit", str(project["id"]), "0")
