"""Handlers of the calendar feeds (Kairos): a resource's and a location's feed with the token (in their
areas), and the secret feed URLs (in the bookings area, whose bookings they show)."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, calendar_response, json_response, no_content, page_response
from kairos.container import Container


def resource_calendar(container: Container) -> dict[str, Handler]:
    return {
        "getResourceCalendar": lambda r: calendar_response(
            container.calendar_feeds.resource_calendar(r.viewer, r.path["resource"])
        )
    }


def location_calendar(container: Container) -> dict[str, Handler]:
    return {
        "getLocationCalendar": lambda r: calendar_response(
            container.calendar_feeds.location_calendar(r.viewer, r.path["location"])
        )
    }


def calendar_feeds(container: Container) -> dict[str, Handler]:
    def create(r: Request) -> Response[str]:
        feed, key = container.calendar_feeds.create(r.viewer, r.json_object())
        return json_response(201, {**feed, "url": f"{r.base_url}/{key}/calendar.ics"})

    def delete(r: Request) -> Response[str]:
        container.calendar_feeds.delete(r.viewer, r.path["calendar-feed"])
        return no_content()

    return {
        "getCalendarFeeds": lambda r: page_response(r, container.calendar_feeds.page(r.viewer, r.query)),
        "postCalendarFeed": create,
        "deleteCalendarFeed": delete,
        "getCalendarFeed": lambda r: calendar_response(
            container.calendar_feeds.public_calendar(r.path["key"])
        ),
    }
