"""Lists the Hapio way: plain and bracket filters (`created_at[gte]=...`, `metadata[a->b][eq]=x`), `sort`,
and `page`/`per_page` pagination. Pure functions over rendered items, shared by every list endpoint.

Rules decided here (docs/api.md): operators are eq, gt, gte, lt, lte; an unknown operator, an unknown
bracket field or an unknown sort key is a 422; unknown plain parameters are ignored; a tri-state filter
(`disabled`, `temporary`, `canceled`) defaults to `exclude`.
"""

import json
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from kairos.domain.shared.queries import int_param
from kairos.errors import ValidationFailed
from kairos.values.formats import parse_price, parse_timestamp, stored_timestamp

MAX_PER_PAGE = 100
OPERATORS = ("eq", "gt", "gte", "lt", "lte")
_BRACKETS = re.compile(r"^(?P<field>[a-z_]+)(?P<rest>(?:\[[^\[\]]*\])+)$")


class FieldType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    PRICE = "price"
    TIMESTAMP = "timestamp"
    JSON = "json"  # metadata: the key path follows the field name


Predicate = Callable[[Mapping[str, Any], str], bool]


@dataclass(frozen=True)
class ListSpec:
    """What one list endpoint can filter and sort by."""

    bracket_fields: Mapping[str, FieldType]
    sort_keys: tuple[str, ...]
    plain_filters: Mapping[str, Predicate] = field(default_factory=dict)
    tri_state: Mapping[str, Callable[[Mapping[str, Any]], bool]] = field(default_factory=dict)
    default_sort: tuple[tuple[str, bool], ...] = (("created_at", False), ("id", False))
    sort_values: Mapping[str, Callable[[Any], Any]] = field(
        default_factory=dict
    )  # e.g. weekdays in ISO order


@dataclass(frozen=True)
class Filter:
    field: str
    path: tuple[str, ...]
    operator: str
    value: str


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int | None:
        return (self.page - 1) * self.per_page + 1 if self.items else None

    @property
    def last_index(self) -> int | None:
        first = self.first_index
        return None if first is None else first + len(self.items) - 1


def page_params(query: Mapping[str, str]) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    page = int_param(query, "page", errors, default=1, low=1, high=None)
    per_page = int_param(query, "per_page", errors, default=MAX_PER_PAGE, low=1, high=MAX_PER_PAGE)
    if errors:
        raise ValidationFailed(errors)
    return page, per_page


def parse_filters(query: Mapping[str, str], spec: ListSpec) -> list[Filter]:
    filters: list[Filter] = []
    errors: dict[str, list[str]] = {}
    for key, value in query.items():
        match = _BRACKETS.match(key)
        if not match:
            continue
        name = match["field"]
        parts = re.findall(r"\[([^\[\]]*)\]", match["rest"])
        kind = spec.bracket_fields.get(name)
        if kind is None:
            errors.setdefault(name, []).append(f"The {name} field cannot be filtered.")
            continue
        if kind is FieldType.JSON:
            if len(parts) not in (1, 2) or not parts[0]:
                errors.setdefault(name, []).append(f"The {name} filter must be {name}[key][operator].")
                continue
            path = tuple(parts[0].split("->"))
            operator = parts[1] if len(parts) == 2 else "eq"
        else:
            if len(parts) != 1:
                errors.setdefault(name, []).append(f"The {name} filter must be {name}[operator].")
                continue
            path, operator = (), parts[0]
        if operator not in OPERATORS:
            errors.setdefault(name, []).append(
                f"The {name} filter operator must be one of: {', '.join(OPERATORS)}."
            )
            continue
        problem = _check_value(kind, value)
        if problem:
            errors.setdefault(name, []).append(f"The {name} filter value {problem}.")
            continue
        filters.append(Filter(name, path, operator, value))
    if errors:
        raise ValidationFailed(errors)
    return filters


def _check_value(kind: FieldType, value: str) -> str | None:
    try:
        if kind is FieldType.TIMESTAMP:
            parse_timestamp(value)
        elif kind is FieldType.PRICE:
            parse_price(value)
        elif kind is FieldType.NUMBER and not Decimal(value).is_finite():
            return "must be a finite number"
    except (ValueError, InvalidOperation) as exc:
        return str(exc) if isinstance(exc, ValueError) else "must be a number"
    return None


def sort_pattern(spec: ListSpec) -> str:
    """What `sort` accepts, as a regular expression (the OpenAPI document gives it to clients too)."""
    key = f" *({'|'.join(spec.sort_keys)})(\\.(asc|desc))? *"
    return f"^({key}(,{key})*)?$"


def parse_sort(query: Mapping[str, str], spec: ListSpec) -> tuple[tuple[str, bool], ...]:
    raw = query.get("sort")
    if raw is None or raw == "":
        return spec.default_sort
    if not re.fullmatch(sort_pattern(spec), raw):
        raise ValidationFailed.field(
            "sort", f"The sort field must be a list of {', '.join(spec.sort_keys)} with .asc or .desc."
        )
    keys = [part.strip(" ").partition(".") for part in raw.split(",")]
    return (*((name, direction == "desc") for name, _, direction in keys), ("id", False))


def tri_state(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "exclude")
    if value not in ("exclude", "include", "only"):
        raise ValidationFailed.field(name, f"The selected {name} is invalid.")
    return value


def select(
    items: list[dict[str, Any]], query: Mapping[str, str], spec: ListSpec, *, paginate: bool = True
) -> Page:
    """Filters, sorts and paginates `items` (rendered, protected fields included) as `query` asks; with
    `paginate=False`, every item that passes comes back on one page."""
    page, per_page = page_params(query) if paginate else (1, max(1, len(items)))
    filters = parse_filters(query, spec)
    order = parse_sort(query, spec)
    kept = [item for item in items if all(_matches(item, f, spec.bracket_fields[f.field]) for f in filters)]
    for name, predicate in spec.plain_filters.items():
        if name in query:
            kept = [item for item in kept if predicate(item, query[name])]
    for name, is_flagged in spec.tri_state.items():
        mode = tri_state(query, name)
        if mode == "exclude":
            kept = [item for item in kept if not is_flagged(item)]
        elif mode == "only":
            kept = [item for item in kept if is_flagged(item)]
    for key, descending in reversed(order):  # stable sorts, last key first
        kept.sort(key=_sort_key_of(key, spec.sort_values.get(key)), reverse=descending)
    start = (page - 1) * per_page
    return Page(kept[start : start + per_page], len(kept), page, per_page)


def _sort_key_of(
    key: str, transform: Callable[[Any], Any] | None
) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    if transform is not None:
        return lambda item: (1, transform(item.get(key)))
    return lambda item: _sort_key(item.get(key))


def _sort_key(value: Any) -> tuple[int, Any]:
    """Nulls first, then numbers and instants, then text: values of different kinds are never compared
    with each other (a name that reads as a timestamp sorts among the numbers, not against the text)."""
    if value is None:
        return (0, "")
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        try:
            return (1, stored_timestamp(value).timestamp())
        except ValueError:
            pass
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def _matches(item: Mapping[str, Any], flt: Filter, kind: FieldType) -> bool:
    stored: Any = item.get(flt.field)
    for key in flt.path:
        if not isinstance(stored, dict) or key not in stored:
            return False
        stored = stored[key]
    left, right = _comparable(stored, flt.value, kind)
    if left is None or right is None:
        return False
    if flt.operator == "eq":
        return bool(left == right)
    if type(left) is not type(right) or isinstance(left, bool):
        return False
    return bool(_ORDERING[flt.operator](left, right))


_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _comparable(stored: Any, value: str, kind: FieldType) -> tuple[Any, Any]:
    if stored is None:
        return (None, None) if value != "null" else ("null", "null")
    if kind is FieldType.TIMESTAMP:
        return stored_timestamp(stored).timestamp(), parse_timestamp(value).timestamp()
    if kind in (FieldType.PRICE, FieldType.NUMBER):
        return Decimal(str(stored)), Decimal(value)
    if kind is FieldType.JSON:
        return _json_comparable(stored, value)
    return str(stored), value


def _json_comparable(stored: Any, value: str) -> tuple[Any, Any]:
    """The query text is read as the stored value's JSON type: `true` matches the boolean true (and the
    string "true"), `5` the number 5 (and the string "5"). A query string cannot say which type it means."""
    if isinstance(stored, bool):
        return stored, {"true": True, "false": False}.get(value)
    if isinstance(stored, (int, float)):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None, None
        return (Decimal(str(stored)), number) if number.is_finite() else (None, None)
    if isinstance(stored, str):
        return stored, value
    return json.dumps(stored, sort_keys=True), value
