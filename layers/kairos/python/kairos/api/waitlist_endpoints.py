"""Handlers of the waitlist entries (Kairos; docs/waitlists.md)."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.container import Container

PARAM = "waitlist-entry"


def waitlist_entries(container: Container) -> dict[str, Handler]:
    def list_(r: Request) -> Response[str]:
        return page_response(r, container.waitlists.page(r.viewer, r.query))

    def create(r: Request) -> Response[str]:
        return json_response(201, container.waitlists.create(r.viewer, r.json_object()))

    def get(r: Request) -> Response[str]:
        return json_response(200, container.waitlists.get(r.viewer, r.path[PARAM]))

    def delete(r: Request) -> Response[str]:
        container.waitlists.delete(r.viewer, r.path[PARAM])
        return no_content()

    return {
        "getWaitlistEntries": list_,
        "postWaitlistEntry": create,
        "getWaitlistEntry": get,
        "deleteWaitlistEntry": delete,
    }
