"""Handlers of a resource's schedules (recurring schedules, their blocks, one-off blocks, the schedule and
fully-booked views) and of a service's bookable slots."""

from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.container import Container
from kairos.observability import Metric, count


def schedule_handlers(container: Container) -> dict[str, Handler]:
    def rid(r: Request) -> str:
        return r.path["resource"]

    def rs(r: Request) -> tuple[str, str]:
        return r.path["resource"], r.path["recurring-schedule"]

    handlers: dict[str, Handler] = {
        # recurring schedules
        "getResourceRecurringSchedules": lambda r: page_response(
            r, container.schedules.list_recurring(r.viewer, rid(r), r.query)
        ),
        "postResourceRecurringSchedule": lambda r: json_response(
            201, container.schedules.create_recurring(r.viewer, rid(r), r.json_object())
        ),
        "getResourceRecurringSchedule": lambda r: json_response(
            200, container.schedules.get_recurring(r.viewer, *rs(r))
        ),
        "putResourceRecurringSchedule": lambda r: json_response(
            200, container.schedules.update_recurring(r.viewer, *rs(r), r.json_object(), merge=False)
        ),
        "patchResourceRecurringSchedule": lambda r: json_response(
            200, container.schedules.update_recurring(r.viewer, *rs(r), r.json_object(), merge=True)
        ),
        "deleteResourceRecurringSchedule": _deleting(
            lambda r: container.schedules.delete_recurring(r.viewer, *rs(r))
        ),
        # their weekly blocks
        "getResourceRecurringScheduleBlocks": lambda r: page_response(
            r, container.schedules.list_weekly(r.viewer, *rs(r), r.query)
        ),
        "postResourceRecurringScheduleBlock": lambda r: json_response(
            201, container.schedules.put_weekly(r.viewer, *rs(r), None, r.json_object())
        ),
        "getResourceRecurringScheduleBlock": lambda r: json_response(
            200, container.schedules.get_weekly(r.viewer, *rs(r), r.path["schedule-block"])
        ),
        "putResourceRecurringScheduleBlock": lambda r: json_response(
            200, container.schedules.put_weekly(r.viewer, *rs(r), r.path["schedule-block"], r.json_object())
        ),
        "patchResourceRecurringScheduleBlock": lambda r: json_response(
            200,
            container.schedules.put_weekly(
                r.viewer, *rs(r), r.path["schedule-block"], r.json_object(), merge=True
            ),
        ),
        "deleteResourceRecurringScheduleBlock": _deleting(
            lambda r: container.schedules.delete_weekly(r.viewer, *rs(r), r.path["schedule-block"])
        ),
        # one-off blocks
        "getResourceScheduleBlocks": lambda r: page_response(
            r, container.schedules.list_blocks(r.viewer, rid(r), r.query)
        ),
        "postResourceScheduleBlock": lambda r: json_response(
            201, container.schedules.put_block(r.viewer, rid(r), None, r.json_object())
        ),
        "getResourceScheduleBlock": lambda r: json_response(
            200, container.schedules.get_block(r.viewer, rid(r), r.path["schedule-block"])
        ),
        "putResourceScheduleBlock": lambda r: json_response(
            200, container.schedules.put_block(r.viewer, rid(r), r.path["schedule-block"], r.json_object())
        ),
        "patchResourceScheduleBlock": lambda r: json_response(
            200,
            container.schedules.put_block(
                r.viewer, rid(r), r.path["schedule-block"], r.json_object(), merge=True
            ),
        ),
        "deleteResourceScheduleBlock": _deleting(
            lambda r: container.schedules.delete_block(r.viewer, rid(r), r.path["schedule-block"])
        ),
        # views
        "getResourceSchedule": lambda r: page_response(
            r, container.availability.schedule(r.viewer, rid(r), r.query)
        ),
        "getResourceFullyBooked": lambda r: page_response(
            r, container.availability.fully_booked(r.viewer, rid(r), r.query)
        ),
    }
    return handlers


def slot_handlers(container: Container) -> dict[str, Handler]:
    def bookable_slots(r: Request) -> Response[str]:
        page = container.availability.bookable_slots(r.viewer, r.path["service"], r.query)
        count(Metric.BOOKABLE_SLOTS_LISTED, len(page.items))
        return page_response(r, page)

    return {
        "getServiceBookableSlots": bookable_slots,
        "getServiceBookableSlotExplanation": lambda r: json_response(
            200, container.explainer.explain(r.viewer, r.path["service"], r.query)
        ),
    }


def _deleting(action: Callable[[Request], None]) -> Handler:
    def handler(request: Request) -> Response[str]:
        action(request)
        return no_content()

    return handler
