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

A project's counter also holds its `limits` (per minute, per month, the plan), and they win over the
limits the caller read with its cached token: a plan or rate-limit change stores the new ones on the
project's counters of the current month in the same transaction as the project (`limits_update`; the next
month's right after, in a transaction of their own: a month's items, up to 65, fill most of one), and each
request's update is conditioned on the stored limits being the ones it counts with. A request counted with
old limits fails its condition, and the item it gets back carries the new ones: it is decided again with
them. So a change applies to the very next request, with no read added to any request.

A project's counters are closed (`closed`, set with the project's `enabled = false` by
`ProjectStore.disable_project`: the current month's in the same transaction, a neighbouring month's right
after): every form is conditioned on `attribute_not_exists(closed)`, so a disabled project's requests are
refused on every instance, whatever token it cached, at no extra read.

A project whose per-minute limit is more than one item takes (`keys.rate_counter_shards`) counts in several
items, each with its part of both limits: a request counts in a random one, and one its shard refuses
tries up to SPILL others before it is refused (docs/table.md, "Spread keys"). Each item's part is a hard
cap, so the parts together never admit more than the limits; near them a request may be refused while
another item still has room. An item created in mid-month (a counter spread over more items after a
change of limits, or every project's at the upgrade that gave them `RATE#<p>#<n>`) starts from its part of
the month's metered requests, so the quota can be overrun by the requests not yet metered when it starts
(seconds of traffic: the metering's lag). An update is sent at most once where it may have been applied
(`retries.at_most_once`), so a retry never counts a request twice.

Round trips: one per request, as long as this instance guessed the form and the limits right: it
remembers the minute it last counted for each subject, and the limits it found on the month's counter, so
only the first request of a minute on an instance where another instance already started that minute
costs a second one, as does an instance's first request after a change of limits. A counter's first
request of the month costs two more (the project's metered usage, read to start the month from it, and
the item's creation): so a counter that is lost, or new with a deployment in mid-month, still holds the
quota.
"""

import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from kairos.domain.shared.records import Admission, Limits
from kairos.errors import Retryable
from kairos.storage import keys, retries
from kairos.storage.dynamodb import Table, from_item, to_item, translate

MEMORY_ENTRIES = 1024  # subjects whose last minute (and limits) an instance remembers (cleared when full)
# Forms tried for one request: a race at a minute's or a month's start needs a third, new limits one more.
ATTEMPTS = 5
SPILL = 2  # other shards a request refused by its shard tries before it is refused
UNCERTAIN = "The request counter did not answer; try again."
Metered = Callable[[str, str], int]  # (project id, YYYY-MM) -> requests metered that month


class RateCounterStore:
    def __init__(self, table: Table, metered: Metered | None = None) -> None:
        self._t = table
        self._metered = metered
        self._last_minute: dict[str, str] = {}  # by subject and shard
        self._stored_limits: dict[str, tuple[str, Limits]] = {}  # the month's, as its counter holds them

    def admit(
        self,
        subject: str,
        month: str,
        minute: str,
        limits: Limits,
        expires_at: int,
        *,
        project: bool,
        quota: bool = True,
    ) -> Admission:
        applied = limits
        if project and subject in self._stored_limits and self._stored_limits[subject][0] == month:
            applied = self._stored_limits[subject][1]
        refused_by: set[int] = set()  # the shards that refused this request
        shard = self._shard(applied, project, refused_by)
        form = self._form(subject, shard, minute)
        for _ in range(ATTEMPTS + SPILL):
            shards = _shards(applied, project)
            room = _share(applied, shards, shard)
            per_month = room.per_month if quota else None
            admitted = True
            if form == "create":
                metered = self._metered(subject, month) if project and self._metered else 0
                start = _split(metered, shards, shard)
                admitted = per_month is None or start < per_month
                update, condition, values = _creating(start + admitted, int(admitted), project)
            else:
                update, condition, values = _counting(form, room.per_minute, per_month, project)
            if project:
                condition = f"({condition}) AND (attribute_not_exists(limits) OR limits = :limits)"
                values[":limits"] = _encoded(applied)
            values.update({":minute": minute, ":entity": "rate_counter", ":exp": expires_at})
            counter = keys.rate_counter(subject, month, shard if project else None)
            written, item = self._write(counter, update, condition, values)
            if written:
                counted = _whole(
                    Admission(int(item["minute_hits"]), int(item["month_hits"]), applied), shards
                )
                if not admitted:  # the month was spent before this counter existed
                    return replace(counted, refused="month")
                _remember(self._last_minute, f"{subject}#{shard}", minute)
                return counted
            stored = _decoded(str(item["limits"])) if project and item.get("limits") else applied
            if stored != applied:  # changed since the caller read the project: decide with the new ones
                applied, shards = stored, _shards(stored, project)
                _remember(self._stored_limits, subject, (month, applied))
            decided = (
                _decide(item, minute, _share(applied, shards, shard), quota) if shard < shards else "new"
            )
            if isinstance(decided, Admission):
                refused_by.add(shard)
                if decided.refused not in ("minute", "month") or len(refused_by) >= min(shards, 1 + SPILL):
                    return _whole(replace(decided, limits=applied), shards)
            elif shard < shards:
                form = decided
                continue
            shard = self._shard(applied, project, refused_by)  # another shard (with room, or in range)
            form = self._form(subject, shard, minute)
        raise Retryable("The request counter is busy; try again.")

    def _write(
        self, key: Mapping[str, str], update: str, condition: str, values: Mapping[str, Any]
    ) -> tuple[bool, dict[str, Any]]:
        """(True, the item after) when the update was applied; (False, the item before) when its condition
        failed. Sent at most once where it may have been applied (`retries.at_most_once`): a request is
        never counted twice; one left in doubt is answered as busy."""
        try:
            with retries.at_most_once():
                answer = self._t.client.update_item(
                    TableName=self._t.name,
                    Key=to_item(key),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#minute": "minute"},  # a reserved word
                    ExpressionAttributeValues=to_item(values),
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False, from_item(error.response.get("Item") or {})  # type: ignore[arg-type]
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                raise Retryable(UNCERTAIN) from None
            raise translate(error, "rate counter") from None
        except BotoCoreError:  # no answer: the update may have been applied
            raise Retryable(UNCERTAIN) from None
        return True, from_item(answer["Attributes"])

    def _shard(self, limits: Limits, project: bool, refused_by: set[int]) -> int:
        """A shard of the project's counter for this request, at random among those that did not refuse
        it (spreading a busy project's requests evenly, so each shard's part of the limit fills alike); 0
        for every other subject."""
        left = [s for s in range(_shards(limits, project)) if s not in refused_by]
        return random.choice(left) if left else 0

    def _form(self, subject: str, shard: int, minute: str) -> str:
        return "same" if self._last_minute.get(f"{subject}#{shard}") == minute else "new"


OPEN = "attribute_not_exists(closed)"


def limits_update(
    table: Table, subject: str, month: str, expires_at: int, limits: Limits, was: Limits
) -> list[dict[str, Any]]:
    """The transaction items that store `limits` on the subject's counter of `month`, every shard of it
    the old or the new limits count in (made if need be, to be started by their first request): from then
    on every request counted there is checked against them, and one counted with the old ones, on any
    shard, fails its condition and gets the new ones."""
    shards = max(keys.rate_counter_shards(limits.per_minute), keys.rate_counter_shards(was.per_minute))
    return [
        {
            "Update": {
                "TableName": table.name,
                "Key": to_item(keys.rate_counter(subject, month, shard)),
                "UpdateExpression": f"SET limits = :limits, {_bookkeeping(False)}",
                "ExpressionAttributeValues": to_item(
                    {":limits": _encoded(limits), ":entity": "rate_counter", ":exp": expires_at}
                ),
            }
        }
        for shard in range(shards)
    ]


def close_counter(table_name: str, subject: str, month: str, expires_at: int) -> list[dict[str, Any]]:
    """The transaction items that close `subject`'s counter of `month`, every shard it may ever count in
    (made if not there yet): whatever limits an instance still counts with, no shard admits a request."""
    return [
        {
            "Update": {
                "TableName": table_name,
                "Key": to_item(keys.rate_counter(subject, month, shard)),
                "UpdateExpression": f"SET closed = :true, {_bookkeeping(False)}",
                "ExpressionAttributeValues": to_item(
                    {":true": True, ":entity": "rate_counter", ":exp": expires_at}
                ),
            }
        }
        for shard in range(keys.RATE_MAX_SHARDS)
    ]


def _split(total: int, shards: int, shard: int) -> int:
    """A shard's part of `total`: the parts differ by one at most and add up to it."""
    return total // shards + (1 if shard < total % shards else 0)


def _share(limits: Limits, shards: int, shard: int) -> Limits:
    """The room one shard of a counter has: its part of each limit."""
    per_month = None if limits.per_month is None else _split(limits.per_month, shards, shard)
    return Limits(_split(limits.per_minute, shards, shard), per_month, limits.plan)


def _shards(limits: Limits, project: bool) -> int:
    return keys.rate_counter_shards(limits.per_minute) if project else 1


def _whole(admission: Admission, shards: int) -> Admission:
    """An admission as the project sees it: the counts estimated from the shard's (exact with one)."""
    return replace(admission, minute=admission.minute * shards, month=admission.month * shards)


def _encoded(limits: Limits) -> str:
    """One string, so that a condition compares them all at once: `100/2500/free`, `1000/-/enterprise`."""
    per_month = "-" if limits.per_month is None else str(limits.per_month)
    return f"{limits.per_minute}/{per_month}/{limits.plan}"


def _decoded(text: str) -> Limits:
    per_minute, per_month, plan = text.split("/", 2)
    return Limits(int(per_minute), None if per_month == "-" else int(per_month), plan)


def _remember(memory: dict[str, Any], subject: str, value: Any) -> None:
    if len(memory) >= MEMORY_ENTRIES:
        memory.clear()
    memory[subject] = value


def _bookkeeping(project: bool) -> str:
    """What every update sets besides the counts: for a project, the limits it counted with when the item
    has none yet (its first request, or a counter older than stored limits)."""
    limits = ", limits = if_not_exists(limits, :limits)" if project else ""
    return f"entity = :entity, expires_at = if_not_exists(expires_at, :exp){limits}"


def _counting(
    form: str, per_minute: int, per_month: int | None, project: bool
) -> tuple[str, str, dict[str, Any]]:
    """The "same minute" or "new minute" update, conditioned on the room the request needs."""
    values: dict[str, Any] = {":one": 1}
    if form == "same":
        values[":per_minute"] = per_minute
        update = f"ADD minute_hits :one, month_hits :one SET {_bookkeeping(project)}"
        condition = f"#minute >= :minute AND minute_hits < :per_minute AND {OPEN}"
    else:
        update = f"SET #minute = :minute, minute_hits = :one, {_bookkeeping(project)} ADD month_hits :one"
        condition = f"#minute < :minute AND {OPEN}"
    if per_month is not None:
        values[":per_month"] = per_month
        condition += " AND month_hits < :per_month"
    return update, condition, values


def _creating(month_hits: int, minute_hits: int, project: bool) -> tuple[str, str, dict[str, Any]]:
    """The month's counter, starting from the requests already metered this month."""
    update = "SET #minute = :minute, minute_hits = :minute_hits, month_hits = :month_hits, " + _bookkeeping(
        project
    )
    values = {":minute_hits": minute_hits, ":month_hits": month_hits}
    return update, f"attribute_not_exists(month_hits) AND {OPEN}", values


def _decide(old: Mapping[str, Any], minute: str, limits: Limits, quota: bool) -> str | Admission:
    """After a failed condition, from the item as it was: the form to try next, or the refusal."""
    if old.get("closed"):
        return Admission(0, 0, limits, "closed")
    if "month_hits" not in old:
        return "create"
    month_hits = int(old["month_hits"])
    month_full = quota and limits.per_month is not None and month_hits >= limits.per_month
    if str(old.get("minute", "")) >= minute:  # this minute (or, with clocks apart, a later one) is counting
        minute_hits = int(old.get("minute_hits", 0))
        if minute_hits >= limits.per_minute:
            return Admission(minute_hits, month_hits, limits, "minute")
        return Admission(minute_hits, month_hits, limits, "month") if month_full else "same"
    return Admission(0, month_hits, limits, "month") if month_full else "new"
