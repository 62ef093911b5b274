"""The local Cognito checks software-token codes as Cognito does (moto alone accepts any code, gives every
user one shared secret, and answers a challenge for any USERNAME): real RFC 6238 codes, one step either
side, a secret per user, and a challenge session that answers once, for its own user."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from kairos.portal.user_pool import create_client_request, create_pool_request
from kairos_local.moto_patches import cognito_totp, registry
from tests.totp import totp, wrong_code

REGION = "eu-central-1"
PASSWORD = "Right-Secret-7"


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, str]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", raising=False)
    cognito_totp.install(registry.replace)
    try:
        with mock_aws():
            client = boto3.client("cognito-idp", region_name=REGION)
            pool = client.create_user_pool(**create_pool_request())["UserPool"]["Id"]
            app = client.create_user_pool_client(**create_client_request(pool))["UserPoolClient"]["ClientId"]
            yield client, pool, app
    finally:
        registry.restore()


def _user(cognito: tuple[Any, str, str], email: str) -> str:
    """A user and their access token."""
    client, pool, _ = cognito
    client.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    client.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    return str(_auth(cognito, email)["AuthenticationResult"]["AccessToken"])


def _auth(cognito: tuple[Any, str, str], email: str) -> dict[str, Any]:
    client, pool, app = cognito
    result: dict[str, Any] = client.admin_initiate_auth(
        UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )  # fmt: skip
    return result


def _error(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


def _enabled(cognito: tuple[Any, str, str], email: str) -> str:
    """Software-token MFA set up and required for `email`; its secret."""
    client, pool, _ = cognito
    access = _user(cognito, email)
    secret = str(client.associate_software_token(AccessToken=access)["SecretCode"])
    client.verify_software_token(AccessToken=access, UserCode=totp(secret))
    client.admin_set_user_mfa_preference(
        UserPoolId=pool, Username=email,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )  # fmt: skip
    return secret


def test_each_user_gets_a_secret_of_their_own_and_only_its_codes_verify(
    cognito: tuple[Any, str, str],
) -> None:
    client = cognito[0]
    first, second = _user(cognito, "a@example.com"), _user(cognito, "b@example.com")
    secret = client.associate_software_token(AccessToken=first)["SecretCode"]
    other = client.associate_software_token(AccessToken=second)["SecretCode"]
    assert secret != other and len(secret) == 32

    verify = client.verify_software_token
    assert _error(lambda: verify(AccessToken=first, UserCode=wrong_code(secret))) == "CodeMismatchException"
    assert (
        _error(lambda: verify(AccessToken=first, UserCode=totp(secret, steps=2))) == "CodeMismatchException"
    )
    for steps in (-1, 0, 1):  # a clock a step apart is accepted, as by Cognito
        assert verify(AccessToken=first, UserCode=totp(secret, steps=steps))["Status"] == "SUCCESS"


def test_a_log_in_challenge_needs_the_users_current_code(cognito: tuple[Any, str, str]) -> None:
    client, pool, app = cognito
    secret = _enabled(cognito, "a@example.com")
    challenge = _auth(cognito, "a@example.com")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in challenge

    def respond(session: str, username: str, code: str) -> dict[str, Any]:
        answer: dict[str, Any] = client.admin_respond_to_auth_challenge(
            UserPoolId=pool, ClientId=app, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )  # fmt: skip
        return answer

    session = challenge["Session"]
    assert _error(lambda: respond(session, "a@example.com", wrong_code(secret))) == "CodeMismatchException"
    # the session is spent: even the right code needs a new log-in
    assert _error(lambda: respond(session, "a@example.com", totp(secret))) == "NotAuthorizedException"
    session = _auth(cognito, "a@example.com")["Session"]
    assert "IdToken" in respond(session, "a@example.com", totp(secret))["AuthenticationResult"]


def test_a_challenge_session_cannot_log_in_another_user(cognito: tuple[Any, str, str]) -> None:
    client, pool, app = cognito
    attacker_secret = _enabled(cognito, "attacker@example.com")
    _enabled(cognito, "victim@example.com")
    session = _auth(cognito, "attacker@example.com")["Session"]
    refused = _error(
        lambda: client.admin_respond_to_auth_challenge(
            UserPoolId=pool,
            ClientId=app,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={
                "USERNAME": "victim@example.com",
                "SOFTWARE_TOKEN_MFA_CODE": totp(attacker_secret),
            },
        )
    )
    assert refused == "NotAuthorizedException"
