"""The admin API's request bodies: validated at the edge (Hapio's 422 shape, `kairos.domain.validation`)
and described in the admin OpenAPI document from the same models. The webhook bodies are the exception
(`SERVICE_BODIES`): the public API's webhook service validates them, so the Portal and the public API
accept exactly the same webhooks, and the document takes their schemas from the public API's."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from kairos.domain.fields import Name  # every name of the Portal and of the public API: one rule
from kairos.domain.text import normal_email
from kairos.portal.user_pool import PASSWORD_MIN_LENGTH

MIN_PASSWORD = PASSWORD_MIN_LENGTH  # Cognito enforces the pool's policy too (kairos.portal.user_pool)
MAX_PASSWORD = 256
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")  # the ones Cognito's policy counts

Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]  # Cognito's
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD)]
Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _WithEmail(_Body):
    email: Email

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normal_email(value)


class _NewPassword(_Body):
    password: Password
    password_confirmation: Password

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str) -> str:
        if len(value) < MIN_PASSWORD:
            raise ValueError(f"must be at least {MIN_PASSWORD} characters")
        if not (any(c.islower() for c in value) and any(c.isupper() for c in value)):
            raise ValueError("must contain upper and lower case letters")
        if not any(c.isdigit() for c in value):
            raise ValueError("must contain a number")
        if not any(c in SYMBOLS for c in value):
            raise ValueError("must contain a symbol")
        return value

    @field_validator("password_confirmation")
    @classmethod
    def _confirmed(cls, value: str, info: ValidationInfo) -> str:
        if "password" in info.data and value != info.data["password"]:
            raise ValueError("must match the password")
        return value


class Register(_NewPassword, _WithEmail):
    name: Name


class EmailBody(_WithEmail):
    pass


class TokenBody(_Body):
    token: Secret


class ResetPassword(_NewPassword):
    token: Secret


class VerifyBody(TokenBody):
    password: Password  # the one the address was last registered with (kairos.portal.accounts)


class LogIn(_WithEmail):
    password: Password
    unlock: Secret | None = None  # the mailed unlock link's secret, once the log-in guard is up


class Refresh(_Body):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=8192)]


class AccountPatch(_Body):
    name: Name


class ChangePassword(_NewPassword):
    current_password: Password


class ProjectBody(_Body):
    name: Name


class PlanBody(_Body):
    plan: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class TokenCreate(_Body):
    name: Name
    abilities: list[Annotated[str, StringConstraints(max_length=100)]] | None = None  # None: every one


class TokenPatch(_Body):
    name: Name | None = None
    abilities: list[Annotated[str, StringConstraints(max_length=100)]] | None = None


BODIES: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        Register,
        EmailBody,
        TokenBody,
        VerifyBody,
        ResetPassword,
        LogIn,
        Refresh,
        AccountPatch,
        ChangePassword,
        ProjectBody,
        PlanBody,
        TokenCreate,
        TokenPatch,
    )
}

# Bodies handed whole to the public API's service that validates them (kairos.webhooks.subscriptions),
# named as the public OpenAPI document names their schemas.
SERVICE_BODIES: frozenset[str] = frozenset({"WebhookInput", "WebhookPatch"})
