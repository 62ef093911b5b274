"""Lambda function of the locations area."""

from kairos.api.catalogue_endpoints import locations
from kairos.api.lambda_entry import make_handler
from kairos.routes import Area

lambda_handler = make_handler(Area.LOCATIONS, locations)
