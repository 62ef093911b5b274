"""The Portal's items on the single table (`kairos.portal.ports.PortalRepository`): mailed one-time secrets
(by hash, expiring), people's profiles, memberships (by project, and by person through GSI1), invitations
(expiring after 7 days) and the audit log (by project, sorted by time)."""

import json
import time
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from kairos.portal.ports import Account, AuditEntry, Invitation, Membership, OneTimeToken
from kairos.storage import keys
from kairos.storage.dynamodb import Table, from_item, read_time, stored_time, to_item, translate


def _conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class PortalStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    # --- one-time secrets -------------------------------------------------------------------------------

    def put_one_time(self, token_hash: str, token: OneTimeToken) -> None:
        item: dict[str, Any] = {
            **keys.one_time(token_hash),
            "entity": "one_time",
            "purpose": token.purpose,
            "email": token.email,
            "expires_at": token.expires_at,
        }
        if token.project_id:
            item["project_id"] = token.project_id
        if token.invitation_id:
            item["invitation_id"] = token.invitation_id
        if token.reset_number is not None:
            item["reset_number"] = token.reset_number
        if token.account_id:
            item["account_id"] = token.account_id
        self._t.client.put_item(TableName=self._t.name, Item=to_item(item))

    def peek_one_time(self, token_hash: str, purpose: str, now: int) -> OneTimeToken | None:
        item = self._t.get(keys.one_time(token_hash))
        if not item or item.get("purpose") != purpose or int(item["expires_at"]) <= now:
            return None
        return one_time_token(item)

    def take_one_time(self, token_hash: str, purpose: str, now: int) -> OneTimeToken | None:
        """One DeleteItem conditioned on purpose and expiry: two requests with the same link cannot both
        have it."""
        try:
            found = self._t.client.delete_item(
                TableName=self._t.name,
                Key=to_item(keys.one_time(token_hash)),
                ConditionExpression="purpose = :purpose AND expires_at > :now",
                ExpressionAttributeValues=to_item({":purpose": purpose, ":now": now}),
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if _conditional_failure(error):
                return None
            raise translate(error, "token") from None
        return one_time_token(from_item(found.get("Attributes", {})))

    # --- profiles ---------------------------------------------------------------------------------------

    def put_account(self, account: Account) -> None:
        item = {
            **keys.account(account.id),
            "entity": "account",
            "id": account.id,
            "email": account.email,
            "name": account.name,
            "created_at": stored_time(account.created_at),
        }
        self._t.client.put_item(TableName=self._t.name, Item=to_item(item))

    def get_account(self, account_id: str) -> Account | None:
        item = self._t.get(keys.account(account_id))
        return _account(item) if item else None

    def delete_account(self, account_id: str) -> str | None:
        """The profile and the owned-projects count; the session cut-off stays (it refuses the account's
        ID tokens for as long as they are valid)."""
        found = self._t.client.delete_item(
            TableName=self._t.name, Key=to_item(keys.account(account_id)), ReturnValues="ALL_OLD"
        )
        self._t.client.delete_item(TableName=self._t.name, Key=to_item(keys.owned_projects(account_id)))
        return from_item(found["Attributes"]).get("email") if "Attributes" in found else None

    def move_account(self, account_id: str, old_email: str, new_email: str) -> bool:
        try:
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item(keys.account(account_id)),
                UpdateExpression="SET email = :new",
                ConditionExpression="attribute_exists(PK) AND email = :old",
                ExpressionAttributeValues=to_item({":new": new_email, ":old": old_email}),
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise translate(error, "account") from None
        return True

    def get_accounts(self, account_ids: list[str]) -> dict[str, Account]:
        items = self._t.batch_get([keys.account(a) for a in account_ids]) if account_ids else []
        return {item["id"]: _account(item) for item in items}

    # --- owned projects ---------------------------------------------------------------------------------

    def claim_project(self, account_id: str, most: int) -> bool:
        """Counts one more project owned by the account, if it owns fewer than `most`: one conditioned
        update, so parallel creations cannot pass the limit together. False when it is reached."""
        try:
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item(keys.owned_projects(account_id)),
                UpdateExpression="SET entity = :entity ADD owned :one",
                ConditionExpression="attribute_not_exists(owned) OR owned < :most",
                ExpressionAttributeValues=to_item({":entity": "owned_projects", ":one": 1, ":most": most}),
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise translate(error, "account") from None
        return True

    def release_project(self, account_id: str) -> None:
        """One project fewer owned by the account (never below zero)."""
        try:
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item(keys.owned_projects(account_id)),
                UpdateExpression="ADD owned :minus",
                ConditionExpression="owned > :zero",
                ExpressionAttributeValues=to_item({":minus": -1, ":zero": 0}),
            )
        except ClientError as error:
            if not _conditional_failure(error):
                raise translate(error, "account") from None

    # --- memberships ------------------------------------------------------------------------------------

    def add_member(self, membership: Membership) -> bool:
        item = {
            **keys.membership(membership.project_id, membership.account_id),
            **keys.membership_listing(membership.project_id, membership.account_id),
            "entity": "membership",
            "project_id": membership.project_id,
            "account_id": membership.account_id,
            "role": membership.role,
            "joined_at": stored_time(membership.joined_at),
        }
        try:
            self._t.client.put_item(
                TableName=self._t.name, Item=to_item(item), ConditionExpression="attribute_not_exists(PK)"
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise translate(error, "member") from None
        return True

    def get_membership(self, project_id: str, account_id: str) -> Membership | None:
        item = self._t.get(keys.membership(project_id, account_id))
        return _membership(item) if item else None

    def memberships_of(self, account_id: str) -> list[Membership]:
        partition = keys.memberships_of_partition(account_id)
        return [_membership(i) for i in self._t.query(partition, "PROJECT#", index="GSI1")]

    def members(self, project_id: str) -> list[Membership]:
        return [_membership(i) for i in self._t.query(keys.members_partition(project_id), "MEMBER#")]

    def remove_member(self, project_id: str, account_id: str) -> bool:
        found = self._t.client.delete_item(
            TableName=self._t.name,
            Key=to_item(keys.membership(project_id, account_id)),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in found

    # --- invitations ------------------------------------------------------------------------------------

    def put_invitation(self, invitation: Invitation, token_hash: str) -> None:
        """The invitation and its mailed secret, together."""
        item = {
            **keys.invitation(invitation.project_id, invitation.id),
            "entity": "invitation",
            "id": invitation.id,
            "project_id": invitation.project_id,
            "email": invitation.email,
            "invited_by": invitation.invited_by,
            "created_at": stored_time(invitation.created_at),
            "expires_at": invitation.expires_at,
            "token_hash": token_hash,
        }
        secret = {
            **keys.one_time(token_hash),
            "entity": "one_time",
            "purpose": "invite",
            "email": invitation.email,
            "project_id": invitation.project_id,
            "invitation_id": invitation.id,
            "expires_at": invitation.expires_at,
        }
        self._t.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self._t.name, "Item": to_item(item)}},
                {"Put": {"TableName": self._t.name, "Item": to_item(secret)}},
            ]
        )

    def invitations(self, project_id: str, now: int) -> list[Invitation]:
        items = self._t.query(keys.invitations_partition(project_id), "INVITE#")
        return [_invitation(i) for i in items if int(i["expires_at"]) > now]

    def delete_invitation(self, project_id: str, invitation_id: str) -> bool:
        """Deletes the invitation and its secret, so its link stops working."""
        found = self._t.client.delete_item(
            TableName=self._t.name,
            Key=to_item(keys.invitation(project_id, invitation_id)),
            ReturnValues="ALL_OLD",
        )
        if "Attributes" not in found:
            return False
        token_hash = from_item(found["Attributes"])["token_hash"]
        self._t.client.delete_item(TableName=self._t.name, Key=to_item(keys.one_time(token_hash)))
        return True

    # --- audit ------------------------------------------------------------------------------------------

    def add_audit(self, entry: AuditEntry) -> None:
        item = {
            **keys.audit_entry(entry.project_id, entry.at, time.time_ns(), entry.id),
            "entity": "audit",
            "id": entry.id,
            "project_id": entry.project_id,
            "at": stored_time(entry.at),
            "actor_id": entry.actor_id,
            "actor_email": entry.actor_email,
            "action": entry.action,
            "detail": json.dumps(entry.detail, sort_keys=True),
        }
        self._t.client.put_item(TableName=self._t.name, Item=to_item(item))

    def audit(self, project_id: str, limit: int, before: str | None) -> tuple[list[AuditEntry], str | None]:
        """Newest first, `limit` entries before the position `before`, and the position to go on from
        (None at the end)."""
        values: dict[str, Any] = {":pk": keys.audit_partition(project_id)}
        condition = "PK = :pk"
        if before:
            condition += " AND SK < :before"
            values[":before"] = before
        page = self._t.client.query(
            TableName=self._t.name,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
            ScanIndexForward=False,
            Limit=limit,
        )
        items = [from_item(i) for i in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return [_audit(i) for i in items], (from_item(last)["SK"] if last else None)


def one_time_token(item: Mapping[str, Any]) -> OneTimeToken:
    number = item.get("reset_number")
    return OneTimeToken(
        purpose=item["purpose"],
        email=item["email"],
        expires_at=int(item["expires_at"]),
        project_id=item.get("project_id"),
        invitation_id=item.get("invitation_id"),
        reset_number=None if number is None else int(number),
        account_id=item.get("account_id"),
    )


def _account(item: Mapping[str, Any]) -> Account:
    return Account(item["id"], item["email"], item["name"], read_time(item["created_at"]))


def _membership(item: Mapping[str, Any]) -> Membership:
    return Membership(item["project_id"], item["account_id"], item["role"], read_time(item["joined_at"]))


def _invitation(item: Mapping[str, Any]) -> Invitation:
    return Invitation(
        item["id"],
        item["project_id"],
        item["email"],
        item["invited_by"],
        read_time(item["created_at"]),
        int(item["expires_at"]),
    )


def _audit(item: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        item["id"],
        item["project_id"],
        read_time(item["at"]),
        item["actor_id"],
        item["actor_email"],
        item["action"],
        json.loads(item["detail"]),
    )
