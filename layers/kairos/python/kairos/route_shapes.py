"""What a route is: the API areas (one Lambda function each), a route's fields, its path's parameters
and pattern, and the builders of the route families Hapio repeats (CRUD, nested CRUD, associations).
Below the route table (`kairos.routes`), which is made of them."""

import re
from dataclasses import dataclass
from enum import StrEnum


class Area(StrEnum):
    PROJECT = "project"
    LOCATIONS = "locations"
    RESOURCES = "resources"
    SERVICES = "services"
    BOOKINGS = "bookings"
    BOOKING_GROUPS = "booking_groups"
    BOOKING_SERIES = "booking_series"
    WEBHOOKS = "webhooks"


# Requests that match no route go to this area's function, which answers 404 (or 405 for a known path).
FALLBACK_AREA = Area.PROJECT
API_PREFIX = "/v1"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    area: Area
    operation_id: str
    ability: str | None
    summary: str
    request: str | None = None  # the schema of the JSON body, by name (see kairos.api.openapi)
    response: str | None = None  # `Name`, `Page[Name]` (paginated) or `List[Name]` (plain array); None: 204
    status: int | None = None  # the success status, when not the method's usual one (POST 201, ...)
    authenticated: bool = True
    quota_exempt: bool = False  # answers when the monthly quota is used up (counted all the same)

    @property
    def path_params(self) -> list[str]:
        return path_params(self.path)

    @property
    def pattern(self) -> re.Pattern[str]:
        return path_pattern(self.path)


def path_params(path: str) -> list[str]:
    """The names of a route path's parameters (`/v1/resources/{resource}` -> `resource`)."""
    return re.findall(r"{([^}]+)}", path)


def path_pattern(path: str) -> re.Pattern[str]:
    """The path as a regex with one named group per parameter (names made identifier-safe)."""
    regex = re.sub(r"{([^}]+)}", lambda m: f"(?P<{_group(m.group(1))}>[^/]+)", path)
    return re.compile(f"^{regex}$")


def _group(name: str) -> str:
    return name.replace("-", "_")


def crud(area: Area, plural: str, singular: str, entity: str, label: str) -> list[Route]:
    """List, create, get, replace, update and delete one entity, named as Hapio's spec does."""
    base = f"{API_PREFIX}/{plural}"
    item = f"{base}/{{{singular}}}"
    op = singular.capitalize()
    return [
        Route("GET", base, area, f"get{op}s", f"{entity}:view", f"List {label}s", response=f"Page[{op}]"),
        Route("POST", base, area, f"post{op}", f"{entity}:create", f"Create a {label}", op, op),
        Route("GET", item, area, f"get{op}", f"{entity}:view", f"Get a {label}", response=op),
        Route("PUT", item, area, f"put{op}", f"{entity}:update", f"Replace a {label}", op, op),
        Route("PATCH", item, area, f"patch{op}", f"{entity}:update", f"Update a {label}", f"{op}Patch", op),
        Route("DELETE", item, area, f"delete{op}", f"{entity}:delete", f"Delete a {label}"),
    ]


def nested_crud(
    area: Area, base: str, item_param: str, entity: str, op: str, label: str, ability: str
) -> list[Route]:
    """CRUD under a parent path (`/resources/{resource}/schedule-blocks` ...), named as Hapio's spec does."""
    item = f"{base}/{{{item_param}}}"
    return [
        Route(
            "GET", base, area, f"get{op}s", f"{ability}:view", f"List {label}s", response=f"Page[{entity}]"
        ),
        Route("POST", base, area, f"post{op}", f"{ability}:create", f"Create a {label}", entity, entity),
        Route("GET", item, area, f"get{op}", f"{ability}:view", f"Get a {label}", response=entity),
        Route("PUT", item, area, f"put{op}", f"{ability}:update", f"Replace a {label}", entity, entity),
        Route(
            "PATCH",
            item,
            area,
            f"patch{op}",
            f"{ability}:update",
            f"Update a {label}",
            f"{entity}Patch",
            entity,
        ),
        Route("DELETE", item, area, f"delete{op}", f"{ability}:delete", f"Delete a {label}"),
    ]


def associations(area: Area, owner: str, other: str) -> list[Route]:
    """A resource's services or a service's resources: list, get, associate, dissociate."""
    base = f"{API_PREFIX}/{owner}s/{{{owner}}}/{other}s"
    item = f"{base}/{{{other}}}"
    o, t = owner.capitalize(), other.capitalize()
    link = "ResourceService"
    return [
        Route(
            "GET",
            base,
            area,
            f"get{o}{t}s",
            "resource_service:view",
            f"List the {other}s of a {owner}",
            response=f"List[{link}]",
        ),
        Route(
            "GET",
            item,
            area,
            f"get{o}{t}",
            "resource_service:view",
            f"Get a {owner}-{other} association",
            response=link,
        ),
        Route(
            "PUT",
            item,
            area,
            f"put{o}{t}",
            "resource_service:create",
            f"Associate a {other} with a {owner}",
            response=link,
        ),
        Route("DELETE", item, area, f"delete{o}{t}", "resource_service:delete", f"Dissociate a {other}"),
    ]
