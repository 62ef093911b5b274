"""Lambda function of the resources area."""

from kairos.api.catalogue_endpoints import resources
from kairos.api.lambda_entry import make_handler
from kairos.routes import Area

lambda_handler = make_handler(Area.RESOURCES, resources)
