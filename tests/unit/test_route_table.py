"""The route table serves Hapio's whole API: the 60 operations of the reference's endpoint table."""

from kairos.routes import ROUTES


def _crud(name: str, base: str, param: str) -> dict[str, tuple[str, str]]:
    item = f"{base}/{{{param}}}"
    return {
        f"get{name}s": ("GET", base),
        f"post{name}": ("POST", base),
        f"get{name}": ("GET", item),
        f"put{name}": ("PUT", item),
        f"patch{name}": ("PATCH", item),
        f"delete{name}": ("DELETE", item),
    }


def _links(owner: str, other: str) -> dict[str, tuple[str, str]]:
    o, t = owner.capitalize(), other.capitalize()
    base = f"/v1/{owner}s/{{{owner}}}/{other}s"
    return {
        f"get{o}{t}s": ("GET", base),
        f"get{o}{t}": ("GET", f"{base}/{{{other}}}"),
        f"put{o}{t}": ("PUT", f"{base}/{{{other}}}"),
        f"delete{o}{t}": ("DELETE", f"{base}/{{{other}}}"),
    }


RECURRING = "/v1/resources/{resource}/recurring-schedules"
EXPECTED = {
    "getYourProject": ("GET", "/v1/project"),
    **_crud("Location", "/v1/locations", "location"),
    **_crud("Resource", "/v1/resources", "resource"),
    **_crud("ResourceScheduleBlock", "/v1/resources/{resource}/schedule-blocks", "schedule-block"),
    **_crud("ResourceRecurringSchedule", RECURRING, "recurring-schedule"),
    **_crud(
        "ResourceRecurringScheduleBlock",
        f"{RECURRING}/{{recurring-schedule}}/schedule-blocks",
        "schedule-block",
    ),
    "getResourceSchedule": ("GET", "/v1/resources/{resource}/schedule"),
    "getResourceFullyBooked": ("GET", "/v1/resources/{resource}/fully-booked"),
    **_links("resource", "service"),
    **_crud("Service", "/v1/services", "service"),
    "getServiceBookableSlots": ("GET", "/v1/services/{service}/bookable-slots"),
    **_links("service", "resource"),
    **_crud("Booking", "/v1/bookings", "booking"),
    **_crud("BookingGroup", "/v1/booking-groups", "booking-group"),
}


def test_the_route_table_holds_all_sixty_hapio_operations_with_their_paths() -> None:
    assert len(EXPECTED) == 60
    served = {r.operation_id: (r.method, r.path) for r in ROUTES}
    assert {name: served.get(name) for name in EXPECTED} == EXPECTED


def test_no_two_routes_share_a_method_and_path() -> None:
    pairs = [(r.method, r.path) for r in ROUTES]
    assert len(pairs) == len(set(pairs))
