"""Lambda function of the project area (GET /v1/project, the OpenAPI document, unknown routes)."""

from kairos.api.lambda_entry import make_handler
from kairos.api.project_endpoints import project
from kairos.routes import Area

lambda_handler = make_handler(Area.PROJECT, project)
