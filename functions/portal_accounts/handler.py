"""The Portal's accounts function: register, verify, log in, reset a password (no session yet)."""

from kairos.api.lambda_entry import make_portal_handler
from kairos.api.portal_endpoints import accounts_endpoints
from kairos.portal.routes import PortalArea

lambda_handler = make_portal_handler(PortalArea.ACCOUNTS, accounts_endpoints)
