"""The Portal's admin API answers throttling like the API (docs/api.md, "Overload"): a 503 with
`Retry-After` in Hapio's shape, with the Portal's CORS headers, never a 500."""

import json

from kairos.portal.routes import match_portal
from kairos_local.faults import Fault, Faults, attach
from tests.unit.portal.conftest import Portal, resolve


def test_a_throttled_read_of_the_admin_api_is_a_503_with_retry_after(portal: Portal) -> None:
    person = portal.person("busy@example.com")
    faults = Faults(
        [Fault(partition=f"ACCOUNT#{person.account_id}*", on="read", error="ThrottlingException")]
    )
    attach(portal.container.table.client.meta.events, faults)
    route, _ = match_portal("GET", "/portal/projects")
    assert route is not None
    answer = resolve(portal.container, route, "/portal/projects", b"", person)
    assert answer["statusCode"] == 503
    assert answer["multiValueHeaders"]["retry-after"] == ["1"]
    assert answer["multiValueHeaders"]["access-control-allow-origin"] == [
        portal.container.settings.portal_origin
    ]
    assert json.loads(answer["body"]) == {"message": "The table is busy; try again."}
    assert faults.hits
