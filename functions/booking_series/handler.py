"""Lambda function of the booking-series area: its own, sized for a series' CPU (docs/booking-series.md)."""

from kairos.api.lambda_entry import make_handler
from kairos.api.series_endpoints import booking_series
from kairos.routes import Area

lambda_handler = make_handler(Area.BOOKING_SERIES, booking_series)
