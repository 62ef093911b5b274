"""Authentication, abilities, project isolation and the rate limit, through the local server."""

import re
import time
import uuid

import pytest
import requests

from kairos.routes import ROUTES
from tests.integration.conftest import Api, ApiFactory, LocalServer, Weaker, from_address


def _concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", lambda _: str(uuid.uuid4()), path).removeprefix("/v1")


@pytest.mark.parametrize("route", [r for r in ROUTES if r.authenticated], ids=lambda r: r.operation_id)
def test_every_route_is_served_and_refuses_a_token_without_its_ability(route, new_api: ApiFactory) -> None:  # type: ignore[no-untyped-def]
    weak = new_api(abilities=[])
    response = weak.call(
        route.method, _concrete(route.path), json={} if route.method in ("POST", "PUT", "PATCH") else None
    )
    if route.ability is None:
        assert response.status_code in (200, 404)
    else:
        assert response.status_code == 403, response.text
        assert response.json() == {"message": "This action is unauthorized."}
    assert response.headers["x-ratelimit-limit"]


@pytest.mark.parametrize("route", [r for r in ROUTES if r.authenticated], ids=lambda r: r.operation_id)
def test_every_route_needs_a_token(route, local_server: LocalServer) -> None:  # type: ignore[no-untyped-def]
    response = requests.request(route.method, local_server.base_url + _concrete(route.path), timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


def test_unknown_and_revoked_tokens_are_unauthenticated(api: Api, local_server: LocalServer) -> None:
    wrong = requests.get(
        local_server.base_url + "/project", headers={"Authorization": "Bearer nope"}, timeout=10
    )
    assert wrong.status_code == 401
    basic = requests.get(
        local_server.base_url + "/project", headers={"Authorization": "Basic abc"}, timeout=10
    )
    assert basic.status_code == 401
    admin = local_server.store.projects
    token = admin.token_for_value(api.token)
    assert token is not None
    fresh, value = admin.create_token(api.project_id, "short-lived", None)
    admin.revoke_token(api.project_id, fresh.id)
    revoked = requests.get(
        local_server.base_url + "/project", headers={"Authorization": f"Bearer {value}"}, timeout=10
    )
    assert revoked.status_code == 401


def test_every_answer_carries_the_rate_limit_headers(new_api: ApiFactory, local_server: LocalServer) -> None:
    """Hapio: every response has them. Without a valid token a request counts against its address (at
    the default plan's 100 a minute); with one, against its project, also on an unknown route."""
    limited = new_api(rate_limit=5)
    base = local_server.base_url
    if time.time() % 60 > 50:  # the count restarts each calendar minute: start well inside one
        time.sleep(61 - time.time() % 60)
    stranger = from_address("127.0.0.59")  # its own count, whatever other tests sent from 127.0.0.1
    anonymous = [
        stranger.get(base + "/project", timeout=10),  # 401
        stranger.get(base + "/project", headers={"Authorization": "Bearer nope"}, timeout=10),  # 401
        stranger.get(base + "/nowhere", timeout=10),  # 404
        stranger.delete(base + "/project", timeout=10),  # 405
        stranger.get(base + "/openapi.json", timeout=10),  # no token needed
    ]
    assert [r.status_code for r in anonymous] == [401, 401, 404, 405, 200]
    assert {r.headers["x-ratelimit-limit"] for r in anonymous} == {"100"}
    remaining = [int(r.headers["x-ratelimit-remaining"]) for r in anonymous]
    assert remaining == list(range(remaining[0], remaining[0] - 5, -1))
    unknown = limited.get("/nowhere")
    assert unknown.status_code == 404
    assert unknown.headers["x-ratelimit-limit"] == "5"


def test_another_projects_ids_are_not_found(new_api: ApiFactory) -> None:
    mine, theirs = new_api(), new_api()
    location = theirs.post(
        "/locations",
        {"name": "Theirs", "time_zone": "Europe/Paris", "resource_selection_strategy": "randomize"},
    ).json()
    assert mine.get(f"/locations/{location['id']}").status_code == 404
    assert mine.patch(f"/locations/{location['id']}", {"name": "Mine now"}).status_code == 404
    assert mine.delete(f"/locations/{location['id']}").status_code == 404
    assert mine.get("/locations").json()["data"] == []
    assert theirs.get(f"/locations/{location['id']}").json()["name"] == "Theirs"


def test_rate_limit_counts_per_project_and_answers_429(new_api: ApiFactory) -> None:
    limited, other = new_api(rate_limit=5), new_api(rate_limit=5)
    if time.time() % 60 > 50:  # the window is the calendar minute: start well inside one
        time.sleep(61 - time.time() % 60)
    remaining = [int(limited.get("/project").headers["x-ratelimit-remaining"]) for _ in range(5)]
    assert remaining == [4, 3, 2, 1, 0]
    refused = limited.get("/project")
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Attempts."}
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.get("/project").status_code == 200


def test_protected_metadata_needs_its_ability(api: Api, weaker: Weaker) -> None:
    created = api.post("/resources", {"name": "Dr. Who", "protected_metadata": {"salary": 1}}).json()
    weak = weaker(api, ["resource:view", "resource:update", "resource:create"])
    assert "protected_metadata" not in weak.get(f"/resources/{created['id']}").json()
    assert "protected_metadata" not in weak.get("/resources").json()["data"][0]
    assert weak.patch(f"/resources/{created['id']}", {"protected_metadata": {}}).status_code == 403
    assert weak.get("/resources?protected_metadata[salary][eq]=1").status_code == 403
    assert weak.put(f"/resources/{created['id']}", {"name": "Renamed"}).status_code == 200
    kept = api.get(f"/resources/{created['id']}").json()
    assert kept["protected_metadata"] == {"salary": 1}
    assert kept["name"] == "Renamed"
