"""The operator CLI changes a project's plan and rate limit on the same data the Portal uses, and the
change applies to the project's next request, even on an API instance that has its token cached."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from kairos.container import Container
from kairos.domain.projects.auth import Authenticator, Principal, counter_month
from kairos.domain.projects.projects import ProjectAdmin
from kairos.domain.shared.records import Limits, Project
from kairos.errors import QuotaExceeded, RateLimited, ValidationFailed
from kairos.storage import keys
from kairos.storage.dynamodb import RoundTrips, to_item
from kairos.storage.project_store import ProjectStore
from kairos.storage.rate_store import RateCounterStore
from kairos.storage.usage_store import UsageStore
from kairos.values.formats import now_utc
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


def instance(container: Container, at: datetime) -> Authenticator:
    """The API's authentication as one warm Lambda instance has it (its own token cache and counter), its
    clock stopped at `at`: every request in one minute."""
    counter = RateCounterStore(container.table, UsageStore(container.table).month_requests)
    return Authenticator(ProjectStore(container.table), counter, clock=lambda: at)


def warm(container: Container, plan: str = "free") -> tuple[str, Authenticator, Principal]:
    """A project on `plan` that has served a request: an instance has its token (and project) cached."""
    project = cli(container, "project", "create", "Clinic", "--plan", plan)
    _, value = container.projects.create_token(str(project["id"]), "all", None)
    api = instance(container, now_utc())
    principal = api.authenticate(f"Bearer {value}")
    api.count_request(principal)
    return str(project["id"]), api, api.authenticate(f"Bearer {value}")


def test_a_plan_change_applies_to_the_next_request_of_an_instance_that_cached_the_token(
    container: Container,
) -> None:
    project_id, api, principal = warm(container)
    assert principal.project.rate_limit_per_minute == 100  # as cached
    cli(container, "project", "plan", project_id, "tier2")
    RoundTrips.reset()
    assert api.count_request(principal).limit == 250
    assert RoundTrips.count() == 2  # the instance's first request after the change learns it
    RoundTrips.reset()
    assert api.count_request(principal).limit == 250
    assert RoundTrips.count() == 1  # then as before: one update a request


def test_a_lower_rate_limit_refuses_the_next_request_past_it(container: Container) -> None:
    project_id, api, principal = warm(container)
    api.count_request(principal)
    cli(container, "project", "rate-limit", project_id, "2")
    with pytest.raises(RateLimited) as refused:  # two requests this minute already
        api.count_request(principal)
    assert refused.value.limit == 2


def test_a_smaller_monthly_quota_applies_to_the_next_request(container: Container) -> None:
    project_id, api, principal = warm(container, plan="enterprise")
    month, _ = counter_month(now_utc())
    container.table.client.update_item(  # the month's requests so far, as the counter holds them
        TableName=container.table.name,
        Key=to_item(keys.rate_counter(project_id, month, 0)),
        UpdateExpression="SET month_hits = :used",
        ExpressionAttributeValues=to_item({":used": 2_500}),
    )
    assert api.count_request(principal).limit == 1_000
    cli(container, "project", "plan", project_id, "free")
    with pytest.raises(QuotaExceeded) as refused:
        api.count_request(principal)
    assert str(refused.value) == "The monthly request quota of your plan (free: 2,500 requests) is used up."


def test_a_month_that_starts_right_after_a_change_starts_with_the_new_limits(container: Container) -> None:
    project_id, _, principal = warm(container)
    cli(container, "project", "rate-limit", project_id, "42")
    now = now_utc()
    next_month = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=10)
    assert instance(container, next_month).count_request(principal).limit == 42  # the old project cached


class RacingStore(ProjectStore):
    """Another operator's plan change lands between this change's read and its write, once."""

    def change_limits(self, project: Project, *args: Any) -> bool:
        if project.plan == "free":
            ProjectAdmin(ProjectStore(self._t)).change_plan(project.id, "tier3", None, "the other operator")
        return super().change_limits(project, *args)


def test_a_rate_limit_change_made_with_a_plan_change_keeps_both(container: Container) -> None:
    project_id, api, principal = warm(container)
    changed = ProjectAdmin(RacingStore(container.table)).set_rate_limit(project_id, 7)
    assert (changed.plan, changed.rate_limit_per_minute) == ("tier3", 7)
    assert changed.limits == Limits(7, 100_000, "tier3")
    assert api.count_request(principal).limit == 7
