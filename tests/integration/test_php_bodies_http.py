"""What the Hapio PHP SDK sends: PHP encodes an empty object as `[]` (`new Location([])`, an empty patch,
and `{}` metadata of a fetched entity sent back with `replace()`); Kairos reads it as `{}` where an object is
meant, as a Laravel-backed API does, and a non-empty array stays an error."""

import json
from typing import Any

import requests

from tests.integration.conftest import Api

LOCATION = {"name": "Clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "prioritize"}
JSON = {"Content-Type": "application/json"}


def _send(api: Api, method: str, path: str, text: str) -> requests.Response:
    return api.call(method, path, data=text, headers=JSON)


def test_an_empty_array_body_is_an_empty_object(api: Api) -> None:
    created = api.post("/locations", LOCATION).json()

    patched = _send(api, "PATCH", f"/locations/{created['id']}", "[]")
    assert patched.status_code == 200
    assert patched.json()["name"] == "Clinic"

    empty_post = _send(api, "POST", "/locations", "[]")  # store(new Location([]))
    assert empty_post.status_code == 422
    assert {"name", "time_zone", "resource_selection_strategy"} <= set(empty_post.json()["errors"])


def test_empty_array_metadata_is_stored_as_an_empty_object(api: Api) -> None:
    created = _send(
        api, "POST", "/locations", json.dumps({**LOCATION, "metadata": [], "protected_metadata": []})
    )
    assert created.status_code == 201, created.text
    assert created.json()["metadata"] == {}
    assert created.json()["protected_metadata"] == {}

    fetched = api.get(f"/locations/{created.json()['id']}").json()
    replaced = _send(api, "PUT", f"/locations/{fetched['id']}", json.dumps({**LOCATION, "metadata": []}))
    assert replaced.status_code == 200
    assert replaced.json()["metadata"] == {}


def test_empty_array_metadata_of_a_groups_bookings_is_an_empty_object(api: Api) -> None:
    location = api.post("/locations", LOCATION).json()
    resource = api.post("/resources", {"name": "Room", "max_simultaneous_bookings": 1}).json()
    service = api.post("/services", {"name": "Visit", "type": "fixed", "duration": "PT1H"}).json()
    api.put(f"/services/{service['id']}/resources/{resource['id']}")
    booking: dict[str, Any] = {
        "resource_id": resource["id"],
        "service_id": service["id"],
        "location_id": location["id"],
        "starts_at": "2031-01-06T10:00:00+01:00",
        "ends_at": "2031-01-06T11:00:00+01:00",
        "ignore_schedule": True,
        "metadata": [],
    }
    group = _send(api, "POST", "/booking-groups", json.dumps({"bookings": [booking], "metadata": []}))
    assert group.status_code == 201, group.text
    assert group.json()["metadata"] == {}
    assert group.json()["bookings"][0]["metadata"] == {}


def test_a_non_empty_array_stays_an_error_and_metadata_contents_are_kept(api: Api) -> None:
    assert _send(api, "POST", "/locations", '["Clinic"]').status_code == 400
    listed = _send(api, "POST", "/locations", json.dumps({**LOCATION, "metadata": ["a"]}))
    assert listed.status_code == 422
    assert "metadata" in listed.json()["errors"]

    nested = _send(
        api, "POST", "/locations", json.dumps({**LOCATION, "metadata": {"tags": [], "metadata": []}})
    )
    assert nested.json()["metadata"] == {"tags": [], "metadata": []}  # the client's data, untouched
    assert api.get("/locations").json()["meta"]["total"] == 1


def test_the_openapi_document_says_where_an_empty_array_is_read(api: Api) -> None:
    document = requests.get(api.base_url + "/openapi.json", timeout=10).json()
    patch = document["paths"]["/v1/locations/{location}"]["patch"]["requestBody"]["content"]
    assert {"$ref": "#/components/schemas/EmptyArray"} in patch["application/json"]["schema"]["anyOf"]
    metadata = document["components"]["schemas"]["LocationInput"]["properties"]["metadata"]
    assert {"$ref": "#/components/schemas/EmptyArray"} in metadata["anyOf"]
    assert document["components"]["schemas"]["EmptyArray"]["maxItems"] == 0
