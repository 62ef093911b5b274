"""The local API loses nothing it acknowledged: not when its whole process group is killed with SIGKILL in
the middle of a stream of writes, not when a write was torn in half by the crash. It refuses, and leaves
alone, a data folder it did not write, and it stops on SIGTERM by draining first. The Portal's accounts
(the local Cognito) are as durable, and kept without their passwords."""

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from kairos_local import cognito_state
from kairos_local import snapshot as snapshots
from kairos_local.journal import read
from kairos_local.process import free_port, start_server, stop_server
from tests.integration.conftest import LOCAL_TOKEN
from tests.integration.portal import PASSWORD, Person

HEADERS = {"Authorization": f"Bearer {LOCAL_TOKEN}"}


def _writes_until_stopped(base_url: str, acknowledged: list[str], failures: list[str]) -> None:
    """Creates resources one after another, keeping the id of each one the server answered 201 for."""
    session = requests.Session()
    for number in range(100_000):
        try:
            answer = session.post(
                f"{base_url}/resources", json={"name": f"Dr. {number}"}, headers=HEADERS, timeout=60
            )
        except requests.RequestException:
            return  # the server is gone: this write was never acknowledged
        if answer.status_code == 201:
            acknowledged.append(answer.json()["id"])
        else:
            failures.append(f"{answer.status_code} {answer.text}")


def _resource_ids(base_url: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        body = requests.get(
            f"{base_url}/resources?per_page=100&page={page}", headers=HEADERS, timeout=60
        ).json()
        ids |= {resource["id"] for resource in body["data"]}
        if page >= body["meta"]["last_page"]:
            return ids
        page += 1


def _write_while(base_url: str, minimum: int) -> tuple[list[str], threading.Thread]:
    """Starts writing, and returns once `minimum` writes were acknowledged (the writer goes on)."""
    acknowledged: list[str] = []
    failures: list[str] = []
    writer = threading.Thread(
        target=_writes_until_stopped, args=(base_url, acknowledged, failures), daemon=True
    )
    writer.start()
    deadline = time.monotonic() + 120
    while len(acknowledged) < minimum and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not failures, failures
    return acknowledged, writer


def test_every_acknowledged_write_survives_kill_9_of_the_whole_process_group(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN, new_session=True)
    acknowledged, writer = _write_while(base_url, minimum=15)
    os.killpg(server.pid, signal.SIGKILL)  # the server and its store at once, mid-stream
    writer.join(timeout=60)
    server.wait(timeout=30)

    again = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        missing = set(acknowledged) - _resource_ids(base_url)
        assert len(acknowledged) >= 15
        assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged writes were lost"
    finally:
        stop_server(again)


def test_a_write_torn_by_a_crash_is_dropped_and_the_rest_is_kept(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN, new_session=True)
    created = requests.post(f"{base_url}/resources", json={"name": "Dr. Kept"}, headers=HEADERS, timeout=60)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    journal = max(tmp_path.glob("journal-*.log"))
    with journal.open("ab") as file:
        file.write(b'1234abcd ["DynamoDB_20120810.PutItem", "local", "eu-')  # half a record, no newline

    again = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        kept = requests.get(f"{base_url}/resources/{created.json()['id']}", headers=HEADERS, timeout=60)
        assert kept.status_code == 200
        assert kept.json()["name"] == "Dr. Kept"
    finally:
        stop_server(again)


def test_sigterm_drains_the_requests_in_progress_then_saves_and_stops(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(tmp_path, port, LOCAL_TOKEN)
    acknowledged, writer = _write_while(base_url, minimum=5)
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=120)
    writer.join(timeout=60)
    assert server.returncode == 0
    assert "Stopping (SIGTERM)" in output
    assert "data saved" in output
    assert time.monotonic() - started < 60
    assert not list(tmp_path.glob("journal-*.log"))[1:], "a clean stop leaves one (empty) journal at most"

    again = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        assert set(acknowledged) <= _resource_ids(base_url)
    finally:
        stop_server(again)


def test_a_data_folder_it_did_not_write_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    foreign = b'{"some": "other program\'s file"}'
    (tmp_path / "table.json").write_bytes(foreign)
    env = {**os.environ, "KAIROS_LOCAL_TOKEN": LOCAL_TOKEN}
    command = [sys.executable, "-m", "kairos_local", "--port", str(free_port()), "--data-dir", str(tmp_path)]
    finished = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode != 0
    assert "is not a Kairos local store file" in finished.stderr + finished.stdout
    assert (tmp_path / "table.json").read_bytes() == foreign


def test_accounts_and_sessions_survive_kill_9_and_no_password_is_written_in_clear(tmp_path: Path) -> None:
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, port, LOCAL_TOKEN, new_session=True)
    person = Person(root, tmp_path / "outbox").signed_up()
    changed = "Changed-Secret-9"
    body = {"current_password": PASSWORD, "password": changed, "password_confirmation": changed}
    assert person.call("POST", "/account/password", body).status_code == 204
    project = person.call("POST", "/projects", {"name": "Kept"}).json()
    os.killpg(server.pid, signal.SIGKILL)  # right after the last acknowledged change
    server.wait(timeout=30)

    again = start_server(tmp_path, port, LOCAL_TOKEN)
    try:
        assert person.call("GET", "/projects").json()["data"][0]["id"] == project["id"]  # the old session
        assert person.log_in(PASSWORD).status_code == 401
        assert person.log_in(changed).status_code == 200
    finally:
        stop_server(again)
    states = snapshots.read(tmp_path / "table.json").state
    for journal in tmp_path.glob("journal-*.log"):
        entries = read(journal, last=True, say=print)
        states += [e.record for e in entries if e.record.target == cognito_state.TARGET]
    assert states, "the accounts are in the snapshot"
    kept = b"".join(base64.b64decode(state.body) for state in states)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("*.*") if p.is_file())
    for secret in (PASSWORD, changed):
        assert secret.encode() not in kept + raw
    key = tmp_path / cognito_state.SIGNING_KEY_FILE  # what signed the session that outlived the restart
    assert key.stat().st_mode & 0o777 == 0o600
