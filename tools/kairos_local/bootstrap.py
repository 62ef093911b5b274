"""Gets a local store ready: the table and the Portal's user pool (from the same definitions as the CDK
stack) and a local project
with a token holding every ability. The token's value is kept in `.kairos/local.json` (a development
convenience: on AWS a token is only ever stored as a hash), or fixed by KAIROS_LOCAL_TOKEN."""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from kairos.container import Container
from kairos.portal.user_pool import (
    CLIENT_NAME,
    POOL_NAME,
    create_client_request,
    create_pool_request,
)
from kairos.storage.table_definition import (
    GLOBAL_SECONDARY_INDEXES,
    TTL_ATTRIBUTE,
    attribute_definitions,
    create_table_request,
)
from kairos.upgrades import BACKFILLS
from kairos_local import tool_clients
from kairos_local.journal import write_atomically

LOCAL_PROJECT_NAME = "Local project"
# The backfills a local table has had (their marks), in one item of its own (local only: nothing else
# reads it). Each Scans the whole table, for minutes at 100 MB, so a start runs only those the table has not
# had yet.
UPGRADED: dict[str, Any] = {"PK": {"S": "KAIROS#LOCAL"}, "SK": {"S": "UPGRADED"}}


@dataclass(frozen=True)
class LocalState:
    project_id: str
    token: str


def ensure_table(container: Container) -> bool:
    """Creates the table if it is missing (True when it was created); a table a previous version made
    gets the indexes it lacks, and its items the keys they lack (`upgrade_table`)."""
    client = container.table.client
    try:
        client.create_table(**create_table_request(container.table.name))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceInUseException":
            upgrade_table(container)
            return False
        raise
    client.update_time_to_live(
        TableName=container.table.name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    _upgraded(container)  # a new table has nothing to backfill
    return True


def upgrade_table(container: Container) -> None:
    """Adds each index of the table definition the table lacks, one UpdateTable each (as DynamoDB takes
    them), then runs each backfill (`kairos.upgrades.BACKFILLS`) the table has not had (`UPGRADED`). All
    are kept by the local store's snapshot and journal like any other request."""
    client = container.table.client
    described = client.describe_table(TableName=container.table.name)["Table"]
    present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
    missing = [i for i in GLOBAL_SECONDARY_INDEXES if i["IndexName"] not in present]
    defined = {d["AttributeName"] for d in described["AttributeDefinitions"]}
    for index in missing:
        defined |= {k["AttributeName"] for k in index["KeySchema"]}
        request: dict[str, Any] = {
            "TableName": container.table.name,
            "AttributeDefinitions": [d for d in attribute_definitions() if d["AttributeName"] in defined],
            "GlobalSecondaryIndexUpdates": [{"Create": index}],
        }
        client.update_table(**request)
    had = client.get_item(TableName=container.table.name, Key=UPGRADED).get("Item", {})
    done = set(had.get("backfills", {}).get("SS", []))
    for backfill in BACKFILLS:
        if backfill.mark not in done:
            backfill.run(container)
    if done != {backfill.mark for backfill in BACKFILLS}:
        _upgraded(container)


def _upgraded(container: Container) -> None:
    marks = [backfill.mark for backfill in BACKFILLS]
    item: dict[str, Any] = {**UPGRADED, "backfills": {"SS": marks}}
    container.table.client.put_item(TableName=container.table.name, Item=item)


@dataclass(frozen=True)
class UserPool:
    user_pool_id: str
    client_id: str


def ensure_user_pool(region: str) -> UserPool:
    """The Portal's user pool and app client in the local Cognito, made from the same definition as the
    stack's on first start and found again after (the local store keeps them)."""
    client: Any = tool_clients.client("cognito-idp", region_name=region)
    pools = client.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = client.create_user_pool(**create_pool_request())["UserPool"]["Id"]
    _add_custom_attributes(client, pool_id)
    clients = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = client.create_user_pool_client(**create_client_request(pool_id))["UserPoolClient"][
            "ClientId"
        ]
    return UserPool(pool_id, client_id)


def _add_custom_attributes(client: Any, pool_id: str) -> None:
    """A pool made before a custom attribute existed gains it, as the deployed pool does on a stack
    update (a live pool's schema can only gain custom attributes)."""
    schema = client.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("SchemaAttributes", [])
    names = {attribute["Name"] for attribute in schema}
    wanted = [a for a in create_pool_request()["Schema"] if f"custom:{a['Name']}" not in names]
    if wanted:
        client.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=wanted)


def ensure_project(container: Container, state_file: Path) -> LocalState:
    """The local project and its all-abilities token, created on first start and reused after."""
    admin = container.projects
    wanted = os.environ.get("KAIROS_LOCAL_TOKEN") or None
    saved = json.loads(state_file.read_text()) if state_file.exists() else {}
    project_id = saved.get("project_id")
    if not project_id or not any(p.id == project_id for p in admin.projects()):
        project_id = admin.create_project(LOCAL_PROJECT_NAME).id
        saved = {"project_id": project_id}
    token = wanted or saved.get("token")
    existing = admin.token_for_value(token) if token else None
    if existing is None or existing.revoked_at is not None or existing.project_id != project_id:
        _, token = admin.create_token(project_id, "local (all abilities)", None, value=wanted)
    assert token is not None
    state_file.parent.mkdir(parents=True, exist_ok=True)
    # The token opens every ability of the project: only its owner reads the file, as ~/.aws/credentials.
    write_atomically(state_file, {"project_id": project_id, "token": token}, mode=0o600)
    return LocalState(project_id, token)
