"""Lambda function of the services area."""

from kairos.api.catalogue_endpoints import services
from kairos.api.lambda_entry import make_handler
from kairos.routes import Area

lambda_handler = make_handler(Area.SERVICES, services)
