"""Handlers of `/v1/booking-series` (Kairos; docs/booking-series.md), served by a function of their own
(`functions/booking_series/`): a series is CPU-bound where a booking waits, so it runs at a full vCPU, and
its bursts do not take single bookings' instances. The services are reached at each request, so that a
cold start of the function loads none, and a read only the reads' (no input models, no slot engine)."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.api.idempotency import idempotent_create
from kairos.container import Container

PARAM = "booking-series"


def booking_series(container: Container) -> dict[str, Handler]:
    def get(r: Request) -> Response[str]:
        return json_response(200, container.booking_series_reads.get(r.viewer, r.path[PARAM]))

    def patch(r: Request) -> Response[str]:
        return json_response(200, container.booking_series.patch(r.viewer, r.path[PARAM], r.json_object()))

    def delete(r: Request) -> Response[str]:
        container.booking_series.delete(r.viewer, r.path[PARAM])
        return no_content()

    return {
        "getBookingSeriesList": lambda r: page_response(
            r, container.booking_series_reads.page(r.viewer, r.query)
        ),
        "postBookingSeries": idempotent_create(
            container,
            "postBookingSeries",
            lambda r: container.booking_series.create(r.viewer, r.json_object()),
        ),
        "getBookingSeries": get,
        "patchBookingSeries": patch,
        "deleteBookingSeries": delete,
    }
