"""A person deletes their own account. What goes with it is said before (`preview`) and confirmed by
typing CONFIRMATION with the password (and the authenticator's code, when two-factor authentication is
on), so a session left open on a shared computer is not enough to delete anything:

- refused (409, the projects named) while the account owns a project that has other members: they would
  lose it; the owner removes them or deletes the project first;
- the projects it owns alone are deleted as the Portal's "Delete project" does (disabled at once, tokens
  revoked, data left for the operator); it leaves the projects it is a member of;
- its sessions end first (the session cut-off also refuses its ID tokens after the Cognito user is gone,
  for the hour they stay valid), then the profile and the owned-projects count are deleted, then the
  Cognito user: a deletion stopped half way is finished by trying again, which finds the same projects
  and the same user (or none); the address is mailed, and may register again as a new account. An e-mail
  change that moved the profile meanwhile (`kairos.portal.email_change`) loses its new user too."""

from typing import Any

from kairos.domain.shared.records import Project
from kairos.errors import Conflict, ValidationFailed
from kairos.portal.accounts import Accounts
from kairos.portal.ports import Identity, IdentityProvider, PortalRepository
from kairos.portal.workspace import OWNER, Workspace

CONFIRMATION = "delete my account"


class AccountDeletion:
    def __init__(
        self,
        accounts: Accounts,
        workspace: Workspace,
        repository: PortalRepository,
        identities: IdentityProvider,
    ) -> None:
        self._accounts = accounts
        self._workspace = workspace
        self._repo = repository
        self._ids = identities

    def preview(self, person: Identity) -> dict[str, Any]:
        """`blocking`: owned projects with other members; `deleted`: owned alone; `left`: joined."""
        blocking, alone, joined = self._projects(person)
        return {
            "can_delete": not blocking,
            "blocking": [_named(p) for p in blocking],
            "deleted": [_named(p) for p in alone],
            "left": [_named(p) for p in joined],
            "confirmation": CONFIRMATION,
        }

    def delete(self, person: Identity, password: str, code: str | None, typed: str, address: str) -> None:
        if " ".join(typed.lower().split()) != CONFIRMATION:
            raise ValidationFailed.field("confirmation", f'Type "{CONFIRMATION}" to confirm.')
        blocking, alone, joined = self._projects(person)
        if blocking:
            names = ", ".join(p.name for p in blocking)
            raise Conflict(
                f"Your account owns projects that other people are members of: {names}. Remove their "
                "members or delete those projects first."
            )
        self._accounts.prove(person, password, code, address)
        self._accounts.log_out(person)
        for project in alone:
            self._workspace.delete(person, project.id)
        for project in joined:
            self._repo.remove_member(project.id, person.account_id)
        moved_to = self._repo.delete_account(person.account_id)
        self._ids.delete(person.email)
        if moved_to and moved_to != person.email:  # an e-mail change went through meanwhile
            self._ids.delete(moved_to)
        self._accounts.tell(
            person.email,
            "Your Kairos account is deleted",
            "Your Kairos account and the projects you owned alone were deleted at your request. "
            "Nobody can log in with this address any more; you may register it again.\n",
        )

    def _projects(self, person: Identity) -> tuple[list[Project], list[Project], list[Project]]:
        blocking: list[Project] = []
        alone: list[Project] = []
        joined: list[Project] = []
        for listed in self._workspace.projects(person):
            project, membership = self._workspace.member(person, listed["id"])
            if membership.role != OWNER:
                joined.append(project)
            elif len(self._repo.members(project.id)) > 1:
                blocking.append(project)
            else:
                alone.append(project)
        return blocking, alone, joined


def _named(project: Project) -> dict[str, str]:
    return {"id": project.id, "name": project.name}
