"""The local project's state file (it holds a token with every ability of the project) and the local
user pool, kept up with its definition."""

import json
import os
from pathlib import Path

import boto3
import pytest

from kairos.container import Container
from kairos.portal.user_pool import ACCOUNT_ID_ATTRIBUTE, create_pool_request
from kairos_local.bootstrap import ensure_project, ensure_user_pool


def test_the_local_token_file_is_readable_by_its_owner_only_and_reused(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAIROS_LOCAL_TOKEN", raising=False)
    state_file = tmp_path / ".kairos" / "local.json"
    state_file.parent.mkdir()
    state_file.write_text("{}")
    os.chmod(state_file, 0o644)  # as an earlier version left it

    first = ensure_project(container, state_file)
    again = ensure_project(container, state_file)

    assert state_file.stat().st_mode & 0o777 == 0o600
    assert json.loads(state_file.read_text()) == {"project_id": first.project_id, "token": first.token}
    assert again == first
    assert container.auth.authenticate(f"Bearer {first.token}").project_id == first.project_id


def test_a_local_pool_made_before_the_account_id_attribute_gains_it(container: Container) -> None:
    """As the deployed pool does on a stack update: e-mail changes need `custom:kairos_id` on old pools."""
    del container  # moto's Cognito, in process
    cognito = boto3.client("cognito-idp", region_name="eu-central-1")
    older = {k: v for k, v in create_pool_request().items() if k != "Schema"}
    made = cognito.create_user_pool(**older)["UserPool"]["Id"]

    pool = ensure_user_pool("eu-central-1")
    ensure_user_pool("eu-central-1")  # found again: nothing to add

    assert pool.user_pool_id == made
    schema = cognito.describe_user_pool(UserPoolId=made)["UserPool"]["SchemaAttributes"]
    (added,) = [a for a in schema if a["Name"] == ACCOUNT_ID_ATTRIBUTE]
    assert added["Mutable"] is False
