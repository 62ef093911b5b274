"""Projects as people see them in the Portal: who belongs to which project, with what role, and what the
owner may do (rename, delete, change the plan, invite and remove members). Every project route goes
through `member()`: a person who is not a member gets the same 404 as for a project that does not exist,
so project ids leak nothing. Membership, plan and token changes leave audit entries."""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from kairos.domain.projects.projects import ProjectAdmin, render_project
from kairos.domain.shared.plans import PLANS, plan_of
from kairos.domain.shared.ports import ProjectRepository
from kairos.domain.shared.queries import Errors, int_param, raise_if
from kairos.domain.shared.records import Project
from kairos.errors import Forbidden, NotFound, ValidationFailed
from kairos.portal.one_time import hash_secret, new_secret
from kairos.portal.ports import AuditEntry, Identity, Invitation, Mailer, Membership, PortalRepository
from kairos.portal.throttle import Throttle
from kairos.values.formats import format_timestamp, now_utc
from kairos.values.ids import is_uuid, new_id

OWNER = "owner"
MEMBER = "member"
INVITATION_FOR = timedelta(days=7)
BAD_INVITATION = "This invitation is invalid or has expired."
MAX_OWNED_PROJECTS = 3  # live projects one account owns at once (each starts on the free plan)
AUDIT_POSITION = re.compile(r"[0-9TZ:-]{20}#\d{20}#[0-9a-f-]{36}", re.ASCII)  # an audit entry's sort key
AUDIT_PAGE = 25  # entries per page unless `limit` says (1 to AUDIT_PAGE_MAX)
AUDIT_PAGE_MAX = 100


def render_plan(name: str) -> dict[str, Any]:
    plan = plan_of(name)
    return {
        "name": plan.name,
        "requests_per_minute": plan.requests_per_minute,
        "requests_per_month": plan.requests_per_month,
    }


class Workspace:
    def __init__(
        self,
        admin: ProjectAdmin,
        projects: ProjectRepository,
        repository: PortalRepository,
        mailer: Mailer,
        throttle: Throttle,
        portal_url: str,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._admin = admin
        self._projects = projects
        self._repo = repository
        self._mail = mailer
        self._throttle = throttle
        self._url = portal_url.rstrip("/")
        self._clock = clock

    # --- access -----------------------------------------------------------------------------------------

    def member(self, person: Identity, project_id: str, *, owner: bool = False) -> tuple[Project, Membership]:
        """The project and the person's membership; NotFound for non-members (and deleted projects),
        Forbidden for a member where the owner is required."""
        membership = self._repo.get_membership(project_id, person.account_id) if is_uuid(project_id) else None
        project = self._projects.get_project(project_id) if membership else None
        if membership is None or project is None or not project.enabled:
            raise NotFound("project")
        if owner and membership.role != OWNER:
            raise Forbidden("Only the project's owner may do this.")
        return project, membership

    # --- projects ---------------------------------------------------------------------------------------

    def projects(self, person: Identity) -> list[dict[str, Any]]:
        memberships = {m.project_id: m for m in self._repo.memberships_of(person.account_id)}
        found = [
            self._render(project, memberships[project.id])
            for project in self._projects.get_projects(list(memberships))
            if project.enabled
        ]
        return sorted(found, key=lambda p: (p["created_at"], p["id"]))

    def project(self, person: Identity, project_id: str) -> dict[str, Any]:
        return self._render(*self.member(person, project_id))

    def create(self, person: Identity, name: str) -> dict[str, Any]:
        """A free project owned by the person: at most PROJECTS_PER_DAY and PROJECTS_PER_MONTH created
        (`Throttle.admit_project`), and at most MAX_OWNED_PROJECTS owned at once, each decided by a
        conditioned write (parallel requests cannot pass either together)."""
        self._throttle.admit_project(person.account_id)
        if not self._repo.claim_project(person.account_id, MAX_OWNED_PROJECTS):
            raise Forbidden(
                f"An account may own at most {MAX_OWNED_PROJECTS} projects: delete one to create another."
            )
        try:
            project = self._admin.create_project(name)
        except Exception:
            self._repo.release_project(person.account_id)
            raise
        membership = Membership(project.id, person.account_id, OWNER, self._clock())
        self._repo.add_member(membership)
        self._audit(person, project.id, "project.created", {"name": project.name})
        return self._render(project, membership)

    def rename(self, person: Identity, project_id: str, name: str) -> dict[str, Any]:
        project, membership = self.member(person, project_id, owner=True)
        renamed = self._admin.rename_project(project.id, name)
        self._audit(person, project.id, "project.renamed", {"from": project.name, "to": renamed.name})
        return self._render(renamed, membership)

    def delete(self, person: Identity, project_id: str) -> None:
        """Disables the project (its tokens stop at once, its data stays for the operator), then ends every
        membership and revokes every token."""
        project, _ = self.member(person, project_id, owner=True)
        self._admin.disable_project(project.id)
        self._repo.release_project(person.account_id)
        for token in self._projects.list_tokens(project.id):
            if token.revoked_at is None:
                self._projects.revoke_token(project.id, token.id, self._clock())
        for membership in self._repo.members(project.id):
            self._repo.remove_member(project.id, membership.account_id)
        self._audit(person, project.id, "project.deleted", {"name": project.name})

    def change_plan(self, person: Identity, project_id: str, plan: str) -> dict[str, Any]:
        project, membership = self.member(person, project_id, owner=True)
        if plan not in PLANS:
            raise ValidationFailed.field("plan", f"The plan must be one of: {', '.join(PLANS)}.")
        changed = self._admin.change_plan(project.id, plan, None, changed_by=person.email)
        self._audit(person, project.id, "plan.changed", {"from": project.plan, "to": plan})
        return self._render(changed, membership)

    def _render(self, project: Project, membership: Membership) -> dict[str, Any]:
        return {
            **render_project(project),
            "plan": render_plan(project.plan),
            "rate_limit_per_minute": project.rate_limit_per_minute,
            "role": membership.role,
        }

    # --- members and invitations ------------------------------------------------------------------------

    def members(self, person: Identity, project_id: str) -> list[dict[str, Any]]:
        project, _ = self.member(person, project_id)
        memberships = self._repo.members(project.id)
        accounts = self._repo.get_accounts([m.account_id for m in memberships])
        rows = []
        for m in memberships:
            account = accounts.get(m.account_id)
            rows.append(
                {
                    "id": m.account_id,
                    "name": account.name if account else None,
                    "email": account.email if account else None,
                    "role": m.role,
                    "joined_at": format_timestamp(m.joined_at),
                }
            )
        return sorted(rows, key=lambda r: (r["role"] != OWNER, r["joined_at"]))

    def remove_member(self, person: Identity, project_id: str, account_id: str) -> None:
        project, _ = self.member(person, project_id, owner=True)
        target = self._repo.get_membership(project.id, account_id) if is_uuid(account_id) else None
        if target is None:
            raise NotFound("member")
        if target.role == OWNER:
            raise ValidationFailed.field("account", "The owner cannot be removed; delete the project.")
        self._repo.remove_member(project.id, account_id)
        self._audit(person, project.id, "member.removed", {"account_id": account_id})

    def invite(self, person: Identity, project_id: str, email: str) -> dict[str, Any]:
        """Mails a link to join; at most INVITES_PER_HOUR and INVITES_PER_DAY per inviting account and the
        mail limits per address (`Throttle`). The mail goes to an address nobody verified, so it carries
        Kairos' own words and the link only: not the project's name, not the inviter's address."""
        project, _ = self.member(person, project_id, owner=True)
        self._throttle.admit_invitation(person.account_id, email)
        value, digest = new_secret()
        now = self._clock()
        invitation = Invitation(
            new_id(), project.id, email, person.account_id, now, int((now + INVITATION_FOR).timestamp())
        )
        self._repo.put_invitation(invitation, digest)
        self._mail.send(
            email,
            "You are invited to a project on Kairos",
            "Someone with a Kairos account invites you to join their project.\n"
            "Accept within 7 days (log in, or register first with this address): "
            f"{self._url}/invitations/accept?token={value}\n"
            "If you do not expect an invitation, ignore this mail: nothing happens without the link.\n",
        )
        self._audit(person, project.id, "member.invited", {"email": email})
        return render_invitation(invitation)

    def invitations(self, person: Identity, project_id: str) -> list[dict[str, Any]]:
        project, _ = self.member(person, project_id, owner=True)
        now = int(self._clock().timestamp())
        return [render_invitation(i) for i in self._repo.invitations(project.id, now)]

    def withdraw(self, person: Identity, project_id: str, invitation_id: str) -> None:
        project, _ = self.member(person, project_id, owner=True)
        if not is_uuid(invitation_id) or not self._repo.delete_invitation(project.id, invitation_id):
            raise NotFound("invitation")
        self._audit(person, project.id, "invitation.withdrawn", {"invitation_id": invitation_id})

    def accept(self, person: Identity, token: str) -> dict[str, Any]:
        """Joins the project the mailed invitation names; the link works once, for 7 days."""
        now = int(self._clock().timestamp())
        found = self._repo.take_one_time(hash_secret(token), "invite", now)
        if found is None or found.project_id is None:
            raise ValidationFailed.field("token", BAD_INVITATION)
        project = self._projects.get_project(found.project_id)
        if project is None or not project.enabled:
            raise ValidationFailed.field("token", BAD_INVITATION)
        if found.invitation_id is not None:
            self._repo.delete_invitation(project.id, found.invitation_id)
        membership = Membership(project.id, person.account_id, MEMBER, self._clock())
        if self._repo.add_member(membership):
            self._audit(person, project.id, "member.joined", {"invited_email": found.email})
        else:
            membership = self.member(person, project.id)[1]
        return self._render(project, membership)

    # --- audit ------------------------------------------------------------------------------------------

    def audit(self, person: Identity, project_id: str, query: Mapping[str, str]) -> dict[str, Any]:
        """A page of the audit log, newest first: `limit` entries (1-100, 25 by default) after `cursor`."""
        project, _ = self.member(person, project_id)
        errors: Errors = {}
        limit = int_param(query, "limit", errors, default=AUDIT_PAGE, low=1, high=AUDIT_PAGE_MAX)
        cursor = query.get("cursor")
        if cursor is not None and not AUDIT_POSITION.fullmatch(cursor):
            errors["cursor"] = ["The cursor field is invalid."]
        raise_if(errors)
        entries, after = self._repo.audit(project.id, limit, cursor)
        return {"data": [render_audit(e) for e in entries], "next_cursor": after}

    def record(self, person: Identity, project_id: str, action: str, detail: dict[str, Any]) -> None:
        """An audit entry for a change made through another service (API tokens)."""
        self._audit(person, project_id, action, detail)

    def _audit(self, person: Identity, project_id: str, action: str, detail: dict[str, Any]) -> None:
        self._repo.add_audit(
            AuditEntry(new_id(), project_id, self._clock(), person.account_id, person.email, action, detail)
        )


def render_invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "email": invitation.email,
        "invited_by": invitation.invited_by,
        "created_at": format_timestamp(invitation.created_at),
        "expires_at": format_timestamp(datetime.fromtimestamp(invitation.expires_at, tz=UTC)),
    }


def render_audit(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": format_timestamp(entry.at),
        "actor": {"id": entry.actor_id, "email": entry.actor_email},
        "action": entry.action,
        "detail": entry.detail,
    }
