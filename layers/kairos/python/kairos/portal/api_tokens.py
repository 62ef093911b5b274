"""API tokens from the Portal: the list (name, abilities, created, last used), create (every ability unless
chosen; the value shown once, only its hash stored, as the CLI does), change name or abilities, delete.

A changed or deleted token takes effect within 60 seconds: the API's functions keep a token they have seen
for up to a minute (`kairos.domain.projects.auth.CACHE_SECONDS`), so they do not read the table on every
request. `last_used_at` is written from the usage events (`kairos.usage.metering`), a few seconds behind."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from kairos.abilities import validate_abilities
from kairos.domain.projects.auth import CACHE_SECONDS
from kairos.domain.projects.projects import ProjectAdmin
from kairos.domain.shared.records import Token
from kairos.errors import NotFound, ValidationFailed
from kairos.portal.ports import Identity
from kairos.portal.workspace import Workspace
from kairos.values.formats import format_timestamp, now_utc
from kairos.values.ids import is_uuid


class TokenUse(Protocol):
    def last_used(self, project_id: str) -> dict[str, datetime]:
        """When each token of the project was last used, by token id."""


class TokenChanges(Protocol):
    def update_token(self, token: Token, name: str, abilities: frozenset[str]) -> None: ...


def render_portal_token(token: Token, last_used: datetime | None) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "abilities": sorted(token.abilities),
        "created_at": format_timestamp(token.created_at),
        "last_used_at": format_timestamp(last_used) if last_used else None,
    }


class ApiTokens:
    def __init__(
        self,
        workspace: Workspace,
        admin: ProjectAdmin,
        changes: TokenChanges,
        use: TokenUse,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._workspace = workspace
        self._admin = admin
        self._changes = changes
        self._use = use
        self._clock = clock

    def listing(self, person: Identity, project_id: str) -> dict[str, Any]:
        project, _ = self._workspace.member(person, project_id)
        used = self._use.last_used(project.id)
        live = [t for t in self._admin.tokens(project.id) if t.revoked_at is None]
        rows = [render_portal_token(t, used.get(t.id)) for t in sorted(live, key=lambda t: t.created_at)]
        return {"data": rows, "cache_seconds": int(CACHE_SECONDS)}

    def create(
        self, person: Identity, project_id: str, name: str, abilities: list[str] | None
    ) -> dict[str, Any]:
        project, _ = self._workspace.member(person, project_id)
        token, value = self._admin.create_token(project.id, name, abilities)
        self._workspace.record(person, project.id, "token.created", {"token_id": token.id, "name": name})
        return {**render_portal_token(token, None), "token": value}

    def change(
        self, person: Identity, project_id: str, token_id: str, name: str | None, abilities: list[str] | None
    ) -> dict[str, Any]:
        project, _ = self._workspace.member(person, project_id)
        token = self._live(project.id, token_id)
        chosen = frozenset(token.abilities if abilities is None else abilities)
        unknown = validate_abilities(sorted(chosen))
        if unknown:
            raise ValidationFailed.field("abilities", f"Unknown abilities: {', '.join(unknown)}.")
        new_name = token.name if name is None else name
        self._changes.update_token(token, new_name, chosen)
        self._workspace.record(
            person,
            project.id,
            "token.changed",
            {"token_id": token.id, "name": new_name, "abilities": sorted(chosen)},
        )
        changed = Token(token.id, token.project_id, new_name, chosen, token.created_at)
        return render_portal_token(changed, self._use.last_used(project.id).get(token.id))

    def delete(self, person: Identity, project_id: str, token_id: str) -> None:
        project, _ = self._workspace.member(person, project_id)
        token = self._live(project.id, token_id)
        self._admin.revoke_token(project.id, token.id)
        self._workspace.record(
            person, project.id, "token.deleted", {"token_id": token.id, "name": token.name}
        )

    def _live(self, project_id: str, token_id: str) -> Token:
        found = self._admin.tokens(project_id) if is_uuid(token_id) else []
        token = next((t for t in found if t.id == token_id), None)
        if token is None or token.revoked_at is not None:
            raise NotFound("token")
        return token
