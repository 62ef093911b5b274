"""The local server itself: it keeps data across a restart, says where it runs and stops its children."""

import socket
from pathlib import Path

import requests

from kairos_local.process import free_port, start_server, stop_server
from tests.integration.conftest import LOCAL_TOKEN, Api


def _get(port: int, path: str) -> requests.Response:
    return requests.get(
        f"http://127.0.0.1:{port}/v1{path}", headers={"Authorization": f"Bearer {LOCAL_TOKEN}"}, timeout=10
    )


def test_data_survives_a_restart_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    first = start_server(tmp_path, port, LOCAL_TOKEN)
    created = requests.post(
        f"http://127.0.0.1:{port}/v1/resources",
        json={"name": "Dr. Persistent"},
        headers={"Authorization": f"Bearer {LOCAL_TOKEN}"},
        timeout=10,
    ).json()
    moto_endpoint = (tmp_path / "moto-endpoint").read_text().strip()
    output = stop_server(first)
    assert f"http://127.0.0.1:{port}/v1" in output
    assert f"Token:   {LOCAL_TOKEN}" in output
    assert first.returncode == 0
    moto_port = int(moto_endpoint.rsplit(":", 1)[1])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", moto_port)) != 0, "moto still running after Ctrl-C"

    second = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        again = _get(port, f"/resources/{created['id']}")
        assert again.status_code == 200
        assert again.json() == created
        assert _get(port, "/project").json()["name"] == "Local project"
    finally:
        stop_server(second)


def test_any_method_gets_the_apis_json_as_behind_api_gateway(api: Api) -> None:
    trace = api.call("TRACE", "/project")
    assert trace.status_code == 405
    assert trace.headers["allow"] == "GET"
    assert trace.json()["message"].startswith("The TRACE method is not supported for route v1/project.")
    brew = api.call("BREW", "/nowhere")
    assert brew.status_code == 404
    assert brew.json() == {"message": "The route v1/nowhere could not be found."}
