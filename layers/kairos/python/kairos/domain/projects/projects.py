"""Operator actions on projects and tokens (the `kairos` CLI and the local server use them)."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from kairos.abilities import ALL_ABILITIES, validate_abilities
from kairos.domain.projects.auth import (
    closing_months,
    counter_months_from,
    hash_token,
    new_token,
    token_with_value,
)
from kairos.domain.shared.plans import DEFAULT_PLAN, PLANS
from kairos.domain.shared.ports import ProjectRepository
from kairos.domain.shared.records import Project, Token
from kairos.errors import Conflict, NotFound, ValidationFailed
from kairos.values.bounds import MAX_LENGTH, MIN_LENGTH, check_duration
from kairos.values.formats import format_timestamp, now_utc, parse_duration
from kairos.values.ids import new_id
from kairos.values.text import check_name

LIMIT_CHANGE_ATTEMPTS = 3  # a change of limits made again on top of one made at the same time


def render_project(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "enabled": project.enabled,
        "created_at": format_timestamp(project.created_at),
        "updated_at": format_timestamp(project.updated_at),
    }


def render_token(token: Token) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "abilities": sorted(token.abilities),
        "created_at": format_timestamp(token.created_at),
        "revoked_at": format_timestamp(token.revoked_at) if token.revoked_at else None,
    }


class ProjectAdmin:
    def __init__(self, repository: ProjectRepository, clock: Callable[[], datetime] = now_utc) -> None:
        self._repo = repository
        self._clock = clock

    def create_project(
        self,
        name: str,
        plan: str = DEFAULT_PLAN,
        rate_limit: int | None = None,
        default_hold_time: str | None = None,
    ) -> Project:
        name = checked_name(name)
        if plan not in PLANS:
            raise ValidationFailed.field("plan", f"The plan must be one of: {', '.join(PLANS)}.")
        _check_hold_time(default_hold_time)
        now = now_utc()
        project = Project(
            id=new_id(),
            name=name,
            enabled=True,
            plan=plan,
            rate_limit_per_minute=rate_limit or PLANS[plan].requests_per_minute,
            created_at=now,
            updated_at=now,
            default_hold_time=default_hold_time,
        )
        self._repo.create_project(project)
        return project

    def project(self, project_id: str) -> Project:
        project = self._repo.get_project(project_id)
        if project is None:
            raise NotFound("project")
        return project

    def set_default_hold_time(self, project_id: str, value: str | None) -> Project:
        """How long a temporary booking holds its place when its request gives no `expires_at` (None:
        forever, as on Hapio). Tokens cached by warm functions see the change within a minute."""
        _check_hold_time(value)
        if not self._repo.set_default_hold_time(project_id, value, now_utc()):
            raise NotFound("project")
        return self.project(project_id)

    def projects(self) -> list[Project]:
        return self._repo.list_projects()

    def rename_project(self, project_id: str, name: str) -> Project:
        return self._update(project_id, {"name": checked_name(name)})

    def disable_project(self, project_id: str) -> Project:
        """Its tokens stop working at once, on every instance whatever it cached: its request counters are
        closed with it (`kairos.domain.projects.auth.closing_months`). Its data stays."""
        now = self._clock()
        disabled = self._repo.disable_project(project_id, closing_months(now), now)
        if disabled is None:
            raise NotFound("project")
        return disabled

    def change_plan(
        self, project_id: str, plan: str, rate_limit: int | None, changed_by: str = "operator"
    ) -> Project:
        """Another plan (its per-minute limit unless `rate_limit` says otherwise), recorded with who and
        when. It applies to the project's next request (`_change_limits`)."""
        if plan not in PLANS:
            raise ValidationFailed.field("plan", f"The plan must be one of: {', '.join(PLANS)}.")
        if rate_limit is not None and rate_limit < 1:
            raise ValidationFailed.field("rate_limit", "The rate limit must be at least 1.")
        recorded = {"plan_changed_at": format_timestamp(now_utc()), "plan_changed_by": changed_by}
        return self._change_limits(project_id, plan, rate_limit or PLANS[plan].requests_per_minute, recorded)

    def set_rate_limit(self, project_id: str, rate_limit: int) -> Project:
        """Another per-minute limit; it applies to the project's next request (`_change_limits`)."""
        if rate_limit < 1:
            raise ValidationFailed.field("rate_limit", "The rate limit must be at least 1.")
        return self._change_limits(project_id, None, rate_limit, {})

    def _change_limits(
        self, project_id: str, plan: str | None, rate_limit: int, recorded: dict[str, Any]
    ) -> Project:
        """Writes the project's new plan (None: the same) and per-minute limit together with the limits its
        request counters hold, which every request is checked against whatever the API's functions have
        cached: the change applies to the next request. Decided in the write: if another change came first,
        this one is made again on top of it."""
        for _ in range(LIMIT_CHANGE_ATTEMPTS):
            current = self.project(project_id)
            changed = replace(current, plan=plan or current.plan, rate_limit_per_minute=rate_limit)
            now = now_utc()
            changes = {
                "plan": changed.plan,
                "rate_limit_per_minute": rate_limit,
                **recorded,
                "updated_at": now.isoformat(),
            }
            if self._repo.change_limits(current, changes, changed.limits, counter_months_from(now)):
                return self.project(project_id)
        raise Conflict("The project's plan was changed at the same time; try again.")

    def _update(self, project_id: str, changes: dict[str, Any]) -> Project:
        changed = self._repo.update_project(project_id, {**changes, "updated_at": now_utc().isoformat()})
        if changed is None:
            raise NotFound("project")
        return changed

    def create_token(
        self, project_id: str, name: str, abilities: list[str] | None, value: str | None = None
    ) -> tuple[Token, str]:
        """A new token with `abilities` (None: all of them). `value` fixes the secret (local use only)."""
        self.project(project_id)
        name = checked_name(name)
        chosen = list(ALL_ABILITIES) if abilities is None else abilities
        unknown = validate_abilities(chosen)
        if unknown:
            raise ValidationFailed.field("abilities", f"Unknown abilities: {', '.join(unknown)}.")
        if value is not None and len(value) < 40:
            raise ValidationFailed.field("token", "A token must be at least 40 characters long.")
        if value is None:
            token, value = new_token(project_id, name, frozenset(chosen), new_id())
        else:
            token = token_with_value(project_id, name, frozenset(chosen), new_id(), value)
        self._repo.create_token(token)
        return token, value

    def token_for_value(self, value: str) -> Token | None:
        return self._repo.get_token(hash_token(value))

    def tokens(self, project_id: str) -> list[Token]:
        self.project(project_id)
        return self._repo.list_tokens(project_id)

    def revoke_token(self, project_id: str, token_id: str) -> None:
        if not self._repo.revoke_token(project_id, token_id, now_utc()):
            raise NotFound("token")


def checked_name(name: str) -> str:
    """A project's or token's name given to the CLI, trimmed, by the rule of every name (the API's models
    apply the same `check_name`)."""
    name = name.strip()
    if not name:
        raise ValidationFailed.field("name", "The name field is required.")
    try:
        return check_name(name)
    except ValueError as error:
        raise ValidationFailed.field("name", f"The name field {error}.") from None


def _check_hold_time(value: str | None) -> None:
    """A default hold time is an ISO 8601 duration from PT1M to P366D (a booking's lengths' bounds)."""
    if value is None:
        return
    try:
        check_duration(parse_duration(value), MAX_LENGTH, MIN_LENGTH)
    except ValueError as error:
        raise ValidationFailed.field("default_hold_time", f"The default hold time {error}.") from None
