"""Lambda function of the hold timers: fed by the hold timer queue, each message a hold's timer, due when
the hold expires (the stream mapper starts one per hold written with an expiry). A due timer removes its
resource's expired holds, whose place was free from that instant already; the stream mapper makes
`booking.expired` of each removal. A timer not yet due (SQS delays a message 15 minutes at most) is sent
again. Partial batch failures: a throttled removal brings back its message alone.

Also run every minute by a schedule, for holds listed before timers existed (in partitions every project
shared): it removes those that expired, a batch a run, until none is left."""

from kairos.api.queue_entry import make_queue_handler
from kairos.messaging.hold_timer_queue import timer_from

lambda_handler = make_queue_handler(
    lambda container: lambda body: container.hold_sweeper.fire(timer_from(body)),
    scheduled=lambda container: lambda: {"removed": container.hold_sweeper.sweep_legacy()},
)
