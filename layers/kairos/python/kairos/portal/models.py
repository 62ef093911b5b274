"""The admin API's request bodies: validated at the edge (Hapio's 422 shape,
`kairos.domain.shared.validation`)
and described in the admin OpenAPI document from the same models. The webhook bodies are the exception
(`SERVICE_BODIES`): the public API's webhook service validates them, so the Portal and the public API
accept exactly the same webhooks, and the document takes their schemas from the public API's."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from kairos.abilities import ALL_ABILITIES
from kairos.domain.shared.fields import Name  # every name of the Portal and of the public API: one rule
from kairos.domain.shared.plans import PLANS
from kairos.portal.user_pool import PASSWORD_MIN_LENGTH
from kairos.values.formats import SPACE, TRIMMED
from kairos.values.text import MAX_EMAIL, normal_email

MIN_PASSWORD = PASSWORD_MIN_LENGTH  # Cognito enforces the pool's policy too (kairos.portal.user_pool)
MAX_PASSWORD = 256
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")  # the ones Cognito's policy counts

# The rules below as the OpenAPI document states them. An address: the plain ASCII ones `normal_email`
# takes (a dot-atom of at most 64 characters before the @, then labels of letters, digits and inner
# hyphens, none an IDNA `xn--` one), whitespace around it trimmed; it also takes international domains
# (IDNA), which the document says in words. A new password: a lower and an upper case letter (a-z, A-Z:
# Cognito's), a digit and one of SYMBOLS, at least MIN_PASSWORD characters. A secret: something besides
# whitespace.
_ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = "(?![xX][nN]--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = f"^[{SPACE}]*{_ATOM}{{1,32}}(?:\\.{_ATOM}{{1,15}}){{0,2}}@{_LABEL}(?:\\.{_LABEL})+[{SPACE}]*$"
_SYMBOL = "[" + "".join("\\" + c if c in "\\]^-[" else c for c in sorted(SYMBOLS)) + "]"
_ANY = "[^\\u0000]"
NEW_PASSWORD_PATTERN = "".join(
    f"(?={_ANY}*{wanted})" for wanted in ("[a-z]", "[A-Z]", "[0-9]", _SYMBOL)
).join(("^", f"{_ANY}{{{MIN_PASSWORD},{MAX_PASSWORD}}}$"))
SECRET_PATTERN = f"^{_ANY}*[^{TRIMMED}\\u0000]{_ANY}*$"  # pydantic trims it first

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EMAIL),  # Cognito's
    Field(
        json_schema_extra={
            "pattern": EMAIL_PATTERN,
            "description": "An address; an international domain (IDNA) is taken too.",
        }
    ),
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD)]
NewPassword = Annotated[Password, Field(json_schema_extra={"pattern": NEW_PASSWORD_PATTERN})]
Secret = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=512),
    Field(json_schema_extra={"pattern": SECRET_PATTERN}),
]
Code = Annotated[  # an authenticator app's current code (RFC 6238: 6 digits)
    str,
    StringConstraints(strip_whitespace=True, min_length=6, max_length=6, pattern="^[0-9]{6}$"),
    Field(json_schema_extra={"description": "The 6-digit code the authenticator app shows now."}),
]
Ability = Annotated[
    str, StringConstraints(max_length=100), Field(json_schema_extra={"enum": list(ALL_ABILITIES)})
]


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
    browser: Secret | None = None  # a secret the registering browser keeps (verifying there logs in)


class EmailBody(_WithEmail):
    pass


class TokenBody(_Body):
    token: Secret


class ResetPassword(_NewPassword):
    token: Secret


class VerifyBody(TokenBody):
    password: Password  # the one the address was last registered with (kairos.portal.accounts)
    browser: Secret | None = None  # the registering browser's secret, if this is that browser


class LogIn(_WithEmail):
    password: Password
    unlock: Secret | None = None  # the mailed unlock link's secret, once the log-in guard is up
    code: Code | None = None  # with two-factor authentication on: the authenticator's code


class PasswordBody(_Body):
    password: Password  # the person's current password: proves it is them, not only their session


class TwoFactorCode(PasswordBody):
    code: Code


class DeleteAccount(PasswordBody):
    code: Code | None = None  # with two-factor authentication on
    confirmation: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
        Field(json_schema_extra={"description": 'The words "delete my account", typed.'}),
    ]


class ChangeEmail(_WithEmail):
    password: Password  # the person's current password
    code: Code | None = None  # with two-factor authentication on


class ConfirmEmail(TokenBody):
    password: Password
    code: Code | None = None


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
        VerifyBody,
        ResetPassword,
        LogIn,
        PasswordBody,
        TwoFactorCode,
        DeleteAccount,
        ChangeEmail,
        ConfirmEmail,
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
