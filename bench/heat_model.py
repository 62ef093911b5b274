"""The arithmetic of the key-heat model (bench/heat.py): the capacity units of recorded DynamoDB calls,
the key patterns they fall in, and their load projected to a target rate, per partition and per item.

Capacity units follow DynamoDB's rules: a read is 1 unit per 4 KB when strongly consistent, half that when
eventually consistent (a Query sums the items it reads before rounding; a batch rounds each item), twice
as much inside a transaction; a write is 1 unit per KB of the larger of the item before and after, twice
inside a transaction (a ConditionCheck included); every index whose key the written item carries takes a
write of its own in the index partition. Limits: 1,000 write and 3,000 read units per second per partition
key, the table's and each index's alike.

Patterns are read from the keys themselves, not from a list of today's families: a key is cut at `#` and
every part that is a value (an id, a time, a number, a hash, an address) becomes a placeholder named by the
word before it (`PROJECT#{project}#RESOURCE#{resource}#BOOKINGS`), so families added or reshaped by
kairos.storage.keys show up as what they are."""

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kairos_local.aws_calls import TABLE, Access, hash_key

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
LIMITS = {"read": 3000.0, "write": 1000.0}  # capacity units per second per partition key
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
VALUES: Sequence[tuple[re.Pattern[str], str]] = (
    (re.compile(r"^\d{4}-\d{2}(-\d{2}(T[\d:.]+Z?)?)?$"), "time"),
    (re.compile(r"^\d+(\.\d+){3}$|^[0-9a-f:]*:[0-9a-f:]+$"), "address"),
    (re.compile(r"^\d+$"), "n"),
    (re.compile(r"^[0-9a-fA-F]{16,}$|^[A-Za-z0-9_\-+/=.]{20,}$"), "hash"),
)
WORD = re.compile(r"^[A-Z][A-Z_]*$")
SHAPED = re.compile(r"^\{[a-z]+\}$")


def item_size(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values (numbers about half their
    digits, maps and lists 3 bytes plus their elements)."""
    return sum(len(name.encode()) + _value_size(typed) for name, typed in item.items())


def _value_size(typed: Mapping[str, Any]) -> int:
    ((kind, value),) = typed.items()
    if kind == "S":
        return len(str(value).encode())
    if kind == "N":
        return math.ceil(len(str(value).lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(value)
    if kind == "M":
        return 3 + item_size(value)
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in value)
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in value)
    return 1


def placeholder(part: str) -> str | None:
    """The kind of value a key part is (`id`, `time`, `address`, `n`, `hash`, else `value`), None for a
    word of the key design (upper case: `PROJECT`, `BOOKINGS`), an empty part or a placeholder already."""
    if UUID.match(part):
        return "id"
    found = next((kind for pattern, kind in VALUES if pattern.match(part)), None)
    return found or (None if not part or WORD.match(part) or SHAPED.match(part) else "value")


def pattern(key: str, known: Mapping[str, str] | None = None) -> str:
    """The key with its values replaced: an id by what it is when `known` says (id -> `project`, ...),
    else by the word before it (`RESOURCE#{resource}`); any other value by its kind (`{time}`, `{n}`)."""
    parts = key.split("#")
    shaped = []
    for number, part in enumerate(parts):
        kind = placeholder(part)
        before = parts[number - 1] if number else ""
        if kind == "id" and known and part in known:
            shaped.append("{" + known[part] + "}")
        elif kind == "id" and WORD.match(before):
            shaped.append("{" + before.lower() + "}")
        elif kind is not None:
            shaped.append("{" + kind + "}")
        else:
            shaped.append(part)
    return "#".join(shaped)


def current(key: str) -> str:
    """The key with its times as `{time}`: keys of one owner by time (a day's counter, a minute's log)
    take their load one after the other, the current one all of it, so they count as one key."""
    return "#".join("{time}" if placeholder(part) == "time" else part for part in key.split("#"))


def spread_group(
    key: str, even: Mapping[str, str] | None = None, populations: Mapping[str, float] | None = None
) -> tuple[str, int]:
    """The key with the values that spread one owner's load replaced (shard numbers, hashes, addresses),
    and the ids of `even` (id -> kind: the entities a mix spreads its load over evenly, such as its
    resources); and how many keys the group has at least: the product of the replaced kinds'
    counts in `even`, or in `populations` for a kind it names (ids made anew at the target rate, as a
    request's own: as many a second as requests). The keys of one group share its load evenly. Other ids
    stay: their keys are their own."""
    counts = {**Counter((even or {}).values()), **(populations or {})}
    population = 1
    parts = []
    for part in key.split("#"):
        kind = placeholder(part)
        if kind == "id" and even and part in even:
            parts.append("{" + even[part] + "}")
            population = round(population * counts[even[part]])
        else:
            parts.append("{" + kind + "}" if kind not in (None, "id") else part)
    return "#".join(parts), population


@dataclass(frozen=True)
class Charge:
    """Capacity units one access costs one partition (`resource` is `table` or `index/<name>`); `item` is
    the table item written or checked (None for reads and index copies)."""

    resource: str
    partition: str
    kind: str  # read | write
    units: float
    item: tuple[str, str] | None = None


Stored = Mapping[tuple[str, str], Mapping[str, Any]]


def charges(access: Access, stored: Stored, indexes: Sequence[str]) -> list[Charge]:
    """What one access costs, DynamoDB's way. `stored` holds the items a write names without carrying
    them (an update, a delete, a check) as seen in the store, by (PK, SK); `indexes` the table's indexes."""
    if access.partition is None:  # a Scan: no partition to load
        return []
    if not access.writes:
        factor = 2.0 if access.transaction else 1.0 if access.consistent else 0.5
        if access.action in ("Query", "Scan"):
            size = sum(item_size(i) for i in access.read)
            return [Charge(access.resource, access.partition, "read", factor * _units(size, READ_UNIT_BYTES))]
        size = max((item_size(i) for i in access.read), default=0)
        return [Charge(access.resource, access.partition, "read", factor * _units(size, READ_UNIT_BYTES))]
    key = _item_key(access.key or {})
    before = stored.get(key) or {}
    written = access.item or {}
    size = max(item_size(written), item_size(before))
    factor = 2.0 if access.transaction else 1.0
    found = [Charge(TABLE, access.partition, "write", factor * _units(size, WRITE_UNIT_BYTES), key)]
    if access.action == "ConditionCheckItem":
        return found
    for index in indexes:
        name = hash_key(f"index/{index}")
        copy = (written or before).get(name)  # an update's or a delete's: the item's as stored
        if copy is not None:
            found.append(Charge(f"index/{index}", str(copy["S"]), "write", _units(size, WRITE_UNIT_BYTES)))
    return found


def _units(size: int, unit: int) -> float:
    return float(max(1, math.ceil(size / unit)))


def _item_key(key: Mapping[str, Any]) -> tuple[str, str]:
    return (str(key.get("PK", {}).get("S", "")), str(key.get("SK", {}).get("S", "")))


@dataclass(frozen=True)
class Weighted:
    """A recorded charge standing for `weight` of its kind per second at the target rate, the project it
    was made for (None: a consumer's call for no one request) and what made it (`origin`: the request's
    route, or the consumer function)."""

    charge: Charge
    weight: float
    project: str | None
    origin: str = ""


@dataclass
class Sample:
    charges: list[Weighted] = field(default_factory=list)

    def add(self, found: Iterable[Charge], weight: float, project: str | None, origin: str = "") -> None:
        self.charges += [Weighted(charge, weight, project, origin) for charge in found]

    def sampled_projects(self) -> set[str]:
        return {c.project for c in self.charges if c.project is not None}


@dataclass(frozen=True)
class KeyLoad:
    resource: str
    key: str
    read: float
    write: float
    projects: int
    stands_for: float = 1.0  # keys of its group it stands for (the group's population over keys seen)

    @property
    def share(self) -> float:
        """The share of the partition's limits this load takes (reads and writes each against theirs)."""
        return max(self.read / LIMITS["read"], self.write / LIMITS["write"])


def partition_loads(
    sample: Sample,
    projects_total: int = 1,
    even: Mapping[str, str] | None = None,
    populations: Mapping[str, float] | None = None,
) -> list[KeyLoad]:
    """Units per second on each partition key at the target rate. A key that more than one sampled
    project touches (or that a consumer touches for no one project) is shared by all `projects_total`
    projects: its load is scaled from the sampled projects to all of them. The keys of one spread group
    (`spread_group`, with `even`) share their load evenly, over the keys seen or the group's population
    when more (a sample of 100 reads touches some of 200 resources' lists, each standing for them all)."""
    sampled = sample.sampled_projects()
    read: dict[tuple[str, str], float] = defaultdict(float)
    write: dict[tuple[str, str], float] = defaultdict(float)
    owners: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for found in sample.charges:
        key = (found.charge.resource, current(found.charge.partition))
        (read if found.charge.kind == "read" else write)[key] += found.charge.units * found.weight
        owners[key].add(found.project)
    scale = projects_total / max(1, len(sampled))
    groups: dict[tuple[str, str, int], list[tuple[str, str]]] = defaultdict(list)
    for key in owners:
        groups[(key[0], *spread_group(key[1], even, populations))].append(key)
    loads = []
    for (_, _, population), members in groups.items():
        keys = max(len(members), population)
        group_read = sum(read[k] for k in members) / keys
        group_write = sum(write[k] for k in members) / keys
        for key in members:
            shared = len(owners[key]) > 1 or None in owners[key]
            factor = scale if shared else 1.0
            count = len(sampled) if None in owners[key] else len(owners[key] - {None})
            stands_for = keys / len(members)
            loads.append(
                KeyLoad(key[0], key[1], group_read * factor, group_write * factor, count, stands_for)
            )
    return loads


@dataclass(frozen=True)
class PatternRow:
    resource: str
    pattern: str
    keys: int
    read: float  # units/s, all keys of the pattern
    write: float
    hottest_read: float  # units/s, its hottest key
    hottest_write: float

    @property
    def share(self) -> float:
        return max(self.hottest_read / LIMITS["read"], self.hottest_write / LIMITS["write"])


def by_pattern(loads: Iterable[KeyLoad], known: Mapping[str, str] | None = None) -> list[PatternRow]:
    """Per key pattern (and table or index; `known` as for `pattern`): its keys (those a sampled key
    stands for included), its total load and its hottest key's, hottest first."""
    grouped: dict[tuple[str, str], list[KeyLoad]] = defaultdict(list)
    for load in loads:
        grouped[(load.resource, pattern(load.key, known))].append(load)
    rows = [
        PatternRow(
            resource,
            shape,
            round(sum(m.stands_for for m in members)),
            sum(m.read * m.stands_for for m in members),
            sum(m.write * m.stands_for for m in members),
            max(m.read for m in members),
            max(m.write for m in members),
        )
        for (resource, shape), members in grouped.items()
    ]
    return sorted(rows, key=lambda r: -r.share)


def shared_by_every_project(sample: Sample) -> list[tuple[str, str]]:
    """The partition keys (table or index) written for every sampled project, or by a consumer for no
    one project while carrying no project's id: what every project's traffic writes."""
    sampled = sample.sampled_projects()
    writers: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for found in sample.charges:
        if found.charge.kind == "write":
            writers[(found.charge.resource, found.charge.partition)].add(found.project)
    return sorted(
        key
        for key, who in writers.items()
        if (sampled and sampled <= who)
        or (None in who and not any(project in key[1] for project in sampled if project))
    )


def origins(
    sample: Sample, resource: str, shape: str, known: Mapping[str, str] | None = None
) -> list[tuple[str, str, float]]:
    """What loads the keys of one pattern: (origin, read or write, units per second), largest first."""
    found: dict[tuple[str, str], float] = defaultdict(float)
    for weighted in sample.charges:
        charge = weighted.charge
        if charge.resource == resource and pattern(charge.partition, known) == shape:
            found[(weighted.origin, charge.kind)] += charge.units * weighted.weight
    return sorted(((o, kind, units) for (o, kind), units in found.items()), key=lambda row: -row[2])


def item_writes(touches: Iterable[tuple[tuple[str, str], float]]) -> dict[tuple[str, str], float]:
    """Writes per second of each item, from (item, weight) pairs: one per request that wrote or checked
    it (a transaction conflicts on a checked item as on a written one)."""
    found: dict[tuple[str, str], float] = defaultdict(float)
    for item, weight in touches:
        found[item] += weight
    return dict(found)


def hottest_share(
    requests: Iterable[tuple[str, frozenset[tuple[str, str]]]],
    known: Mapping[str, str] | None = None,
    seen: Iterable[tuple[str, str]] = (),
) -> tuple[float, str]:
    """Of the booking writes of one group (a location's, a service's: `(group, items touched)` per
    request), the largest share that touch one same item, and the group and item's pattern. Items that
    differ only in a shard number, hash or address (`spread_item`: one owner's load spread, such as a
    counter's random shard) share their touches evenly over those of them the requests and `seen` (every
    item the sample touched) show: a sample of 25 writes over 64 shards meets some twice by chance, while
    each shard takes 1 in 64."""
    spread: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    by_group: dict[str, list[frozenset[tuple[str, str]]]] = defaultdict(list)
    for item in seen:
        spread[spread_item(item)].add(item)
    for group, items in requests:
        by_group[group].append(items)
        for item in items:
            spread[spread_item(item)].add(item)
    best, where = 0.0, ""
    for group, touched in by_group.items():
        counts: dict[tuple[str, str], float] = defaultdict(float)
        for items in touched:
            for item in items:
                family = spread_item(item)
                counts[family] += 1 / len(spread[family])
        if not counts:
            continue
        family, count = max(counts.items(), key=lambda pair: pair[1])
        if count / len(touched) > best:
            best, where = (
                count / len(touched),
                f"{group}: {pattern(family[0], known)} / {pattern(family[1], known)}",
            )
    return best, where


def spread_item(item: tuple[str, str]) -> tuple[str, str]:
    """An item's key with its shard numbers, hashes and addresses as placeholders (its times and ids
    kept: items of other hours or owners are other items)."""
    return (_spread_key(item[0]), _spread_key(item[1]))


def _spread_key(key: str) -> str:
    parts = key.split("#")
    return "#".join(
        "{" + kind + "}" if (kind := placeholder(part)) in ("n", "hash", "address") else part
        for part in parts
    )
