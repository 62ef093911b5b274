"""Lambda function of the waitlist offer step (docs/waitlists.md): fed by the queue `kairos-waitlist-offers`
with the domain events after which a place may be free (a booking canceled, deleted, expired or changed, a
new waitlist entry, the stream's vacancy signals) or an offered hold is settled (finalized, expired, canceled,
deleted) or released (its entry deleted). Each event offers what is free at its location (a signal naming
none: at every location with waiting entries) to the waiting entries, oldest first. Partial batch failures:
a throttled write brings back its event alone; repeats change nothing (every step is a conditioned write)."""

from kairos.api.queue_entry import make_queue_handler

lambda_handler = make_queue_handler(
    lambda container: lambda body: container.waitlist_offers.handle(body["detail"])
)
