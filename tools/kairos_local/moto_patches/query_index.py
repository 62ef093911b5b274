"""Queries that read one partition, not the whole table.

moto 5 answers every Query by sorting all items of the table and then keeping those of the asked partition
(for a GSI too), so each Query costs time in proportion to everything stored: with a few thousand bookings
a slot listing of 50 resources spent 23 s in moto. This patch keeps, per table, an index of the items of
each partition (of the table's key and of each GSI's) with its sort keys in order, and hands moto's own
`Table.query` only the items of the asked partition that can satisfy the sort-key condition. moto then
does what it always does (sort, page, filter, project) on those few items, so the answer is the same: the
tests compare both on random tables.

The index is built from the table on the first Query and kept up to date by the writes that change items
(PutItem, UpdateItem, DeleteItem, and BatchWriteItem and TransactWriteItems, which use them). PartiQL writes
and UpdateTable (a new GSI) drop it, to be built again. It only ever needs to hold a superset of the matches:
moto checks each candidate again.
"""

import bisect
from collections.abc import Callable
from typing import Any

from kairos_local.moto_patches.registry import Replace

ItemKey = tuple[Any, Any]  # the item's table key: (hash DynamoType, range DynamoType or None)
Partition = tuple[Any, ...]  # the values of an index's hash attributes
ATTRIBUTE = "_kairos_query_index"


class KeyIndex:
    """The items of one key schema (the table's, or a GSI's) by partition, with sort values kept apart so
    that a sort-key condition becomes a range of a sorted list."""

    def __init__(self, hash_attributes: list[str], range_attribute: str | None) -> None:
        self.hash_attributes = hash_attributes
        self.range_attribute = range_attribute
        self._partitions: dict[Partition, dict[ItemKey, Any]] = {}
        self._placed: dict[ItemKey, Partition] = {}
        self._ordered: dict[Partition, list[tuple[Any, ItemKey]] | None] = {}

    def put(self, key: ItemKey, attrs: dict[str, Any]) -> None:
        values = [attrs.get(name) for name in self.hash_attributes]
        partition = tuple(values) if all(v is not None for v in values) else None
        if self._placed.get(key) is not None and self._placed[key] != partition:
            self.remove(key)
        if partition is None:
            return
        sort_value = attrs.get(self.range_attribute) if self.range_attribute else None
        members = self._partitions.setdefault(partition, {})
        if key not in members or members[key] != sort_value:
            self._ordered[partition] = None
        members[key] = sort_value
        self._placed[key] = partition

    def remove(self, key: ItemKey) -> None:
        partition = self._placed.pop(key, None)
        if partition is None:
            return
        members = self._partitions[partition]
        members.pop(key, None)
        self._ordered[partition] = None
        if not members:
            del self._partitions[partition]
            del self._ordered[partition]

    def keys(self, partition: Partition, comparison: str | None, operands: list[Any]) -> list[ItemKey]:
        """The keys of the partition's items whose sort value may satisfy the condition."""
        members = self._partitions.get(partition)
        if not members:
            return []
        if comparison is None:
            return list(members)
        ordered = self._sorted(partition, members)
        if ordered is None:  # sort values of mixed types: let moto compare each
            return list(members)
        values = [operand.cast_value for operand in operands]
        low, high = _bounds(ordered, comparison.upper(), values)
        # One neighbour on each side too: moto checks its page limit when it reaches the next item, matching
        # or not, and answers a LastEvaluatedKey when there is one; without it the answers would differ.
        return [key for _, key in ordered[max(low - 1, 0) : high + 1]]

    def _sorted(self, partition: Partition, members: dict[ItemKey, Any]) -> list[tuple[Any, ItemKey]] | None:
        ordered = self._ordered.get(partition)
        if ordered is None:
            present = [(value.cast_value, key) for key, value in members.items() if value is not None]
            try:
                present.sort(key=lambda pair: pair[0])
            except TypeError:
                return None
            self._ordered[partition] = ordered = present
        return ordered


def _bounds(ordered: list[tuple[Any, ItemKey]], comparison: str, values: list[Any]) -> tuple[int, int]:
    def left(value: Any) -> int:
        return bisect.bisect_left(ordered, value, key=lambda pair: pair[0])

    def right(value: Any) -> int:
        return bisect.bisect_right(ordered, value, key=lambda pair: pair[0])

    everything = (0, len(ordered))
    try:
        if comparison in ("EQ", "="):
            return left(values[0]), right(values[0])
        if comparison in ("LT", "<"):
            return 0, left(values[0])
        if comparison in ("LE", "<="):
            return 0, right(values[0])
        if comparison in ("GT", ">"):
            return right(values[0]), len(ordered)
        if comparison in ("GE", ">="):
            return left(values[0]), len(ordered)
        if comparison == "BETWEEN":
            return left(values[0]), right(values[1])
        if comparison == "BEGINS_WITH" and isinstance(values[0], str | bytes):
            low = end = left(values[0])
            while end < len(ordered) and ordered[end][0].startswith(values[0]):
                end += 1
            return low, end
    except TypeError:  # an operand of another type than the keys: moto decides
        return everything
    return everything


def _indexes(table: Any) -> dict[str | None, KeyIndex]:
    """The table's indexes by name (None for the table's own key), built on first use."""
    indexes: dict[str | None, KeyIndex] | None = table.__dict__.get(ATTRIBUTE)
    if indexes is None:
        indexes = {None: KeyIndex([table.hash_key_attr], table.range_key_attr)}
        for index in table.global_indexes or []:
            hash_names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            range_names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            indexes[index.name] = KeyIndex(hash_names, range_names[0] if len(range_names) == 1 else None)
        for item in _all_items(table):
            _put(indexes, item)
        table.__dict__[ATTRIBUTE] = indexes
    return indexes


def _all_items(table: Any) -> list[Any]:
    if table.range_key_attr is None:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def _put(indexes: dict[str | None, KeyIndex], item: Any) -> None:
    key = (item.hash_key, item.range_key)
    for index in indexes.values():
        index.put(key, item.attrs)


def _candidates(
    table: Any, hash_key: Any, index_name: str | None, kwargs: dict[str, Any]
) -> list[Any] | None:
    """The items the query can match, in the order of moto's `all_items`; None to let moto look at all."""
    indexes = _indexes(table)
    index = indexes.get(index_name)
    if index is None:
        return None
    if index_name is None:
        partition: Partition = (hash_key,)
    else:
        conditions = dict(kwargs.get("hash_key_conditions") or [])
        if set(conditions) != set(index.hash_attributes):
            return None
        partition = tuple(conditions[name] for name in index.hash_attributes)
    comparison = kwargs.get("range_comparison")
    range_conditions = kwargs.get("range_key_conditions") or []
    narrowed_attribute = range_conditions[-1][0] if range_conditions else index.range_attribute
    if comparison and (len(range_conditions) > 1 or narrowed_attribute != index.range_attribute):
        comparison = None  # a multi-attribute sort key: moto compares each candidate
    keys = index.keys(partition, comparison, list(kwargs.get("range_objs") or []))
    items = [table.get_item(hash_value, range_value) for hash_value, range_value in keys]
    found = [item for item in items if item is not None]
    if table.range_key_attr is None:
        return sorted(found, key=lambda item: item.hash_key)
    return sorted(found, key=lambda item: (item.hash_key, item.range_key))


QUERY_PARAMETERS = (
    "hash_key",
    "range_comparison",
    "range_objs",
    "limit",
    "exclusive_start_key",
    "scan_index_forward",
    "projection_expressions",
    "index_name",
    "consistent_read",
    "filter_expression",
)


def install(replace: Replace) -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_put = Table.put_item
    original_delete = Table.delete_item
    original_update = DynamoDBBackend.update_item

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        named = {**dict(zip(QUERY_PARAMETERS, args, strict=False)), **kwargs}
        candidates = _candidates(self, named.get("hash_key"), named.get("index_name"), named)
        if candidates is None:
            return original_query(self, *args, **kwargs)
        self.all_items = lambda: candidates  # moto reads the table through all_items(); this query, these
        try:
            return original_query(self, *args, **kwargs)
        finally:
            del self.all_items

    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = original_put(self, *args, **kwargs)
        if ATTRIBUTE in self.__dict__:
            _put(self.__dict__[ATTRIBUTE], item)
        return item

    def delete_item(self: Any, hash_key: Any, range_key: Any) -> Any:
        item = original_delete(self, hash_key, range_key)
        if item is not None and ATTRIBUTE in self.__dict__:
            for index in self.__dict__[ATTRIBUTE].values():
                index.remove((item.hash_key, item.range_key))
        return item

    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        item = original_update(self, table_name, *args, **kwargs)
        table = self.get_table(table_name)
        if ATTRIBUTE in table.__dict__:
            _put(table.__dict__[ATTRIBUTE], item)
        return item

    replace(Table, "query", query)
    replace(Table, "put_item", put_item)
    replace(Table, "delete_item", delete_item)
    replace(DynamoDBBackend, "update_item", update_item)
    for name in ("execute_statement", "execute_transaction", "batch_execute_statement", "update_table"):
        replace(DynamoDBBackend, name, _dropping_indexes(getattr(DynamoDBBackend, name)))


def _dropping_indexes(method: Callable[..., Any]) -> Callable[..., Any]:
    """PartiQL writes change items by paths this patch does not follow, and UpdateTable may add a GSI:
    forget every index after one."""

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            for table in self.tables.values():
                forget_index(table)

    return call


def forget_index(table: Any) -> None:
    """Drops the table's index (items changed by a path it does not follow): the next Query builds it."""
    table.__dict__.pop(ATTRIBUTE, None)
