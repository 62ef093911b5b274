"""Lambda function of the event path: DynamoDB stream batch -> domain events -> the `kairos` bus.

Each record is mapped under Powertools' BatchProcessor, so a record that cannot be mapped is reported as a
batch item failure (Lambda resumes the shard from it, bisecting on repeated errors) while the others go on.
The mapped events are then published together; a refused entry raises, and the whole batch is retried.
Both retries may repeat events already published: consumers drop repeats by the envelope id.

A change that may free places without a booking (a schedule, the catalogue, a calendar's busy times) puts a
`waitlist.vacancy` signal on the bus beside the events (`kairos.stream.vacancies`), for the waitlist offer
step.

A booking write that leaves a hold with an expiry also starts the hold's timer
(`kairos.domain.bookings.hold_timers`),
after the events; a refused timer raises too, and a repeated one finds nothing to remove.
"""

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from kairos import cold_start
from kairos.container import Container
from kairos.domain.bookings.hold_timers import hold_timer
from kairos.messaging.publisher import Publisher, domain_event, make_events_client
from kairos.observability import logger, metrics, tracer
from kairos.stream.changes import BatchBookings, item_change
from kairos.stream.vacancies import vacancies, vacancy_event

if TYPE_CHECKING:
    from kairos.events.contract import EventEnvelope
    from kairos.stream.mapper import EventMapper

container = Container.from_environment()
publisher = Publisher(lambda: make_events_client(container.settings))
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@cache
def mapper() -> "EventMapper":
    """Built by the first batch with a change that makes an event: the booking services it reads through
    and the event contract's checker are imported then."""
    from kairos.stream.mapper import EventMapper

    return EventMapper.from_container(container)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records", [])
    changes = [c for c in (item_change(r) for r in records) if c is not None]
    batch = BatchBookings.of(changes)
    by_record = {c.record_id: c for c in changes}
    mapped: list[EventEnvelope] = []

    def record_handler(record: DynamoDBRecord) -> None:
        change = by_record.get(str(record.event_id))
        envelope = mapper().map_change(change, batch) if change else None
        if envelope is not None:
            mapped.append(envelope)

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    publisher.publish([domain_event(e) for e in mapped] + [vacancy_event(v) for v in vacancies(records)])
    timers = [
        timer
        for key, after in batch.after.items()
        if (timer := hold_timer(key[0], batch.before[key], after)) is not None
    ]
    container.hold_timers.start(timers, container.clock())
    logger.info(
        "stream batch mapped",
        extra={"records": len(event.get("Records", [])), "events": len(mapped), "hold_timers": len(timers)},
    )
    return dict(response)


cold_start.end()  # the import is done: the garbage collector runs again (kairos.cold_start)
