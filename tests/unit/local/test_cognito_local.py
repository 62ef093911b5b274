"""The local Cognito: the password patch answers every password check as moto does while keeping only a
salted hash, tokens are signed with the data folder's own key (never with the key pair moto ships), and
the state the store journals (cognito_state) holds no password and restores accounts,
their passwords and their sessions."""

import base64
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, RSAKey
from moto import mock_aws
from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse
from moto.utilities.utils import load_resource

from kairos.portal.user_pool import create_client_request, create_pool_request
from kairos_local import cognito_state, moto_patches
from kairos_local.moto_patches.cognito_passwords import PasswordHash
from kairos_local.moto_patches.cognito_signing_key import new_key

REGION = "eu-central-1"
FIRST, SECOND, THIRD = "First-Secret-1", "Second-Secret-2", "Third-Secret-3"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def _outcome(call: Any) -> str:
    try:
        result = call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "tokens" if "AuthenticationResult" in result else "ok"


def _journey() -> list[str]:
    """Every password check moto makes, right and wrong: sign-up, log-in (user and admin flows), change,
    admin set."""
    client = boto3.client("cognito-idp", region_name=REGION)
    pool = client.create_user_pool(**create_pool_request())["UserPool"]["Id"]
    app = client.create_user_pool_client(**create_client_request(pool))["UserPoolClient"]["ClientId"]

    def log_in(password: str) -> str:
        parameters = {"USERNAME": "a@example.com", "PASSWORD": password}
        return _outcome(
            lambda: client.initiate_auth(
                ClientId=app, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
            )
        )

    def admin_log_in(password: str) -> str:
        parameters = {"USERNAME": "a@example.com", "PASSWORD": password}
        return _outcome(
            lambda: client.admin_initiate_auth(
                UserPoolId=pool, ClientId=app, AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=parameters
            )
        )

    seen = [_outcome(lambda: client.sign_up(ClientId=app, Username="a@example.com", Password=FIRST))]
    seen.append(log_in(FIRST))  # unconfirmed
    client.admin_confirm_sign_up(UserPoolId=pool, Username="a@example.com")
    seen += [log_in(SECOND), log_in(FIRST)]
    access = client.initiate_auth(
        ClientId=app,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "a@example.com", "PASSWORD": FIRST},
    )["AuthenticationResult"]["AccessToken"]
    seen.append(
        _outcome(
            lambda: client.change_password(
                PreviousPassword=SECOND, ProposedPassword=THIRD, AccessToken=access
            )
        )
    )
    seen.append(
        _outcome(
            lambda: client.change_password(
                PreviousPassword=FIRST, ProposedPassword=SECOND, AccessToken=access
            )
        )
    )
    seen += [log_in(FIRST), log_in(SECOND)]
    seen += [admin_log_in(FIRST), admin_log_in(SECOND)]  # the flow the Portal uses
    client.admin_set_user_password(UserPoolId=pool, Username="a@example.com", Password=THIRD, Permanent=True)
    seen += [log_in(SECOND), log_in(THIRD)]
    return seen


@pytest.fixture
def patched() -> Iterator[None]:
    with moto_patches.installed():
        yield


def test_the_password_patch_answers_every_check_as_moto_does() -> None:
    with mock_aws():
        expected = _journey()
    with moto_patches.installed(), mock_aws():
        assert _journey() == expected
    assert expected == [
        "ok",
        "UserNotConfirmedException",
        "NotAuthorizedException",
        "tokens",
        "NotAuthorizedException",
        "ok",
        "NotAuthorizedException",
        "tokens",
        "NotAuthorizedException",
        "tokens",
        "NotAuthorizedException",
        "tokens",
    ]


def test_an_unknown_refresh_token_is_refused_as_a_revoked_one_is(patched: None) -> None:
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool = client.create_user_pool(**create_pool_request())["UserPool"]["Id"]
        app = client.create_user_pool_client(**create_client_request(pool))["UserPoolClient"]["ClientId"]
        refused = _outcome(
            lambda: client.admin_initiate_auth(
                UserPoolId=pool,
                ClientId=app,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": "never-issued"},
            )
        )
    assert refused == "NotAuthorizedException"


def _pool(client: Any) -> tuple[str, str]:
    pool = client.create_user_pool(**create_pool_request())["UserPool"]["Id"]
    app = client.create_user_pool_client(**create_client_request(pool))["UserPoolClient"]["ClientId"]
    return pool, app


def _confirmed(client: Any, pool: str, app: str, email: str) -> None:
    client.sign_up(ClientId=app, Username=email, Password=FIRST)
    client.admin_confirm_sign_up(UserPoolId=pool, Username=email)


def _log_in(client: Any, app: str, email: str, password: str) -> Any:
    parameters = {"USERNAME": email, "PASSWORD": password}
    return client.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters)


def test_the_journaled_state_holds_no_password_and_restores_accounts_and_sessions(patched: None) -> None:
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool, app = _pool(client)
        _confirmed(client, pool, app, "b@example.com")
        session = _log_in(client, app, "b@example.com", FIRST)
        accounts = cognito_state.Accounts()
        accounts.commit(accounts.changes())
        kept = list(accounts.records())
        raw = b"".join(base64.b64decode(record.body) for record in kept)
        assert FIRST.encode() not in raw
        users = [
            pickle.loads(blob)
            for r in kept
            for k, blob in pickle.loads(base64.b64decode(r.body))
            if k[3] == "users"
        ]
        assert [type(user.password) for user in users] == [PasswordHash]

        client.admin_delete_user(UserPoolId=pool, Username="b@example.com")  # state lost ...
        for record in kept:  # ... and put back
            cognito_state.apply(record)
        assert _log_in(client, app, "b@example.com", FIRST)
        refresh = {"REFRESH_TOKEN": session["AuthenticationResult"]["RefreshToken"]}
        again = client.initiate_auth(ClientId=app, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
        assert again["AuthenticationResult"]["IdToken"]


def test_a_log_in_journals_its_session_not_every_account(patched: None) -> None:
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool, app = _pool(client)
        for name in ("c", "d", "e"):
            _confirmed(client, pool, app, f"{name}@example.com")
        accounts = cognito_state.Accounts()
        accounts.commit(accounts.changes())
        _log_in(client, app, "d@example.com", FIRST)
        changed = accounts.changes()
        assert sorted(key[3] for key, _ in changed) == ["access_tokens", "id_tokens", "refresh_tokens"]
        assert all(blob is not None for _, blob in changed)


def test_changes_that_could_not_be_journaled_are_undone(patched: None) -> None:
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool, app = _pool(client)
        _confirmed(client, pool, app, "f@example.com")
        accounts = cognito_state.Accounts()
        accounts.commit(accounts.changes())
        client.sign_up(ClientId=app, Username="g@example.com", Password=FIRST)
        client.admin_set_user_password(
            UserPoolId=pool, Username="f@example.com", Password=SECOND, Permanent=True
        )
        accounts.undo(accounts.changes())  # the disk had no room for their record
        assert accounts.changes() == []  # memory is what the journal holds again
        assert _outcome(lambda: client.admin_get_user(UserPoolId=pool, Username="g@example.com")) == (
            "UserNotFoundException"
        )
        assert _log_in(client, app, "f@example.com", FIRST)
        assert _outcome(lambda: _log_in(client, app, "f@example.com", SECOND)) == "NotAuthorizedException"


def test_an_account_comes_back_in_its_group_as_one_object(patched: None) -> None:
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool, app = _pool(client)
        _confirmed(client, pool, app, "h@example.com")
        client.create_group(GroupName="staff", UserPoolId=pool)
        client.admin_add_user_to_group(UserPoolId=pool, Username="h@example.com", GroupName="staff")
        accounts = cognito_state.Accounts()
        accounts.commit(accounts.changes())
        kept = list(accounts.records())  # the group's entry refers to the user's, read after it

        client.delete_user_pool(UserPoolId=pool)
        for record in kept:
            cognito_state.apply(record)
        groups = client.admin_list_groups_for_user(UserPoolId=pool, Username="h@example.com")["Groups"]
        members = client.list_users_in_group(UserPoolId=pool, GroupName="staff")["Users"]
        assert [g["GroupName"] for g in groups] == ["staff"]
        assert [u["Username"] for u in members] == ["h@example.com"]
        client.admin_disable_user(UserPoolId=pool, Username="h@example.com")  # one object, seen from both
        members = client.list_users_in_group(UserPoolId=pool, GroupName="staff")["Users"]
        assert [u["Enabled"] for u in members] == [False]


def test_tokens_are_signed_with_the_stores_key_and_only_its_public_half_is_published(tmp_path: Path) -> None:
    key = cognito_state.signing_key(tmp_path)
    moto_publishes = CognitoIdpJsonWebKeyResponse.json_web_key
    with moto_patches.installed(key), mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool, app = _pool(client)
        _confirmed(client, pool, app, "c@example.com")
        session = _log_in(client, app, "c@example.com", FIRST)
        _, _, published = CognitoIdpJsonWebKeyResponse.serve_json_web_key()
    id_token = session["AuthenticationResult"]["IdToken"]
    with pytest.raises(BadSignatureError):
        jwt.decode(id_token, RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json")))
    (public,) = json.loads(published)["keys"]
    assert "d" not in public  # no private part
    assert (
        jwt.decode(id_token, KeySet.import_key_set({"keys": [public]})).claims["cognito:username"]
        == "c@example.com"
    )
    assert public == key.as_dict(private=False)
    assert CognitoIdpJsonWebKeyResponse.json_web_key == moto_publishes  # restored with the other patches


def test_the_signing_key_is_made_once_per_folder_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    first = cognito_state.signing_key(tmp_path)
    path = tmp_path / cognito_state.SIGNING_KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert cognito_state.signing_key(tmp_path).as_dict(private=True) == first.as_dict(private=True)
    (tmp_path / "other").mkdir()
    assert cognito_state.signing_key(tmp_path / "other").as_dict() != first.as_dict()
    assert new_key().as_dict() != first.as_dict()
