"""The admin API's request bodies: validated at the edge (Hapio's 422 shape, `kairos.domain.validation`)
and described in the admin OpenAPI document from the same models. The webhook bodies are the exception
(`SERVICE_BODIES`): the public API's webhook service validates them, so the Portal and the public API
accept exactly the same webhooks, and the document takes their schemas from the public API's."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from kairos.abilities import ALL_ABILITIES
from kairos.domain.fields import NAME_PATTERN
from kairos.domain.formats import SPACE
from kairos.domain.plans import PLANS
from kairos.portal.user_pool import PASSWORD_MIN_LENGTH

MAX_NAME = 255
MIN_PASSWORD = PASSWORD_MIN_LENGTH  # Cognito enforces the pool's policy too (kairos.portal.user_pool)
MAX_PASSWORD = 256
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")  # the ones Cognito's policy counts
# The rules below, as the OpenAPI document states them: an address is text without whitespace (around it
# is trimmed), with an @ and a dot after the last @; a new password has a lower and an upper case letter
# (a-z, A-Z: Cognito's), a digit and one of SYMBOLS, and at least MIN_PASSWORD characters.
_DOMAIN = f"[^{SPACE}\\u0000@]*"
EMAIL_PATTERN = f"^[{SPACE}]*[^{SPACE}\\u0000]+@{_DOMAIN}\\.{_DOMAIN}[{SPACE}]*$"
_SYMBOL = "[" + "".join("\\" + c if c in "\\]^-[" else c for c in sorted(SYMBOLS)) + "]"
_ANY = "[^\\u0000]"
NEW_PASSWORD_PATTERN = "".join(
    f"(?={_ANY}*{wanted})" for wanted in ("[a-z]", "[A-Z]", "[0-9]", _SYMBOL)
).join(("^", f"{_ANY}{{{MIN_PASSWORD},{MAX_PASSWORD}}}$"))

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128),  # Cognito's
    Field(json_schema_extra={"pattern": EMAIL_PATTERN}),
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD)]
NewPassword = Annotated[Password, Field(json_schema_extra={"pattern": NEW_PASSWORD_PATTERN})]
Secret = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=512),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),  # something besides whitespace
]
Ability = Annotated[
    str, StringConstraints(max_length=100), Field(json_schema_extra={"enum": list(ALL_ABILITIES)})
]


def normal_email(value: str) -> str:
    """An address as Kairos keys it: trimmed and in lower case (one account per address)."""
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value.strip()):
        raise ValueError("must be a valid email address")
    return value.strip().lower()


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _WithEmail(_Body):
    email: Email

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normal_email(value)


class _NewPassword(_Body):
    password: NewPassword
    password_confirmation: Password

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str) -> str:
        if len(value) < MIN_PASSWORD:
            raise ValueError(f"must be at least {MIN_PASSWORD} characters")
        if not (any("a" <= c <= "z" for c in value) and any("A" <= c <= "Z" for c in value)):
            raise ValueError("must contain upper and lower case letters")
        if not any("0" <= c <= "9" for c in value):
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


class LogIn(_WithEmail):
    password: Password


class Refresh(_Body):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=8192)]


class AccountPatch(_Body):
    name: Name


class ChangePassword(_NewPassword):
    current_password: Password


class ProjectBody(_Body):
    name: Name


class PlanBody(_Body):
    plan: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
        Field(json_schema_extra={"enum": list(PLANS)}),
    ]


class TokenCreate(_Body):
    name: Name
    abilities: list[Ability] | None = None  # None: every one


class TokenPatch(_Body):
    name: Name | None = None
    abilities: list[Ability] | None = None


BODIES: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        Register,
        EmailBody,
        TokenBody,
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
