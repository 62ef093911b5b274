"""The request counter behind the per-minute rate limit and the monthly quota: one item per subject and
UTC month (`keys.rate_counter`) holding `month_hits` (requests admitted this month), `minute` (the latest
minute counted, `YYYYMMDDhhmm`) and `minute_hits` (requests admitted in it).

A request is admitted by ONE conditional UpdateItem that checks both limits and counts in both: "same
minute" (`ADD minute_hits, month_hits`, if the stored minute is ours and both counts are under their
limits) or "new minute" (`SET minute, minute_hits = 1 ADD month_hits`, if the stored minute is older and
the month is under its limit). DynamoDB applies the condition and the update atomically, so the month can
never go over its limit, at any request rate and across any number of Lambda instances, and a refused
request counts nowhere. A failed condition returns the item as it was (ReturnValuesOnConditionCheckFailure),
which tells whether the other form applies or a limit refused the request: no read is needed.

A project's counters are closed (`closed`, set with the project's `enabled = false` in one transaction by
`ProjectStore.disable_project`): every form is conditioned on `attribute_not_exists(closed)`, so a disabled
project's requests are refused at once on every instance, whatever token it cached, at no extra read.

Round trips: one per request, as long as this instance guessed the form right: it remembers the minute it
last counted for each subject, so only the first request of a minute on an instance where another
instance already started that minute costs a second one. A counter's first request of the month costs
two more (the project's metered usage, read to start the month from it, and the item's creation): so a
counter that is lost, or new with a deployment in mid-month, still holds the quota.
"""

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.errors import Retryable
from kairos.domain.records import Admission
from kairos.storage import keys
from kairos.storage.dynamodb import Table, from_item, to_item, translate

MEMORY_ENTRIES = 1024  # subjects whose last minute an instance remembers (cleared when full)
ATTEMPTS = 4  # forms tried for one request: only a race at a minute's or a month's start needs a third
Metered = Callable[[str, str], int]  # (project id, YYYY-MM) -> requests metered that month


class RateCounterStore:
    def __init__(self, table: Table, metered: Metered | None = None) -> None:
        self._t = table
        self._metered = metered
        self._last_minute: dict[str, str] = {}

    def admit(
        self,
        subject: str,
        month: str,
        minute: str,
        per_minute: int,
        per_month: int | None,
        expires_at: int,
        *,
        project: bool,
    ) -> Admission:
        key = to_item(keys.rate_counter(subject, month))
        form = "same" if self._last_minute.get(subject) == minute else "new"
        for _ in range(ATTEMPTS):
            admitted = True
            if form == "create":
                start = self._metered(subject, month) if project and self._metered else 0
                admitted = per_month is None or start < per_month
                update, condition, values = _creating(start + admitted, int(admitted))
            else:
                update, condition, values = _counting(form, per_minute, per_month)
            common = {":minute": minute, ":entity": "rate_counter", ":exp": expires_at}
            try:
                answer = self._t.client.update_item(
                    TableName=self._t.name,
                    Key=key,
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#minute": "minute"},  # a reserved word
                    ExpressionAttributeValues=to_item({**common, **values}),
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise translate(error, "rate counter") from None
                old: Mapping[str, Any] = error.response.get("Item") or {}  # type: ignore[assignment]
                decided = _decide(from_item(old), minute, per_minute, per_month)
                if isinstance(decided, Admission):
                    return decided
                form = decided
                continue
            attributes = from_item(answer["Attributes"])
            counted = Admission(int(attributes["minute_hits"]), int(attributes["month_hits"]))
            if not admitted:  # the month was spent before this counter existed
                return Admission(counted.minute, counted.month, "month")
            if len(self._last_minute) >= MEMORY_ENTRIES:
                self._last_minute.clear()
            self._last_minute[subject] = minute
            return counted
        raise Retryable("The request counter is busy; try again.")


_BOOKKEEPING = "entity = :entity, expires_at = if_not_exists(expires_at, :exp)"
OPEN = "attribute_not_exists(closed)"


def close_counter(table_name: str, subject: str, month: str, expires_at: int) -> dict[str, Any]:
    """The transaction item that closes `subject`'s counter of `month` (made if it is not there yet)."""
    return {
        "Update": {
            "TableName": table_name,
            "Key": to_item(keys.rate_counter(subject, month)),
            "UpdateExpression": f"SET closed = :true, {_BOOKKEEPING}",
            "ExpressionAttributeValues": to_item(
                {":true": True, ":entity": "rate_counter", ":exp": expires_at}
            ),
        }
    }


def _counting(form: str, per_minute: int, per_month: int | None) -> tuple[str, str, dict[str, Any]]:
    """The "same minute" or "new minute" update, conditioned on the room the request needs."""
    values: dict[str, Any] = {":one": 1}
    if form == "same":
        values[":per_minute"] = per_minute
        update = f"ADD minute_hits :one, month_hits :one SET {_BOOKKEEPING}"
        condition = f"#minute >= :minute AND minute_hits < :per_minute AND {OPEN}"
    else:
        update = f"SET #minute = :minute, minute_hits = :one, {_BOOKKEEPING} ADD month_hits :one"
        condition = f"#minute < :minute AND {OPEN}"
    if per_month is not None:
        values[":per_month"] = per_month
        condition += " AND month_hits < :per_month"
    return update, condition, values


def _creating(month_hits: int, minute_hits: int) -> tuple[str, str, dict[str, Any]]:
    """The month's counter, starting from the requests already metered this month."""
    update = "SET #minute = :minute, minute_hits = :minute_hits, month_hits = :month_hits, " + _BOOKKEEPING
    values = {":minute_hits": minute_hits, ":month_hits": month_hits}
    return update, f"attribute_not_exists(month_hits) AND {OPEN}", values


def _decide(old: Mapping[str, Any], minute: str, per_minute: int, per_month: int | None) -> str | Admission:
    """After a failed condition, from the item as it was: the form to try next, or the refusal."""
    if old.get("closed"):
        return Admission(0, 0, "closed")
    if "month_hits" not in old:
        return "create"
    month_hits = int(old["month_hits"])
    month_full = per_month is not None and month_hits >= per_month
    if str(old.get("minute", "")) >= minute:  # this minute (or, with clocks apart, a later one) is counting
        minute_hits = int(old.get("minute_hits", 0))
        if minute_hits >= per_minute:
            return Admission(minute_hits, month_hits, "minute")
        return Admission(minute_hits, month_hits, "month") if month_full else "same"
    return Admission(0, month_hits, "month") if month_full else "new"
