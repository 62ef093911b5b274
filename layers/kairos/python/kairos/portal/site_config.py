"""The small config file the Portal web app fetches at start (`/config.json`): where the admin API and the
public API are, and the Cognito pool, so one build of the app serves every deployment. The stack writes
it into the site's bucket (infra/portal_site.py) from its own resources; the local server answers it
(tools/kairos_local/portal_site.py)."""

from kairos.portal.routes import PORTAL_PREFIX
from kairos.routes import API_PREFIX

CONFIG_FILE = "config.json"


def site_config(api_root: str, region: str, user_pool_id: str, user_pool_client_id: str) -> dict[str, str]:
    """`api_root` is the base the route paths follow (the stage URL deployed, `http://127.0.0.1:8080`
    locally), with or without its final slash."""
    root = api_root.removesuffix("/")
    return {
        "api_url": root + API_PREFIX,
        "portal_api_url": root + PORTAL_PREFIX,
        "region": region,
        "user_pool_id": user_pool_id,
        "user_pool_client_id": user_pool_client_id,
    }
