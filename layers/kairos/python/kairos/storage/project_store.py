"""Projects and their tokens on the single table: who may call the API (read on every request, cached by
`kairos.domain.projects.auth`; written by the operator's CLI and the local server). A change of a project's
limits
is written with the limits its request counters hold (`kairos.storage.rate_store`), in one transaction."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.shared.records import Limits, Project, Token
from kairos.storage import keys
from kairos.storage.dynamodb import Table, from_item, read_time, stored_time, to_item, translate
from kairos.storage.rate_store import close_counter, limits_update


class ProjectStore:
    """Projects (listed through GSI1) and tokens (keyed by their hash; listed per project through GSI1)."""

    def __init__(self, table: Table) -> None:
        self._t = table

    def create_project(self, project: Project) -> None:
        item = {
            **keys.project(project.id),
            **keys.project_listing(project.id),
            "entity": "project",
            "id": project.id,
            "name": project.name,
            "enabled": project.enabled,
            "plan": project.plan,
            "rate_limit_per_minute": project.rate_limit_per_minute,
            "created_at": stored_time(project.created_at),
            "updated_at": stored_time(project.updated_at),
            "default_hold_time": project.default_hold_time,
        }
        self._t.client.put_item(TableName=self._t.name, Item=to_item(item))

    def set_default_hold_time(self, project_id: str, value: str | None, at: datetime) -> bool:
        """Sets (None: removes) the project's default hold time; False when there is no such project."""
        try:
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item(keys.project(project_id)),
                UpdateExpression="SET updated_at = :at"
                + (", default_hold_time = :value" if value else " REMOVE default_hold_time"),
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=to_item({":value": value, ":at": stored_time(at)}),
            )
        except self._t.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get_project(self, project_id: str) -> Project | None:
        item = self._t.get(keys.project(project_id))
        return self._project(item) if item else None

    def get_projects(self, project_ids: list[str]) -> list[Project]:
        """Those of the projects that exist, in one round trip per 100."""
        items = self._t.batch_get([keys.project(p) for p in project_ids]) if project_ids else []
        return [self._project(i) for i in items]

    def list_projects(self) -> list[Project]:
        return [self._project(i) for i in self._t.query(keys.PROJECTS, "PROJECT#", index="GSI1")]

    def create_token(self, token: Token) -> None:
        item = {
            **keys.token(token.token_hash),
            **keys.token_listing(token.project_id, token.id),
            "entity": "token",
            "id": token.id,
            "project_id": token.project_id,
            "name": token.name,
            "abilities": sorted(token.abilities),
            "created_at": stored_time(token.created_at),
            "token_hash": token.token_hash,
        }
        self._t.client.put_item(
            TableName=self._t.name, Item=to_item(item), ConditionExpression="attribute_not_exists(PK)"
        )

    def get_token(self, token_hash: str) -> Token | None:
        item = self._t.get(keys.token(token_hash), consistent=False)
        return self._token(item) if item else None

    def list_tokens(self, project_id: str) -> list[Token]:
        partition = keys.token_listing_partition(project_id)
        return [self._token(i) for i in self._t.query(partition, "TOKEN#", index="GSI1")]

    def revoke_token(self, project_id: str, token_id: str, at: datetime) -> bool:
        token = next((t for t in self.list_tokens(project_id) if t.id == token_id), None)
        if token is None:
            return False
        self._t.client.update_item(
            TableName=self._t.name,
            Key=to_item(keys.token(token.token_hash)),
            UpdateExpression="SET revoked_at = :at",
            ExpressionAttributeValues=to_item({":at": stored_time(at)}),
        )
        return True

    def update_project(self, project_id: str, changes: Mapping[str, Any]) -> Project | None:
        """Sets the given attributes of an existing project (and `updated_at`); the project as it is now,
        None if there is none."""
        try:
            found = self._t.client.update_item(
                **_setting(self._t, project_id, changes), ReturnValues="ALL_NEW"
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise translate(error, "project") from None
        return self._project(from_item(found["Attributes"]))

    def change_limits(
        self, project: Project, changes: Mapping[str, Any], limits: Limits, months: Sequence[tuple[str, int]]
    ) -> bool:
        """The project's limits changed with its counters' of `months` (the current first): that month's in
        the project's transaction, each other month's right after in one of its own (a month's counter
        items fill most of a transaction)."""
        was = {"plan": project.plan, "rate_limit_per_minute": project.rate_limit_per_minute}
        counters = [limits_update(self._t, project.id, m, e, limits, project.limits) for m, e in months]
        if not self._transact([{"Update": _setting(self._t, project.id, changes, was)}, *counters[0]]):
            return False
        for later in counters[1:]:
            self._transact(later)
        return True

    def disable_project(self, project_id: str, months: list[tuple[str, int]], at: datetime) -> Project | None:
        """`enabled = false` and the request counters of `months` closed: the current month's in the same
        transaction, any other month's right after (a month's counter items fill most of a transaction).
        No request of the project is admitted once it returns, whichever instance cached its tokens."""
        disable: dict[str, Any] = {
            "Update": {
                "TableName": self._t.name,
                "Key": to_item(keys.project(project_id)),
                "UpdateExpression": "SET enabled = :off, updated_at = :at",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": to_item({":off": False, ":at": stored_time(at)}),
            }
        }
        current = f"{at:%Y-%m}"
        ordered = sorted(months, key=lambda month: month[0] != current)
        closing = [close_counter(self._t.name, project_id, month, expires) for month, expires in ordered]
        if not self._transact([disable, *closing[0]]):
            return None  # the only condition: the project exists
        for later in closing[1:]:
            self._transact(later)
        return self.get_project(project_id)

    def _transact(self, items: list[Any]) -> bool:
        """One transaction; False when a condition failed (and so nothing changed)."""
        try:
            self._t.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                return False
            raise translate(error, "project") from None
        return True

    def update_token(self, token: Token, name: str, abilities: frozenset[str]) -> None:
        self._t.client.update_item(
            TableName=self._t.name,
            Key=to_item(keys.token(token.token_hash)),
            UpdateExpression="SET #name = :name, abilities = :abilities",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#name": "name"},
            ExpressionAttributeValues=to_item({":name": name, ":abilities": sorted(abilities)}),
        )

    @staticmethod
    def _project(item: Mapping[str, Any]) -> Project:
        return Project(
            id=item["id"],
            name=item["name"],
            enabled=bool(item["enabled"]),
            plan=item["plan"],
            rate_limit_per_minute=int(item["rate_limit_per_minute"]),
            created_at=read_time(item["created_at"]),
            updated_at=read_time(item["updated_at"]),
            default_hold_time=item.get("default_hold_time"),
        )

    @staticmethod
    def _token(item: Mapping[str, Any]) -> Token:
        return Token(
            id=item["id"],
            project_id=item["project_id"],
            name=item["name"],
            abilities=frozenset(item.get("abilities", [])),
            created_at=read_time(item["created_at"]),
            revoked_at=read_time(item["revoked_at"]) if item.get("revoked_at") else None,
            token_hash=item["token_hash"],
        )


def _setting(
    table: Table, project_id: str, changes: Mapping[str, Any], unchanged: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The UpdateItem request (or transaction item) that sets `changes` on the project, if it exists and
    its attributes still have the values `unchanged` gives them."""
    names = {f"#a{i}": name for i, name in enumerate(changes)}
    values = {f":a{i}": value for i, value in enumerate(changes.values())}
    condition = "attribute_exists(PK)"
    for i, (name, value) in enumerate((unchanged or {}).items()):
        names[f"#w{i}"], values[f":w{i}"] = name, value
        condition += f" AND #w{i} = :w{i}"
    return {
        "TableName": table.name,
        "Key": to_item(keys.project(project_id)),
        "UpdateExpression": "SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(changes))),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }
