"""The catalogue endpoints over HTTP: formats, errors, lists and what a rejected request leaves behind."""

import json

import requests

from tests.integration.conftest import Api, LocalServer

LOCATION = {"name": "Clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "prioritize"}


def test_validation_errors_use_hapios_shape_and_change_nothing(api: Api) -> None:
    response = api.post(
        "/locations", {"name": "", "time_zone": "Mars/Olympus", "resource_selection_strategy": "x"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "The given data was invalid."
    assert set(body["errors"]) == {"name", "time_zone", "resource_selection_strategy"}
    assert all(isinstance(m, list) and m for m in body["errors"].values())
    assert api.get("/locations").json()["meta"]["total"] == 0


def test_timestamps_with_fractions_or_z_are_refused_in_filters(api: Api) -> None:
    response = api.get("/locations", params={"created_at[gte]": "2026-01-01T00:00:00.000Z"})
    assert response.status_code == 422
    assert "created_at" in response.json()["errors"]


def test_malformed_json_and_non_object_bodies_are_a_clear_400(api: Api) -> None:
    broken = api.call("POST", "/resources", data="{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json() == {"message": "The request body is not valid JSON."}
    array = api.call("POST", "/resources", data="[1, 2]", headers={"Content-Type": "application/json"})
    assert array.status_code == 400
    assert api.get("/resources").json()["data"] == []


def test_unknown_route_and_wrong_method_are_404_and_405_with_a_message(api: Api) -> None:
    missing = api.get("/nothing-here")
    assert missing.status_code == 404
    assert "could not be found" in missing.json()["message"]
    wrong = api.call("PATCH", "/project")
    assert wrong.status_code == 405
    assert wrong.json()["message"].startswith("The PATCH method is not supported")


def test_malformed_and_unknown_ids_are_404(api: Api) -> None:
    assert api.get("/services/nope").status_code == 404
    assert api.get("/services/7b0cbd2e-52a6-4c0a-bd6c-1b7bd1f1dd2f").json() == {
        "message": "The service was not found."
    }


def test_pages_keep_the_query_in_their_links(api: Api) -> None:
    for number in range(5):
        api.post("/resources", {"name": f"Dr. {number}", "metadata": {"team": "a" if number % 2 else "b"}})
    page = api.get("/resources", params={"per_page": 2, "page": 2, "sort": "name.desc"}).json()
    assert [r["name"] for r in page["data"]] == ["Dr. 2", "Dr. 1"]
    assert page["meta"] | {"path": "p"} == {
        "current_page": 2,
        "from": 3,
        "last_page": 3,
        "path": "p",
        "per_page": 2,
        "to": 4,
        "total": 5,
    }
    assert page["links"]["next"].startswith("http://127.0.0.1:")
    assert page["links"]["next"].endswith("/v1/resources?per_page=2&sort=name.desc&page=3")
    following = requests.get(
        page["links"]["next"], headers={"Authorization": f"Bearer {api.token}"}, timeout=10
    )
    assert [r["name"] for r in following.json()["data"]] == ["Dr. 0"]
    team_a = api.get("/resources", params={"metadata[team][eq]": "a"}).json()
    assert sorted(r["name"] for r in team_a["data"]) == ["Dr. 1", "Dr. 3"]


def test_disabled_entities_are_excluded_unless_asked_for(api: Api) -> None:
    api.post("/locations", LOCATION)
    api.post("/locations", {**LOCATION, "name": "Closed", "enabled": False})
    assert [x["name"] for x in api.get("/locations").json()["data"]] == ["Clinic"]
    assert len(api.get("/locations", params={"disabled": "include"}).json()["data"]) == 2
    assert [x["name"] for x in api.get("/locations", params={"disabled": "only"}).json()["data"]] == [
        "Closed"
    ]
    assert api.get("/locations", params={"timezone": "Europe/Oslo"}).json()["data"] == []


def test_openapi_document_is_served_and_matches_the_committed_one(local_server: LocalServer) -> None:
    from pathlib import Path

    served = requests.get(local_server.base_url + "/openapi.json", timeout=10)
    assert served.status_code == 200
    committed = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    assert served.json() == committed, "docs/openapi.json is stale: run `make openapi`"


def test_a_browser_preflight_is_answered_without_a_token(local_server: LocalServer) -> None:
    response = requests.options(
        local_server.base_url + "/locations", headers={"Origin": "https://app.example"}, timeout=10
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    assert "Authorization" in response.headers["access-control-allow-headers"]


def test_a_warm_get_by_id_costs_two_dynamodb_round_trips(api: Api) -> None:
    """The rate-limit count and the read; the token comes from the function's 60-second cache."""
    created = api.post("/resources", {"name": "Dr. Counted"}).json()
    api.get(f"/resources/{created['id']}")  # every warm instance has now seen the token
    for _ in range(3):
        response = api.get(f"/resources/{created['id']}")
        assert response.headers["x-kairos-dynamodb-round-trips"] == "2"
