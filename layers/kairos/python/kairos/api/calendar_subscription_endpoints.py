"""Handlers of a resource's calendar subscriptions (Kairos; docs/calendar-subscriptions.md)."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.container import Container

PARAM = "calendar-subscription"


def calendar_subscriptions(container: Container) -> dict[str, Handler]:
    def list_(r: Request) -> Response[str]:
        return page_response(r, container.calendar_subscriptions.page(r.viewer, r.path["resource"], r.query))

    def create(r: Request) -> Response[str]:
        return json_response(
            201, container.calendar_subscriptions.create(r.viewer, r.path["resource"], r.json_object())
        )

    def get(r: Request) -> Response[str]:
        return json_response(
            200, container.calendar_subscriptions.get(r.viewer, r.path["resource"], r.path[PARAM])
        )

    def patch(r: Request) -> Response[str]:
        return json_response(
            200,
            container.calendar_subscriptions.patch(
                r.viewer, r.path["resource"], r.path[PARAM], r.json_object()
            ),
        )

    def delete(r: Request) -> Response[str]:
        container.calendar_subscriptions.delete(r.viewer, r.path["resource"], r.path[PARAM])
        return no_content()

    def sync(r: Request) -> Response[str]:
        return json_response(
            200, container.calendar_subscriptions.sync_now(r.viewer, r.path["resource"], r.path[PARAM])
        )

    return {
        "getResourceCalendarSubscriptions": list_,
        "postResourceCalendarSubscription": create,
        "getResourceCalendarSubscription": get,
        "patchResourceCalendarSubscription": patch,
        "deleteResourceCalendarSubscription": delete,
        "syncResourceCalendarSubscription": sync,
    }
