"""The admin API's route table: every Portal endpoint once, with the function that serves it. The CDK
construct (`infra/portal.py`), the local server, the handlers and the admin OpenAPI document all read it.

Two functions: `portal_accounts` answers the routes a person calls before having a session (register,
verify, log in, reset a password): no authorizer, rate-limited per address and email. `portal` answers
everything else, behind the Cognito authorizer (deployed) or the local server's check of the same JWT."""

import re
from dataclasses import dataclass
from enum import StrEnum

from kairos.routes import path_params, path_pattern


class PortalArea(StrEnum):
    ACCOUNTS = "portal_accounts"
    PORTAL = "portal"


PORTAL_PREFIX = "/portal"
PROJECT_ITEM = f"{PORTAL_PREFIX}/projects/{{project}}"


@dataclass(frozen=True)
class PortalRoute:
    method: str
    path: str
    operation_id: str
    summary: str
    # The body's model, by name: one of kairos.portal.models, or a body the public API's service validates
    # (kairos.portal.models.SERVICE_BODIES, described by the public document's schema of that name).
    request: str | None = None
    status: int = 200
    area: PortalArea = PortalArea.PORTAL

    @property
    def authorized(self) -> bool:
        """Behind the Cognito authorizer: every route of the `portal` function."""
        return self.area is PortalArea.PORTAL

    @property
    def path_params(self) -> list[str]:
        return path_params(self.path)

    @property
    def pattern(self) -> re.Pattern[str]:
        return path_pattern(self.path)


def _open(
    method: str, path: str, operation_id: str, summary: str, request: str | None = None, status: int = 200
) -> PortalRoute:
    return PortalRoute(
        method, PORTAL_PREFIX + path, operation_id, summary, request, status, PortalArea.ACCOUNTS
    )


def _auth(
    method: str, path: str, operation_id: str, summary: str, request: str | None = None, status: int = 200
) -> PortalRoute:
    return PortalRoute(method, PORTAL_PREFIX + path, operation_id, summary, request, status)


PORTAL_ROUTES: tuple[PortalRoute, ...] = (
    # --- accounts, before a session ----------------------------------------------------------------------
    _open(
        "POST",
        "/account/register",
        "register",
        "Register (a verification mail follows)",
        request="Register",
        status=202,
    ),
    _open(
        "POST",
        "/account/verify",
        "verifyEmail",
        "Verify an email address with the mailed token and the registration's password",
        request="VerifyBody",
    ),
    _open(
        "POST",
        "/account/verification",
        "resendVerification",
        "Send the verification mail again",
        request="EmailBody",
        status=202,
    ),
    _open(
        "POST",
        "/account/forgot-password",
        "forgotPassword",
        "Mail a password-reset link",
        request="EmailBody",
        status=202,
    ),
    _open(
        "POST",
        "/account/reset-password",
        "resetPassword",
        "Set a new password with the mailed token",
        request="ResetPassword",
    ),
    _open(
        "POST", "/session", "logIn", "Log in: Cognito tokens for the Authorization header", request="LogIn"
    ),
    _open(
        "POST",
        "/session/refresh",
        "refreshSession",
        "New ID and access tokens from a refresh token",
        request="Refresh",
    ),
    _open("GET", "/openapi.json", "getPortalOpenApi", "The OpenAPI document of the admin API"),
    # --- the person ---------------------------------------------------------------------------------------
    _auth("DELETE", "/session", "logOut", "Log out everywhere (refresh tokens revoked)", status=204),
    _auth("GET", "/account", "getAccount", "Who is logged in"),
    _auth("PATCH", "/account", "updateAccount", "Change your name", request="AccountPatch"),
    _auth(
        "POST",
        "/account/password",
        "changePassword",
        "Change your password",
        request="ChangePassword",
        status=204,
    ),
    _auth(
        "POST",
        "/account/email",
        "changeEmail",
        "Mail a link to a new address for your account (with your password)",
        request="ChangeEmail",
        status=202,
    ),
    _auth(
        "POST",
        "/account/email/confirm",
        "confirmEmail",
        "Make the new address your account's, with the mailed link (other sessions end)",
        request="ConfirmEmail",
    ),
    _auth("GET", "/account/two-factor", "getTwoFactor", "Whether log-ins ask for an authenticator's code"),
    _auth(
        "POST",
        "/account/two-factor/setup",
        "startTwoFactor",
        "A new authenticator secret and its otpauth:// URI (with your password)",
        request="PasswordBody",
    ),
    _auth(
        "POST",
        "/account/two-factor",
        "enableTwoFactor",
        "Turn two-factor authentication on with a code of the new secret",
        request="TwoFactorCode",
        status=204,
    ),
    _auth(
        "POST",
        "/account/two-factor/disable",
        "disableTwoFactor",
        "Turn two-factor authentication off (your password and a current code)",
        request="TwoFactorCode",
        status=204,
    ),
    _auth(
        "GET",
        "/account/deletion",
        "getAccountDeletion",
        "What deleting your account would delete, or which projects stop it",
    ),
    _auth(
        "POST",
        "/account/delete",
        "deleteAccount",
        "Delete your account and the projects you own alone",
        request="DeleteAccount",
        status=204,
    ),
    _auth("GET", "/plans", "getPlans", "The plans and their limits"),
    _auth("GET", "/abilities", "getAbilities", "Every ability an API token can hold"),
    _auth("GET", "/webhook-events", "getWebhookEvents", "Every event type a webhook can receive"),
    _auth(
        "POST",
        "/invitations/accept",
        "acceptInvitation",
        "Join a project with an invitation's token",
        request="TokenBody",
    ),
    # --- projects -----------------------------------------------------------------------------------------
    _auth("GET", "/projects", "getProjects", "Your projects"),
    _auth(
        "POST",
        "/projects",
        "postProject",
        "Create a project (you are its owner; free plan)",
        request="ProjectBody",
        status=201,
    ),
    _auth("GET", PROJECT_ITEM.removeprefix(PORTAL_PREFIX), "getProject", "A project"),
    _auth(
        "PATCH",
        PROJECT_ITEM.removeprefix(PORTAL_PREFIX),
        "patchProject",
        "Rename a project (owner)",
        request="ProjectBody",
    ),
    _auth(
        "DELETE",
        PROJECT_ITEM.removeprefix(PORTAL_PREFIX),
        "deleteProject",
        "Delete a project (owner)",
        status=204,
    ),
    _auth(
        "PUT",
        "/projects/{project}/plan",
        "putProjectPlan",
        "Change the plan (owner; takes effect at once)",
        request="PlanBody",
    ),
    _auth("GET", "/projects/{project}/members", "getMembers", "The project's members"),
    _auth(
        "DELETE",
        "/projects/{project}/members/{account}",
        "deleteMember",
        "Remove a member (owner)",
        status=204,
    ),
    _auth("GET", "/projects/{project}/invitations", "getInvitations", "Open invitations (owner)"),
    _auth(
        "POST",
        "/projects/{project}/invitations",
        "postInvitation",
        "Invite someone by email (owner)",
        request="EmailBody",
        status=201,
    ),
    _auth(
        "DELETE",
        "/projects/{project}/invitations/{invitation}",
        "deleteInvitation",
        "Withdraw an invitation (owner)",
        status=204,
    ),
    _auth("GET", "/projects/{project}/audit", "getAudit", "Membership, plan and token changes, newest first"),
    _auth("GET", "/projects/{project}/tokens", "getTokens", "The project's API tokens"),
    _auth(
        "POST",
        "/projects/{project}/tokens",
        "postToken",
        "Create an API token (its value is shown once)",
        request="TokenCreate",
        status=201,
    ),
    _auth(
        "PATCH",
        "/projects/{project}/tokens/{token-id}",
        "patchToken",
        "Change a token's name or abilities",
        request="TokenPatch",
    ),
    _auth(
        "DELETE", "/projects/{project}/tokens/{token-id}", "deleteToken", "Delete an API token", status=204
    ),
    _auth("GET", "/projects/{project}/requests", "getRequests", "The API request log, newest first"),
    _auth(
        "GET",
        "/projects/{project}/dashboard",
        "getDashboard",
        "Requests, processing time and webhook requests",
    ),
    _auth("GET", "/projects/{project}/webhooks", "getProjectWebhooks", "The project's webhooks"),
    _auth(
        "POST",
        "/projects/{project}/webhooks",
        "postProjectWebhook",
        "Create a webhook (its secret is shown once)",
        request="WebhookInput",
        status=201,
    ),
    _auth(
        "PATCH",
        "/projects/{project}/webhooks/{webhook}",
        "patchProjectWebhook",
        "Change a webhook's url, events, description, or enable or disable it",
        request="WebhookPatch",
    ),
    _auth(
        "DELETE",
        "/projects/{project}/webhooks/{webhook}",
        "deleteProjectWebhook",
        "Delete a webhook",
        status=204,
    ),
    _auth(
        "POST",
        "/projects/{project}/webhooks/{webhook}/rotate",
        "rotateProjectWebhookSecret",
        "A new secret, shown once (the old one stays valid for 24 hours)",
    ),
    _auth(
        "GET",
        "/projects/{project}/webhooks/{webhook}/deliveries",
        "getProjectWebhookDeliveries",
        "A webhook's deliveries, newest first",
    ),
    _auth(
        "POST",
        "/projects/{project}/webhooks/{webhook}/deliveries/{delivery}/redeliver",
        "redeliverProjectWebhook",
        "Deliver an event again",
        status=202,
    ),
)


def portal_routes_for(area: PortalArea) -> list[PortalRoute]:
    return [r for r in PORTAL_ROUTES if r.area is area]


def match_portal(method: str, path: str) -> tuple[PortalRoute | None, list[PortalRoute]]:
    """The route for (method, path), and every route whose path matches whatever the method."""
    same_path = [r for r in PORTAL_ROUTES if r.pattern.match(path)]
    return next((r for r in same_path if r.method == method), None), same_path


def is_portal_path(path: str) -> bool:
    return path == PORTAL_PREFIX or path.startswith(PORTAL_PREFIX + "/")
