"""The Portal's function behind the Cognito authorizer: the person, their projects, members, tokens, the
request log, the dashboard and webhooks."""

from kairos.api.lambda_entry import make_portal_handler
from kairos.api.portal_endpoints import portal_endpoints
from kairos.portal.routes import PortalArea

lambda_handler = make_portal_handler(PortalArea.PORTAL, portal_endpoints)
