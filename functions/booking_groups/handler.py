"""Lambda function of the booking-groups area."""

from kairos.api.booking_endpoints import booking_groups
from kairos.api.lambda_entry import make_handler
from kairos.routes import Area

lambda_handler = make_handler(Area.BOOKING_GROUPS, booking_groups)
