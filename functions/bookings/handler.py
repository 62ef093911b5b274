"""Lambda function of the bookings area."""

from kairos.api.booking_endpoints import bookings
from kairos.api.lambda_entry import make_handler
from kairos.routes import Area

lambda_handler = make_handler(Area.BOOKINGS, bookings)
