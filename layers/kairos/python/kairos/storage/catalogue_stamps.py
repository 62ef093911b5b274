"""Catalogue stamps: how a booking transaction checks the service and location it was planned with
without touching their items (which every booking of that service or location would then contend on).

Each resource's timeline head (`keys.schedule_version`, which every checked booking of that resource
already conditions on) carries one number per service and location, `catalogue_<kind>_<id>`:
`2 * version` once that version is written, `2 * version - 1` while a change to that version is being
written, `GONE` once deleted. A change of a service or location stamps every resource of the project,
before its write (the pending value) and after it (the new version's): each stamp only ever rises
(`attribute_not_exists OR < the new value`), so a late stamp of an older change never lowers a newer one.
A booking's transaction conditions the head of the resource it books on the stamps of the service and
location its plan used: planned from an instance's memory, `= 2 * version` (so a change written since, or
under way, refuses it: plan again from fresh reads; a head not stamped yet refuses it too); planned from
fresh reads, `absent or = 2 * version`, and it sets that stamp (a head learns its stamps from the first
fresh booking, so an upgraded table needs no backfill). Either way a change whose write committed before
the booking's transaction refuses it: the pending stamp was already on every resource that existed when the
change began, and a resource created after that is unstamped (refuses a plan from memory) until a fresh
plan stamps it. docs/bookings.md, "The catalogue a warm instance remembers".
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from kairos.parallel import parallel_map
from kairos.storage import keys
from kairos.storage.dynamodb import Table, to_item

STAMPED_KINDS = ("service", "location")
GONE = 10**15  # above every stamp a version can have
Stamps = Mapping[str, tuple[int, bool]]  # stamp name -> (value, required: planned from memory)


def stamp_name(kind: str, entity_id: str) -> str:
    return f"catalogue_{kind}_{entity_id}"


def written(version: int) -> int:
    return 2 * version


def pending(version: int) -> int:
    return 2 * version - 1


def stamp_terms(stamps: Stamps) -> tuple[list[str], list[str], dict[str, str], dict[str, Any]]:
    """The condition terms and the SET assignments of a booking's stamps on one head, with their names and
    values (placeholders `#tN`, `:tN`)."""
    conditions: list[str] = []
    assignments: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for n, (name, (value, required)) in enumerate(sorted(stamps.items())):
        names[f"#t{n}"], values[f":t{n}"] = name, value
        if required:
            conditions.append(f"#t{n} = :t{n}")
        else:
            conditions.append(f"(attribute_not_exists(#t{n}) OR #t{n} = :t{n})")
            assignments.append(f"#t{n} = :t{n}")
    return conditions, assignments, names, values


def stamps_hold(stamps: Stamps, head: Mapping[str, Any]) -> bool:
    """Whether a head (as a refused transaction returned it) satisfies a booking's stamps."""
    return all(
        head.get(name) == value or (not required and name not in head)
        for name, (value, required) in stamps.items()
    )


class CatalogueStamps:
    """Stamps the resources' heads around a change of a service or location (any other kind: nothing)."""

    def __init__(self, table: Table) -> None:
        self._t = table

    @contextmanager
    def changing(
        self,
        project_id: str,
        kind: str,
        entity_id: str,
        versions: tuple[int, int] | None,
        current: Callable[[], int | None],
    ) -> Iterator[None]:
        """Around the write of a change from `versions[0]` to `versions[1]` (None: a delete). When the
        write fails, the pending stamp is put back to the record's `current()` version where it is still
        ours, so fresh bookings are not refused for a change that never happened."""
        if kind not in STAMPED_KINDS:
            yield
            return
        name = stamp_name(kind, entity_id)
        mark = pending(versions[1]) if versions else GONE
        self._stamp_all(project_id, name, mark)
        try:
            yield
        except Exception:
            version = current()
            if version is not None:
                self._stamp_all(project_id, name, written(version), only_if=mark)
            raise
        if versions:
            self._stamp_all(project_id, name, written(versions[1]))

    def _stamp_all(self, project_id: str, name: str, value: int, only_if: int | None = None) -> None:
        request: dict[str, Any] = {
            "TableName": self._t.name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.entity_partition(project_id), ":prefix": keys.entity_prefix("resource")}
            ),
            "ProjectionExpression": "id",
            "ConsistentRead": True,
        }
        resources = [str(item["id"]) for item in self._t.paginate_query(request)]
        parallel_map(
            lambda resource_id: self._stamp(project_id, resource_id, name, value, only_if), resources
        )

    def _stamp(self, project_id: str, resource_id: str, name: str, value: int, only_if: int | None) -> None:
        condition = "#t = :only_if" if only_if is not None else "attribute_not_exists(#t) OR #t < :t"
        # a newer change stamped it higher (or, putting back, another change took over): nothing to do
        with suppress(self._t.client.exceptions.ConditionalCheckFailedException):
            self._t.client.update_item(
                TableName=self._t.name,
                Key=to_item(keys.schedule_version(project_id, resource_id)),
                UpdateExpression="SET #t = :t, entity = :entity",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#t": name},
                ExpressionAttributeValues=to_item(
                    {":t": value, ":entity": "schedule_version", **({":only_if": only_if} if only_if else {})}
                ),
            )
