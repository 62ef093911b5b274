"""The handlers of the two Portal functions, each a few lines: read the validated body or query, call one
service, render. What a rule says lives in `kairos.portal` (and the services it reuses)."""

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.event_handler import Response

from kairos.abilities import ALL_ABILITIES
from kairos.api.documents import document_response
from kairos.api.http import json_response, no_content
from kairos.api.portal_app import PortalHandler, PortalRequest
from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.listing import Page
from kairos.domain.shared.plans import PLANS
from kairos.events.definitions import EVENT_TYPES
from kairos.portal.accounts import CODE_FIRST
from kairos.portal.ports import Account, CodeNeeded
from kairos.portal.workspace import render_plan
from kairos.values.formats import format_timestamp, now_utc

DASHBOARD_DAYS = 30  # the guide's "Last 30 days"


def render_account(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "email": account.email,
        "created_at": format_timestamp(account.created_at),
    }


def _message(text: str, status: int = 202) -> Response[str]:
    return json_response(status, {"message": text})


def accounts_endpoints(container: Container) -> dict[str, PortalHandler]:
    """Routes a person calls before having a session."""
    accounts = container.accounts

    def register(r: PortalRequest) -> Response[str]:
        b = r.body()
        return _message(accounts.register(b.name, b.email, b.password, r.source, b.browser))

    def verify(r: PortalRequest) -> Response[str]:
        b = r.body()
        account, session = accounts.verify(b.token, b.password, r.source, b.browser)
        logged_in = {"session": asdict(session)} if session else {}
        return json_response(200, {**render_account(account), **logged_in})

    def resend(r: PortalRequest) -> Response[str]:
        return _message(accounts.resend_verification(r.body().email, r.source))

    def forgot(r: PortalRequest) -> Response[str]:
        return _message(accounts.forgot_password(r.body().email, r.source))

    def reset(r: PortalRequest) -> Response[str]:
        b = r.body()
        accounts.reset_password(b.token, b.password, r.source)
        return _message("Your password was changed; log in with it.", 200)

    def log_in(r: PortalRequest) -> Response[str]:
        b = r.body()
        session = accounts.log_in(b.email, b.password, r.source, b.unlock, b.code)
        if isinstance(session, CodeNeeded):
            return json_response(200, {"code_required": True, "message": CODE_FIRST})
        return json_response(200, asdict(session))

    def refresh(r: PortalRequest) -> Response[str]:
        return json_response(200, asdict(accounts.refresh(r.body().refresh_token, r.source)))

    def openapi(r: PortalRequest) -> Response[str]:
        return document_response("portal-openapi.json")

    return {
        "register": register,
        "verifyEmail": verify,
        "resendVerification": resend,
        "forgotPassword": forgot,
        "resetPassword": reset,
        "logIn": log_in,
        "refreshSession": refresh,
        "getPortalOpenApi": openapi,
    }


def portal_endpoints(container: Container) -> dict[str, PortalHandler]:
    """Routes behind the authorizer: the person, their projects and everything in them."""
    accounts, workspace = container.accounts, container.workspace

    def log_out(r: PortalRequest) -> Response[str]:
        accounts.log_out(r.person)
        return no_content()

    def get_account(r: PortalRequest) -> Response[str]:
        return json_response(200, render_account(accounts.account(r.person)))

    def update_account(r: PortalRequest) -> Response[str]:
        return json_response(200, render_account(accounts.rename(r.person, r.body().name)))

    def change_password(r: PortalRequest) -> Response[str]:
        b = r.body()
        accounts.change_password(r.person, b.current_password, b.password, r.source)
        return no_content()

    def change_email(r: PortalRequest) -> Response[str]:
        b = r.body()
        return _message(container.email_change.start(r.person, b.email, b.password, b.code, r.source))

    def confirm_email(r: PortalRequest) -> Response[str]:
        b = r.body()
        email, session = container.email_change.confirm(r.person, b.token, b.password, b.code, r.source)
        logged_in = {"session": asdict(session)} if session else {}
        return json_response(200, {"email": email, "two_factor": False, **logged_in})

    def plans(r: PortalRequest) -> Response[str]:
        return json_response(200, {"data": [render_plan(name) for name in PLANS]})

    def two_factor(r: PortalRequest) -> Response[str]:
        return json_response(200, {"enabled": accounts.two_factor_on(r.person)})

    def start_two_factor(r: PortalRequest) -> Response[str]:
        return json_response(200, accounts.start_two_factor(r.person, r.body().password, r.source))

    def enable_two_factor(r: PortalRequest) -> Response[str]:
        b = r.body()
        accounts.switch_two_factor(r.person, b.password, b.code, r.source, on=True)
        return no_content()

    def disable_two_factor(r: PortalRequest) -> Response[str]:
        b = r.body()
        accounts.switch_two_factor(r.person, b.password, b.code, r.source, on=False)
        return no_content()

    def deletion(r: PortalRequest) -> Response[str]:
        return json_response(200, container.account_deletion.preview(r.person))

    def delete_account(r: PortalRequest) -> Response[str]:
        b = r.body()
        container.account_deletion.delete(r.person, b.password, b.code, b.confirmation, r.source)
        return no_content()

    def abilities(r: PortalRequest) -> Response[str]:
        return json_response(200, {"data": list(ALL_ABILITIES)})

    def webhook_events(r: PortalRequest) -> Response[str]:
        return json_response(200, {"data": list(EVENT_TYPES)})

    def accept(r: PortalRequest) -> Response[str]:
        return json_response(200, workspace.accept(r.person, r.body().token))

    def projects(r: PortalRequest) -> Response[str]:
        return json_response(200, {"data": workspace.projects(r.person)})

    def create_project(r: PortalRequest) -> Response[str]:
        return json_response(201, workspace.create(r.person, r.body().name))

    def get_project(r: PortalRequest) -> Response[str]:
        return json_response(200, workspace.project(r.person, r.path["project"]))

    def rename(r: PortalRequest) -> Response[str]:
        return json_response(200, workspace.rename(r.person, r.path["project"], r.body().name))

    def delete_project(r: PortalRequest) -> Response[str]:
        workspace.delete(r.person, r.path["project"])
        return no_content()

    def plan(r: PortalRequest) -> Response[str]:
        return json_response(200, workspace.change_plan(r.person, r.path["project"], r.body().plan))

    def members(r: PortalRequest) -> Response[str]:
        return json_response(200, {"data": workspace.members(r.person, r.path["project"])})

    def remove_member(r: PortalRequest) -> Response[str]:
        workspace.remove_member(r.person, r.path["project"], r.path["account"])
        return no_content()

    def invitations(r: PortalRequest) -> Response[str]:
        return json_response(200, {"data": workspace.invitations(r.person, r.path["project"])})

    def invite(r: PortalRequest) -> Response[str]:
        return json_response(201, workspace.invite(r.person, r.path["project"], r.body().email))

    def withdraw(r: PortalRequest) -> Response[str]:
        workspace.withdraw(r.person, r.path["project"], r.path["invitation"])
        return no_content()

    def audit(r: PortalRequest) -> Response[str]:
        return json_response(200, workspace.audit(r.person, r.path["project"], r.query))

    return {
        "logOut": log_out,
        "getAccount": get_account,
        "updateAccount": update_account,
        "changeEmail": change_email,
        "confirmEmail": confirm_email,
        "changePassword": change_password,
        "getTwoFactor": two_factor,
        "startTwoFactor": start_two_factor,
        "enableTwoFactor": enable_two_factor,
        "disableTwoFactor": disable_two_factor,
        "getAccountDeletion": deletion,
        "deleteAccount": delete_account,
        "getPlans": plans,
        "getAbilities": abilities,
        "getWebhookEvents": webhook_events,
        "acceptInvitation": accept,
        "getProjects": projects,
        "postProject": create_project,
        "getProject": get_project,
        "patchProject": rename,
        "deleteProject": delete_project,
        "putProjectPlan": plan,
        "getMembers": members,
        "deleteMember": remove_member,
        "getInvitations": invitations,
        "postInvitation": invite,
        "deleteInvitation": withdraw,
        "getAudit": audit,
        **_project_content_endpoints(container),
    }


def _project_content_endpoints(container: Container) -> dict[str, PortalHandler]:
    """What is inside a project: its API tokens, request log, dashboard figures and webhooks."""
    workspace, tokens = container.workspace, container.api_tokens

    def list_tokens(r: PortalRequest) -> Response[str]:
        return json_response(200, tokens.listing(r.person, r.path["project"]))

    def create_token(r: PortalRequest) -> Response[str]:
        b = r.body()
        return json_response(201, tokens.create(r.person, r.path["project"], b.name, b.abilities))

    def change_token(r: PortalRequest) -> Response[str]:
        b = r.body()
        changed = tokens.change(r.person, r.path["project"], r.path["token-id"], b.name, b.abilities)
        return json_response(200, changed)

    def delete_token(r: PortalRequest) -> Response[str]:
        tokens.delete(r.person, r.path["project"], r.path["token-id"])
        return no_content()

    def requests(r: PortalRequest) -> Response[str]:
        project, _ = workspace.member(r.person, r.path["project"])
        return json_response(200, container.request_log.page(project.id, r.query))

    def dashboard(r: PortalRequest) -> Response[str]:
        project, _ = workspace.member(r.person, r.path["project"])
        today = now_utc().date()
        query = {
            "from": r.query.get("from") or (today - timedelta(days=DASHBOARD_DAYS - 1)).isoformat(),
            "to": r.query.get("to") or today.isoformat(),
        }
        return json_response(200, container.usage_report.report(project, query))

    def webhooks(r: PortalRequest) -> Response[str]:
        page: Page = container.webhooks.page(_acting(container, r), r.query)
        return json_response(200, {"data": page.items, "meta": _meta(page)})

    def create_webhook(r: PortalRequest) -> Response[str]:
        project_id = _acting(container, r).project_id
        return json_response(201, container.webhooks.create(project_id, r.body()))

    def change_webhook(r: PortalRequest) -> Response[str]:
        changed = container.webhooks.patch(_acting(container, r), r.path["webhook"], r.body())
        return json_response(200, changed)

    def delete_webhook(r: PortalRequest) -> Response[str]:
        container.webhooks.delete(_acting(container, r).project_id, r.path["webhook"])
        return no_content()

    def rotate_webhook(r: PortalRequest) -> Response[str]:
        project_id = _acting(container, r).project_id
        return json_response(200, container.webhooks.rotate(project_id, r.path["webhook"]))

    def deliveries(r: PortalRequest) -> Response[str]:
        project_id = _acting(container, r).project_id
        page = container.dispatcher.deliveries(project_id, r.path["webhook"], r.query)
        return json_response(200, {"data": page.items, "meta": _meta(page)})

    def redeliver(r: PortalRequest) -> Response[str]:
        project_id = _acting(container, r).project_id
        answer = container.dispatcher.redeliver(project_id, r.path["webhook"], r.path["delivery"])
        return json_response(202, answer)

    return {
        "getTokens": list_tokens,
        "postToken": create_token,
        "patchToken": change_token,
        "deleteToken": delete_token,
        "getRequests": requests,
        "getDashboard": dashboard,
        "getProjectWebhooks": webhooks,
        "postProjectWebhook": create_webhook,
        "patchProjectWebhook": change_webhook,
        "deleteProjectWebhook": delete_webhook,
        "rotateProjectWebhookSecret": rotate_webhook,
        "getProjectWebhookDeliveries": deliveries,
        "redeliverProjectWebhook": redeliver,
    }


def _acting(container: Container, r: PortalRequest) -> Principal:
    """A member acts on the project's webhooks with the webhook abilities, through the same services the
    public API's webhook routes use."""
    project, _ = container.workspace.member(r.person, r.path["project"])
    return Principal(project, "portal", frozenset({"webhook:view", "webhook:update"}), "Portal")


def _meta(page: Page) -> dict[str, Any]:
    return {
        "current_page": page.page,
        "last_page": page.last_page,
        "per_page": page.per_page,
        "total": page.total,
    }
