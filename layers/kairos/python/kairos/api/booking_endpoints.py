"""Handlers of the bookings and booking-groups areas."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.calendar_endpoints import calendar_feeds
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.api.idempotency import idempotent_create
from kairos.api.waitlist_endpoints import waitlist_entries
from kairos.container import Container


def bookings(container: Container) -> dict[str, Handler]:
    def list_(r: Request) -> Response[str]:
        return page_response(r, container.bookings.page(r.viewer, r.query))

    create = idempotent_create(
        container, "postBooking", lambda r: container.bookings.create(r.viewer, r.json_object())
    )

    def get(r: Request) -> Response[str]:
        return json_response(200, container.bookings.get(r.viewer, r.path["booking"]))

    def replace(r: Request) -> Response[str]:
        return json_response(200, container.bookings.replace(r.viewer, r.path["booking"], r.json_object()))

    def patch(r: Request) -> Response[str]:
        return json_response(200, container.bookings.patch(r.viewer, r.path["booking"], r.json_object()))

    def delete(r: Request) -> Response[str]:
        container.bookings.delete(r.viewer, r.path["booking"])
        return no_content()

    return {
        "getBookings": list_,
        "postBooking": create,
        "getBooking": get,
        "putBooking": replace,
        "patchBooking": patch,
        "deleteBooking": delete,
        **calendar_feeds(container),
        **waitlist_entries(container),
    }


def booking_groups(container: Container) -> dict[str, Handler]:
    def list_(r: Request) -> Response[str]:
        return page_response(r, container.booking_groups.page(r.viewer, r.query))

    create = idempotent_create(
        container, "postBookingGroup", lambda r: container.booking_groups.create(r.viewer, r.json_object())
    )

    def get(r: Request) -> Response[str]:
        return json_response(200, container.booking_groups.get(r.viewer, r.path["booking-group"]))

    def replace(r: Request) -> Response[str]:
        return json_response(
            200,
            container.booking_groups.update(r.viewer, r.path["booking-group"], r.json_object(), full=True),
        )

    def patch(r: Request) -> Response[str]:
        return json_response(
            200,
            container.booking_groups.update(r.viewer, r.path["booking-group"], r.json_object(), full=False),
        )

    def delete(r: Request) -> Response[str]:
        container.booking_groups.delete(r.viewer, r.path["booking-group"])
        return no_content()

    return {
        "getBookingGroups": list_,
        "postBookingGroup": create,
        "getBookingGroup": get,
        "putBookingGroup": replace,
        "patchBookingGroup": patch,
        "deleteBookingGroup": delete,
    }
