"""Handlers of `/v1/booking-series` (Kairos; docs/booking-series.md), served by the bookings function."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.api.idempotency import idempotent_create
from kairos.container import Container

PARAM = "booking-series"


def booking_series(container: Container) -> dict[str, Handler]:
    series = container.booking_series

    def patch(r: Request) -> Response[str]:
        return json_response(200, series.patch(r.viewer, r.path[PARAM], r.json_object()))

    def delete(r: Request) -> Response[str]:
        series.delete(r.viewer, r.path[PARAM])
        return no_content()

    return {
        "getBookingSeriesList": lambda r: page_response(r, series.page(r.viewer, r.query)),
        "postBookingSeries": idempotent_create(
            container, "postBookingSeries", lambda r: series.create(r.viewer, r.json_object())
        ),
        "getBookingSeries": lambda r: json_response(200, series.get(r.viewer, r.path[PARAM])),
        "patchBookingSeries": patch,
        "deleteBookingSeries": delete,
    }
