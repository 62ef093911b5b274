"""Account security through the local server (issue 23): two-factor authentication with real RFC 6238
codes checked by the local Cognito (moto patched to check them as Cognito does), the log-in's code step
as the browser makes it, an account deleted with its own project, its ID token refused at once, and an
account moved to a new address with the mailed link, keeping its projects (the local Cognito's ID tokens
carry `custom:kairos_id`, read by the local server's check as by API Gateway's)."""

import requests

from tests.integration.conftest import LocalServer
from tests.integration.portal import PASSWORD, NewPerson, last_link_token, mails_to
from tests.totp import totp, wrong_code


def test_two_factor_through_the_local_server_takes_only_the_current_code(
    local_server: LocalServer, new_person: NewPerson
) -> None:
    dev = new_person().signed_up()
    started = dev.call("POST", "/account/two-factor/setup", {"password": PASSWORD})
    assert started.status_code == 200
    secret = started.json()["secret"]
    enabled = dev.call("POST", "/account/two-factor", {"password": PASSWORD, "code": totp(secret)})
    assert enabled.status_code == 204

    credentials = {"email": dev.email, "password": PASSWORD}
    asked = dev.call("POST", "/session", credentials)
    assert asked.json() == {"code_required": True, "message": "Enter the code your authenticator app shows."}
    refused = dev.call("POST", "/session", {**credentials, "code": wrong_code(secret)})
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["code"]
    session = dev.call("POST", "/session", {**credentials, "code": totp(secret)})
    assert session.status_code == 200 and session.json()["id_token"]


def test_a_deleted_account_is_gone_with_its_own_project_and_its_session(
    local_server: LocalServer, new_person: NewPerson
) -> None:
    dev = new_person().signed_up()
    project = dev.call("POST", "/projects", {"name": "Mine alone"}).json()
    token = dev.call("POST", f"/projects/{project['id']}/tokens", {"name": "ci"}).json()["token"]
    assert dev.call("GET", "/account/deletion").json()["deleted"] == [
        {"id": project["id"], "name": "Mine alone"}
    ]

    body = {"password": PASSWORD, "confirmation": "Delete my account"}
    assert dev.call("POST", "/account/delete", body).status_code == 204

    assert dev.call("GET", "/account").status_code == 401  # the ID token, still unexpired, is refused
    assert dev.log_in().status_code == 401
    api = local_server.base_url
    refused = requests.get(f"{api}/project", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert refused.status_code in (401, 403)  # the project went with the account


def test_a_moved_account_logs_in_with_the_new_address_and_keeps_its_projects(
    local_server: LocalServer, new_person: NewPerson
) -> None:
    dev = new_person().signed_up()
    old, new = dev.email, f"moved-{dev.email}"
    project = dev.call("POST", "/projects", {"name": "Moving clinic"}).json()
    asked = dev.call("POST", "/account/email", {"email": new, "password": PASSWORD})
    assert asked.status_code == 202
    token = last_link_token(dev.outbox, new)

    changed = dev.call("POST", "/account/email/confirm", {"token": token, "password": PASSWORD})
    assert changed.status_code == 200, changed.text
    assert dev.call("GET", "/account").status_code == 401  # the session that asked ends too: a new one
    dev.id_token = changed.json()["session"]["id_token"]
    assert dev.call("GET", "/account").json()["email"] == new
    assert [p["id"] for p in dev.call("GET", "/projects").json()["data"]] == [project["id"]]
    assert "was changed" in mails_to(dev.outbox, old)[-1]
    dev.email = old
    assert dev.log_in().status_code == 401
    dev.email = new
    assert dev.log_in().status_code == 200
    again = dev.call("POST", "/account/email/confirm", {"token": token, "password": PASSWORD})
    assert again.status_code == 422 and list(again.json()["errors"]) == ["token"]
