"""The Cognito user pool of the Portal, defined once: the CDK construct (`infra/portal.py`) and the local
server (`kairos_local.bootstrap`) both build it from here, so the local accounts obey the deployed rules.

Accounts are made by the `portal_accounts` function only (AdminCreateUser with the email address as the
username; no self sign-up) and become usable when Kairos has verified the address and set
`email_verified`: Cognito sends no mail of its own (no auto-verified attribute, invitations suppressed),
Kairos does (`kairos.portal.accounts`). The app client has no password flow of its own
(ADMIN_USER_PASSWORD_AUTH needs the functions' IAM role): every log-in goes through Kairos' rate limits."""

from typing import Any, Final

POOL_NAME: Final = "kairos-portal"
CLIENT_NAME: Final = "kairos-portal-web"
PASSWORD_MIN_LENGTH: Final = 8
PASSWORD_POLICY: Final[dict[str, Any]] = {
    "MinimumLength": PASSWORD_MIN_LENGTH,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 1,
}
AUTH_FLOWS: Final = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ID_TOKEN_MINUTES: Final = 60
REFRESH_TOKEN_DAYS: Final = 30
STANDARD_ATTRIBUTES: Final = ("email", "name")
# The account's stable id, on a Cognito user made by an e-mail change (kairos.portal.email_change): the
# address is the username and `email` is immutable, so a new address is a new user (a new `sub`) that
# carries the account's first `sub` here. Immutable, and no app client may write it: nobody can take
# another account's id. Custom attributes are the only schema change a live pool accepts.
ACCOUNT_ID_NAME: Final = "kairos_id"
ACCOUNT_ID_ATTRIBUTE: Final = f"custom:{ACCOUNT_ID_NAME}"
ACCOUNT_ID_MAX_LENGTH: Final = 64
ACCOUNT_ID_SCHEMA: Final[dict[str, Any]] = {
    "Name": ACCOUNT_ID_NAME,
    "AttributeDataType": "String",
    "Mutable": False,
    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": str(ACCOUNT_ID_MAX_LENGTH)},
}


def create_pool_request() -> dict[str, Any]:
    """CreateUserPool as boto3 takes it (the local server; infra/portal.py maps the same fields)."""
    return {
        "PoolName": POOL_NAME,
        "Policies": {"PasswordPolicy": PASSWORD_POLICY},
        "AutoVerifiedAttributes": [],
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        "UsernameConfiguration": {"CaseSensitive": False},
        "MfaConfiguration": "OPTIONAL",  # an authenticator app (TOTP), each person's choice; no SMS
        "Schema": [ACCOUNT_ID_SCHEMA],
    }


def create_client_request(user_pool_id: str) -> dict[str, Any]:
    return {
        "UserPoolId": user_pool_id,
        "ClientName": CLIENT_NAME,
        "GenerateSecret": False,
        "ExplicitAuthFlows": AUTH_FLOWS,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "IdTokenValidity": ID_TOKEN_MINUTES,
        "AccessTokenValidity": ID_TOKEN_MINUTES,
        "RefreshTokenValidity": REFRESH_TOKEN_DAYS,
        "TokenValidityUnits": {"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "days"},
        "ReadAttributes": [*STANDARD_ATTRIBUTES, ACCOUNT_ID_ATTRIBUTE],  # the ID token carries them
        "WriteAttributes": ["name"],
    }
