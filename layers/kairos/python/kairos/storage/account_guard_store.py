"""The records that guard the account flows (`kairos.portal.ports.AccountGuards`), each decided by one
conditioned write, so that concurrent requests on any number of Lambda instances cannot slip past them:

- `ADDRESS#<email>` / `REGISTRATION`: the lease that lets one request at a time write or verify the
  address's account in Cognito (which has no conditional writes), and `writing`, true while a
  registration's name and password are not both in place (a verification then refuses the account);
- `ADDRESS#<email>` / `LOG_IN_GUARD`: log-in attempts since the last successful one, and for which trip
  the unlock mail went (`mailed_for`);
- `ADDRESS#<email>` / `RESETS`: reset links issued (`issued_count`) and the number up to which they are
  dead (`dead_through`): using one kills every link issued before that moment;
- `ACCOUNT#<sub>` / `SESSIONS`: the log-out time before which the person's sessions are refused."""

from collections.abc import Mapping
from typing import Any, Literal

from botocore.exceptions import ClientError

from kairos.errors import Retryable
from kairos.portal.ports import OneTimeToken
from kairos.storage import keys
from kairos.storage.dynamodb import Table, cancellation_reasons, from_item, to_item, translate
from kairos.storage.portal_store import one_time_token

RESET_SERIES_KEPT = 86_400  # seconds a reset series outlives its latest link (a link lives an hour)
CUT_OFF_KEPT = 31 * 86_400  # longer than a refresh token (30 days) could mint tokens from before it
GUARD_FORMS = 3  # restart, count, and once more if another request changed the item in between


def _failed_condition(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class AccountGuardStore:
    def __init__(self, table: Table) -> None:
        self._t = table

    # --- registration lease -----------------------------------------------------------------------------

    def take_lease(
        self, email: str, lease: str, now: int, until: int, *, writing: bool
    ) -> Literal["taken", "busy", "incomplete"]:
        condition = "(attribute_not_exists(lease_until) OR lease_until < :now)"
        update = "SET lease = :lease, lease_until = :until, entity = :entity"
        values: dict[str, Any] = {
            ":lease": lease, ":until": until, ":now": now, ":entity": "registration", ":yes": True
        }  # fmt: skip
        if writing:
            update += ", writing = :yes"
        else:
            condition += " AND (attribute_not_exists(writing) OR writing <> :yes)"
        try:
            self._update(keys.address_record(email, "REGISTRATION"), update, condition, values)
        except ClientError as error:
            if not _failed_condition(error):
                raise translate(error, "registration") from None
            old = from_item(error.response.get("Item") or {})  # type: ignore[arg-type]
            return "busy" if int(old.get("lease_until", 0)) >= now else "incomplete"
        return "taken"

    def release_lease(self, email: str, lease: str, *, written: bool) -> None:
        update = "REMOVE lease, lease_until" + (" SET writing = :no" if written else "")
        values: dict[str, Any] = {":lease": lease, **({":no": False} if written else {})}
        try:
            self._update(keys.address_record(email, "REGISTRATION"), update, "lease = :lease", values)
        except ClientError as error:
            if not _failed_condition(error):  # our lease ran out and another took it: theirs now
                raise translate(error, "registration") from None

    def remember_browser(self, email: str, browser_hash: str | None) -> None:
        key = to_item(keys.address_record(email, "REGISTRATION"))
        if browser_hash is None:
            self._t.client.update_item(TableName=self._t.name, Key=key, UpdateExpression="REMOVE browser")
            return
        self._t.client.update_item(
            TableName=self._t.name,
            Key=key,
            UpdateExpression="SET browser = :browser",
            ExpressionAttributeValues=to_item({":browser": browser_hash}),
        )

    def registering_browser(self, email: str) -> str | None:
        item = self._t.get(keys.address_record(email, "REGISTRATION"))
        return str(item["browser"]) if item and item.get("browser") else None

    # --- log-in guard -----------------------------------------------------------------------------------

    def admit_log_in(self, email: str, now: int, limit: int, period: int) -> int | None:
        """Restart the count (none yet, or the last attempt `period` ago) or add to it while under `limit`;
        a failed condition returns the item, which says which form applies or that the guard is up."""
        key = keys.address_record(email, "LOG_IN_GUARD")
        since = now - period
        values = {":one": 1, ":now": now, ":since": since, ":exp": now + period, ":entity": "log_in_guard"}
        form = "restart"
        for _ in range(GUARD_FORMS):
            if form == "restart":
                update = "SET attempts = :one, last_at = :now, expires_at = :exp, entity = :entity"
                condition, extra = "attribute_not_exists(attempts) OR last_at <= :since", {}
            else:
                update = "ADD attempts :one SET last_at = :now, expires_at = :exp, entity = :entity"
                condition, extra = "attempts < :limit AND last_at > :since", {":limit": limit}
            try:
                self._update(key, update, condition, {**values, **extra})
                return None
            except ClientError as error:
                if not _failed_condition(error):
                    raise translate(error, "log-in guard") from None
                old = from_item(error.response.get("Item") or {})  # type: ignore[arg-type]
            if "attempts" not in old or int(old["last_at"]) <= since:
                form = "restart"
            elif int(old["attempts"]) < limit:
                form = "count"
            else:
                return int(old["last_at"]) + period - now
        raise Retryable("The log-in guard is busy; try again.")

    def unlock_mail_due(self, email: str, limit: int) -> bool:
        """True for one caller per trip of the guard (a trip is named by its last admitted attempt)."""
        condition = "attempts >= :limit AND (attribute_not_exists(mailed_for) OR mailed_for <> last_at)"
        try:
            self._update(
                keys.address_record(email, "LOG_IN_GUARD"),
                "SET mailed_for = last_at",
                condition,
                {":limit": limit},
            )
        except ClientError as error:
            if not _failed_condition(error):
                raise translate(error, "log-in guard") from None
            return False
        return True

    def clear_log_in(self, email: str) -> None:
        self._t.client.delete_item(
            TableName=self._t.name, Key=to_item(keys.address_record(email, "LOG_IN_GUARD"))
        )

    # --- reset links ------------------------------------------------------------------------------------

    def next_reset(self, email: str, now: int) -> int:
        answer = self._t.client.update_item(
            TableName=self._t.name,
            Key=to_item(keys.address_record(email, "RESETS")),
            UpdateExpression="ADD issued_count :one SET expires_at = :exp, entity = :entity",
            ExpressionAttributeValues=to_item(
                {":one": 1, ":exp": now + RESET_SERIES_KEPT, ":entity": "resets"}
            ),
            ReturnValues="UPDATED_NEW",
        )
        return int(from_item(answer["Attributes"])["issued_count"])

    def take_reset(self, token_hash: str, now: int) -> OneTimeToken | None:
        """The link's secret deleted and its series marked dead up to the latest link issued, in one
        transaction conditioned on the link being unused, unexpired and issued after the last use."""
        item = self._t.get(keys.one_time(token_hash))
        if (
            not item
            or item.get("purpose") != "reset"
            or int(item["expires_at"]) <= now
            or "reset_number" not in item
        ):
            return None
        found = one_time_token(item)
        number = int(item["reset_number"])
        try:
            self._t.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._t.name,
                            "Key": to_item(keys.one_time(token_hash)),
                            "ConditionExpression": "reset_number = :number AND expires_at > :now",
                            "ExpressionAttributeValues": to_item({":number": number, ":now": now}),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._t.name,
                            "Key": to_item(keys.address_record(found.email, "RESETS")),
                            "UpdateExpression": "SET dead_through = issued_count",
                            "ConditionExpression": "issued_count >= :number AND "
                            "(attribute_not_exists(dead_through) OR dead_through < :number)",
                            "ExpressionAttributeValues": to_item({":number": number}),
                        }
                    },
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_reasons(error):
                return None
            raise translate(error, "reset link") from None
        return found

    # --- sessions ---------------------------------------------------------------------------------------

    def cut_sessions(self, account_id: str, at: int) -> None:
        """Never moves the cut-off back (an instance with a late clock cannot revive a session)."""
        values = {":at": at, ":exp": at + CUT_OFF_KEPT, ":entity": "session_cut_off"}
        try:
            self._update(
                keys.session_cut_off(account_id),
                "SET cut_off = :at, expires_at = :exp, entity = :entity",
                "attribute_not_exists(cut_off) OR cut_off < :at",
                values,
            )
        except ClientError as error:
            if not _failed_condition(error):
                raise translate(error, "session") from None

    def sessions_cut_at(self, account_id: str) -> int | None:
        item = self._t.get(keys.session_cut_off(account_id))
        return int(item["cut_off"]) if item else None

    def _update(self, key: Mapping[str, str], update: str, condition: str, values: Mapping[str, Any]) -> None:
        self._t.client.update_item(
            TableName=self._t.name,
            Key=to_item(key),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
