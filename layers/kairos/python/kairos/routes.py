"""The route table: every endpoint once, with the API area (one Lambda function each) and the ability it
needs. The CDK API construct, the local server, the handlers and the OpenAPI generator all read it."""

from kairos.route_shapes import (
    API_PREFIX,
    FALLBACK_AREA,
    Area,
    Route,
    associations,
    crud,
    nested_crud,
    path_params,
    path_pattern,
)

# What a route is lives below, in `kairos.route_shapes`; callers take it from here with the table.
__all__ = [
    "API_PREFIX",
    "FALLBACK_AREA",
    "ROUTES",
    "Area",
    "Route",
    "match",
    "path_params",
    "path_pattern",
    "routes_for",
]


RESOURCE_BASE = f"{API_PREFIX}/resources/{{resource}}"
WEBHOOK_ITEM = f"{API_PREFIX}/webhooks/{{webhook}}"
RECURRING_BASE = f"{RESOURCE_BASE}/recurring-schedules"
CALENDAR_FEEDS = f"{API_PREFIX}/calendar-feeds"
CALENDAR = "Calendar"  # the response of a feed: text/calendar, not JSON
CALENDAR_SUBSCRIPTIONS = f"{RESOURCE_BASE}/calendar-subscriptions"
CALENDAR_SUBSCRIPTION = f"{CALENDAR_SUBSCRIPTIONS}/{{calendar-subscription}}"
WAITLIST_ENTRIES = f"{API_PREFIX}/waitlist-entries"
WAITLIST_ENTRY = f"{WAITLIST_ENTRIES}/{{waitlist-entry}}"


def _series_routes() -> list[Route]:
    """Kairos: booking series (docs/booking-series.md), with the bookings' abilities: each occurrence is a
    booking, so what a token may do to bookings it may do to a series of them."""
    base = f"{API_PREFIX}/booking-series"
    item = f"{base}/{{booking-series}}"
    area, op = Area.BOOKING_SERIES, "BookingSeries"
    return [
        Route(
            "GET",
            base,
            area,
            f"get{op}List",
            "booking:view",
            "Kairos: list booking series",
            response=f"Page[{op}]",
        ),
        Route("POST", base, area, f"post{op}", "booking:create", "Kairos: book a recurring series", op, op),
        Route("GET", item, area, f"get{op}", "booking:view", "Kairos: get a booking series", response=op),
        Route(
            "PATCH",
            item,
            area,
            f"patch{op}",
            "booking:update",
            "Kairos: change a booking series' metadata, cancel it from a date on",
            f"{op}Patch",
            op,
        ),
        Route(
            "DELETE",
            item,
            area,
            f"delete{op}",
            "booking:delete",
            "Kairos: cancel a series' occurrences to come",
        ),
    ]


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        f"{API_PREFIX}/project",
        Area.PROJECT,
        "getYourProject",
        None,
        "Get your project",
        response="Project",
    ),
    Route(
        "GET",
        f"{API_PREFIX}/project/usage",
        Area.PROJECT,
        "getYourProjectUsage",
        "usage:view",
        "Your project's API requests, processing time and webhook attempts per day",
        response="Usage",
        quota_exempt=True,  # a customer whose quota is used up must be able to see why
    ),
    Route(
        "GET",
        f"{API_PREFIX}/openapi.json",
        Area.PROJECT,
        "getOpenApiDocument",
        None,
        "The OpenAPI document of this API",
        response="OpenApiDocument",
        authenticated=False,
    ),
    *crud(Area.LOCATIONS, "locations", "location", "location", "location"),
    *crud(Area.RESOURCES, "resources", "resource", "resource", "resource"),
    *associations(Area.RESOURCES, "resource", "service"),
    *nested_crud(
        Area.RESOURCES,
        f"{RESOURCE_BASE}/schedule-blocks",
        "schedule-block",
        "ScheduleBlock",
        "ResourceScheduleBlock",
        "schedule block",
        "schedule_block",
    ),
    *nested_crud(
        Area.RESOURCES,
        RECURRING_BASE,
        "recurring-schedule",
        "RecurringSchedule",
        "ResourceRecurringSchedule",
        "recurring schedule",
        "recurring_schedule",
    ),
    *nested_crud(
        Area.RESOURCES,
        f"{RECURRING_BASE}/{{recurring-schedule}}/schedule-blocks",
        "schedule-block",
        "RecurringScheduleBlock",
        "ResourceRecurringScheduleBlock",
        "recurring schedule block",
        "recurring_schedule_block",
    ),
    Route(
        "GET",
        f"{RESOURCE_BASE}/schedule",
        Area.RESOURCES,
        "getResourceSchedule",
        "schedule:view",
        "The time spans in which a resource is available at a location",
        response="Page[TimeSpan]",
    ),
    Route(
        "GET",
        f"{RESOURCE_BASE}/fully-booked",
        Area.RESOURCES,
        "getResourceFullyBooked",
        "schedule:view",
        "The time spans in which a resource is fully booked",
        response="Page[TimeSpan]",
    ),
    *crud(Area.SERVICES, "services", "service", "service", "service"),
    *associations(Area.SERVICES, "service", "resource"),
    *crud(Area.BOOKINGS, "bookings", "booking", "booking", "booking"),
    *nested_crud(
        Area.BOOKING_GROUPS,
        f"{API_PREFIX}/booking-groups",
        "booking-group",
        "BookingGroup",
        "BookingGroup",
        "booking group",
        "booking_group",
    ),
    *crud(Area.WEBHOOKS, "webhooks", "webhook", "webhook", "webhook"),
    *_series_routes(),
    # Kairos additions: calendar feeds (docs/bookings.md, "Calendar feeds")
    Route(
        "GET",
        f"{RESOURCE_BASE}/calendar.ics",
        Area.RESOURCES,
        "getResourceCalendar",
        "booking:view",
        "Kairos: the resource's bookings as an iCalendar feed",
        response=CALENDAR,
    ),
    Route(
        "GET",
        f"{API_PREFIX}/locations/{{location}}/calendar.ics",
        Area.LOCATIONS,
        "getLocationCalendar",
        "booking:view",
        "Kairos: the location's bookings as an iCalendar feed",
        response=CALENDAR,
    ),
    Route(
        "GET",
        CALENDAR_FEEDS,
        Area.BOOKINGS,
        "getCalendarFeeds",
        "calendar_feed:view",
        "Kairos: list the secret calendar feed URLs",
        response="Page[CalendarFeed]",
    ),
    Route(
        "POST",
        CALENDAR_FEEDS,
        Area.BOOKINGS,
        "postCalendarFeed",
        "calendar_feed:create",
        "Kairos: create a secret calendar feed URL (shown in this answer only)",
        "CalendarFeed",
        "CalendarFeedWithUrl",
    ),
    Route(
        "DELETE",
        f"{CALENDAR_FEEDS}/{{calendar-feed}}",
        Area.BOOKINGS,
        "deleteCalendarFeed",
        "calendar_feed:delete",
        "Kairos: revoke a secret calendar feed URL",
    ),
    Route(
        "GET",
        f"{CALENDAR_FEEDS}/{{key}}/calendar.ics",
        Area.BOOKINGS,
        "getCalendarFeed",
        None,
        "Kairos: a secret calendar feed (the URL is the credential)",
        response=CALENDAR,
        authenticated=False,
    ),
    Route(
        "POST",
        f"{WEBHOOK_ITEM}/rotate",
        Area.WEBHOOKS,
        "rotateWebhookSecret",
        "webhook:update",
        "Rotate a webhook's secret (the old one stays valid for 24 hours)",
        response="WebhookWithSecret",
        status=200,
    ),
    Route(
        "GET",
        f"{WEBHOOK_ITEM}/deliveries",
        Area.WEBHOOKS,
        "getWebhookDeliveries",
        "webhook:view",
        "List a webhook's deliveries, newest first",
        response="Page[WebhookDelivery]",
    ),
    Route(
        "POST",
        f"{WEBHOOK_ITEM}/deliveries/{{delivery}}/redeliver",
        Area.WEBHOOKS,
        "redeliverWebhookDelivery",
        "webhook:update",
        "Deliver an event again, as a new delivery",
        response="WebhookDelivery",
        status=202,
    ),
    # Kairos additions: busy times from external calendars (docs/calendar-subscriptions.md)
    Route(
        "GET",
        CALENDAR_SUBSCRIPTIONS,
        Area.RESOURCES,
        "getResourceCalendarSubscriptions",
        "calendar_subscription:view",
        "Kairos: list a resource's calendar subscriptions",
        response="Page[CalendarSubscription]",
    ),
    Route(
        "POST",
        CALENDAR_SUBSCRIPTIONS,
        Area.RESOURCES,
        "postResourceCalendarSubscription",
        "calendar_subscription:create",
        "Kairos: subscribe a resource to a calendar feed (its busy times block slots)",
        "CalendarSubscription",
        "CalendarSubscription",
    ),
    Route(
        "GET",
        CALENDAR_SUBSCRIPTION,
        Area.RESOURCES,
        "getResourceCalendarSubscription",
        "calendar_subscription:view",
        "Kairos: get a calendar subscription",
        response="CalendarSubscription",
    ),
    Route(
        "PATCH",
        CALENDAR_SUBSCRIPTION,
        Area.RESOURCES,
        "patchResourceCalendarSubscription",
        "calendar_subscription:update",
        "Kairos: update a calendar subscription (its url or name)",
        "CalendarSubscriptionPatch",
        "CalendarSubscription",
    ),
    Route(
        "DELETE",
        CALENDAR_SUBSCRIPTION,
        Area.RESOURCES,
        "deleteResourceCalendarSubscription",
        "calendar_subscription:delete",
        "Kairos: delete a calendar subscription and its busy times",
    ),
    Route(
        "POST",
        f"{CALENDAR_SUBSCRIPTION}/sync",
        Area.RESOURCES,
        "syncResourceCalendarSubscription",
        "calendar_subscription:update",
        "Kairos: sync a calendar subscription's feed now",
        response="CalendarSubscription",
        status=200,
    ),
    # Kairos additions: waitlists (docs/waitlists.md)
    Route(
        "GET",
        WAITLIST_ENTRIES,
        Area.BOOKINGS,
        "getWaitlistEntries",
        "waitlist_entry:view",
        "Kairos: list waitlist entries",
        response="Page[WaitlistEntry]",
    ),
    Route(
        "POST",
        WAITLIST_ENTRIES,
        Area.BOOKINGS,
        "postWaitlistEntry",
        "waitlist_entry:create",
        "Kairos: join a waitlist (offered a hold when a place in the window frees up)",
        "WaitlistEntry",
        "WaitlistEntry",
    ),
    Route(
        "GET",
        WAITLIST_ENTRY,
        Area.BOOKINGS,
        "getWaitlistEntry",
        "waitlist_entry:view",
        "Kairos: get a waitlist entry",
        response="WaitlistEntry",
    ),
    Route(
        "DELETE",
        WAITLIST_ENTRY,
        Area.BOOKINGS,
        "deleteWaitlistEntry",
        "waitlist_entry:delete",
        "Kairos: leave a waitlist (delete the entry)",
    ),
    Route(
        "GET",
        f"{API_PREFIX}/services/{{service}}/bookable-slots",
        Area.SERVICES,
        "getServiceBookableSlots",
        "bookable_slot:view",
        "The bookable slots of a service at a location",
        response="Page[BookableSlot]",
    ),
    Route(
        "GET",
        f"{API_PREFIX}/services/{{service}}/bookable-slots/explain",
        Area.SERVICES,
        "getServiceBookableSlotExplanation",
        "bookable_slot:view",
        "Kairos: why an interval can (not) be booked, for each resource",
        response="BookableSlotExplanation",
    ),
)


def routes_for(area: Area) -> list[Route]:
    return [r for r in ROUTES if r.area == area]


def match(method: str, path: str) -> tuple[Route | None, list[Route]]:
    """The route for (method, path), and every route whose path matches whatever the method (for 405)."""
    same_path = [r for r in ROUTES if r.pattern.match(path)]
    exact = next((r for r in same_path if r.method == method), None)
    return exact, same_path
