"""The getting-started guide's Portal steps through the admin API on the local server: register, verify
by the mailed link, log in, create a project, create a token with every ability, call GET /v1/project with
it, and find that request in the request log and the dashboard; then invite a second person, who accepts
and sees the project, while a third sees nothing of it."""

import base64
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from tests.integration.conftest import Api, LocalServer
from tests.integration.portal import PASSWORD, NewPerson, last_link_token, mails_to
from tests.integration.test_bookings_http import book
from tests.integration.test_schedules_http import at, guide_setup, next_monday
from tests.unit.webhooks.receiver import receiver


def eventually(check: Callable[[], bool], seconds: float = 20.0) -> None:
    """The request log and usage figures follow the usage events a moment later (the event chain)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.2)


def test_the_guides_portal_journey_from_registration_to_the_first_request(
    local_server: LocalServer, new_person: NewPerson
) -> None:
    dev = new_person()
    assert dev.register().status_code == 202
    assert dev.log_in().status_code == 403  # not verified yet: only the mailed link verifies
    assert "verify?token=" in mails_to(dev.outbox, dev.email)[-1]
    verified = dev.verify()
    assert verified.status_code == 200
    assert verified.json()["email"] == dev.email
    assert dev.verify().status_code == 422  # the link works once
    assert dev.log_in().status_code == 200
    assert dev.call("GET", "/account").json()["name"] == "Mr. Developer"
    assert dev.call("GET", "/projects").json() == {"data": []}

    created = dev.call("POST", "/projects", {"name": "My first project"})
    assert created.status_code == 201
    project = created.json()
    assert project["plan"]["name"] == "free"
    assert project["role"] == "owner"
    token = dev.call("POST", f"/projects/{project['id']}/tokens", {"name": "first token"})
    assert token.status_code == 201
    value = token.json()["token"]
    abilities = dev.call("GET", "/abilities").json()["data"]
    assert token.json()["abilities"] == sorted(abilities)
    listed = dev.call("GET", f"/projects/{project['id']}/tokens").json()["data"]
    assert "token" not in listed[0]  # shown once

    first = requests.get(
        f"{dev.base_url}/v1/project", headers={"Authorization": f"Bearer {value}"}, timeout=30
    )
    assert first.status_code == 200
    assert first.json()["name"] == "My first project"

    def logged() -> bool:
        rows = dev.call("GET", f"/projects/{project['id']}/requests").json()["data"]
        return [(r["method"], r["path"], r["status"], r["token"]["name"]) for r in rows] == [
            ("GET", "/v1/project", 200, "first token")
        ]

    eventually(logged)
    dashboard = dev.call("GET", f"/projects/{project['id']}/dashboard").json()
    assert dashboard["totals"]["requests"] == 1
    assert dashboard["quota"]["used"] == 1
    assert dashboard["plan"]["requests_per_month"] == 2500
    assert len(dashboard["data"]) == 30
    tokens = dev.call("GET", f"/projects/{project['id']}/tokens").json()["data"]
    assert tokens[0]["last_used_at"] is not None


def test_an_invited_person_joins_and_a_stranger_sees_nothing(new_person: NewPerson) -> None:
    owner, invitee, stranger = new_person().signed_up(), new_person(), new_person().signed_up()
    project = owner.call("POST", "/projects", {"name": "Shared"}).json()
    invited = owner.call("POST", f"/projects/{project['id']}/invitations", {"email": invitee.email})
    assert invited.status_code == 201
    link = last_link_token(invitee.outbox, invitee.email)

    invitee.signed_up()  # registers with the invited address after the invitation came
    accepted = invitee.call("POST", "/invitations/accept", {"token": link})
    assert accepted.status_code == 200
    assert accepted.json()["role"] == "member"
    assert [p["id"] for p in invitee.call("GET", "/projects").json()["data"]] == [project["id"]]
    assert invitee.call("POST", "/invitations/accept", {"token": link}).status_code == 422  # once only
    members = owner.call("GET", f"/projects/{project['id']}/members").json()["data"]
    assert [(m["email"], m["role"]) for m in members] == [(owner.email, "owner"), (invitee.email, "member")]
    assert invitee.call("DELETE", f"/projects/{project['id']}").status_code == 403  # owner only

    assert stranger.call("GET", "/projects").json() == {"data": []}
    for path in ("", "/tokens", "/requests", "/dashboard", "/members", "/webhooks"):
        answer = stranger.call("GET", f"/projects/{project['id']}{path}")
        assert answer.status_code == 404, path
    assert stranger.call("POST", f"/projects/{project['id']}/tokens", {"name": "x"}).status_code == 404
    actions = [e["action"] for e in owner.call("GET", f"/projects/{project['id']}/audit").json()["data"]]
    assert actions == ["member.joined", "member.invited", "project.created"]


def test_no_answer_tells_whether_an_address_has_an_account(new_person: NewPerson) -> None:
    known, unknown = new_person().signed_up(), new_person()
    for person in (known, unknown):
        again = person.register()
        assert (again.status_code, again.json()) == (
            202,
            {"message": "If the address can be used, a mail is on its way to it."},
        )
        reset = person.call("POST", "/account/forgot-password", {"email": person.email})
        assert (reset.status_code, reset.json()["message"]) == (202, again.json()["message"])
    wrong = [p.log_in("Wrong-Password-1").json() for p in (known, new_person())]
    assert wrong[0] == wrong[1]


def test_a_mailed_reset_link_sets_a_new_password_once(new_person: NewPerson) -> None:
    dev = new_person().signed_up()
    assert dev.call("POST", "/account/forgot-password", {"email": dev.email}).status_code == 202
    link = last_link_token(dev.outbox, dev.email)
    new = "Another-Secret-7"
    body = {"token": link, "password": new, "password_confirmation": new}
    assert dev.call("POST", "/account/reset-password", body).status_code == 200
    assert dev.call("POST", "/account/reset-password", body).status_code == 422
    assert dev.log_in(PASSWORD).status_code == 401
    assert dev.log_in(new).status_code == 200


def test_admin_routes_refuse_a_missing_or_forged_token(new_person: NewPerson) -> None:
    dev = new_person().signed_up()
    real = dev.id_token
    for token in ("", real[:-4] + "AAAA", "not-a-jwt"):
        dev.id_token = token
        assert dev.call("GET", "/projects").status_code == 401
    dev.id_token = real
    assert dev.call("GET", "/projects").status_code == 200


def test_a_token_signed_with_the_key_moto_ships_is_refused(new_person: NewPerson) -> None:
    """moto's package holds a private key anyone can read: the local server's pool does not sign with it,
    so a token made with it, with every claim of a real one, is not a session (issue 21)."""
    dev = new_person().signed_up()
    _, payload, _ = dev.id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    shipped = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    dev.id_token = jwt.encode({"alg": "RS256", "kid": shipped.kid}, claims, shipped)
    assert dev.call("GET", "/account").status_code == 401
    dev.log_in()
    assert dev.call("GET", "/account").json()["email"] == dev.email


def test_logging_out_ends_the_session_at_once_and_a_new_log_in_works(new_person: NewPerson) -> None:
    dev = new_person().signed_up()
    ended = dev.id_token
    refresh = dev.call("POST", "/session", {"email": dev.email, "password": PASSWORD}).json()["refresh_token"]
    assert dev.call("DELETE", "/session").status_code == 204

    assert dev.call("GET", "/account").status_code == 401  # the same, unexpired ID token
    assert dev.call("POST", "/session/refresh", {"refresh_token": refresh}).status_code == 401
    assert dev.log_in().status_code == 200
    assert dev.id_token != ended
    assert dev.call("GET", "/account").status_code == 200


def test_the_portal_lists_webhooks_and_deliveries_and_redelivers(
    local_server: LocalServer, new_person: NewPerson
) -> None:
    dev = new_person().signed_up()
    project = dev.call("POST", "/projects", {"name": "Hooks"}).json()
    value = dev.call("POST", f"/projects/{project['id']}/tokens", {"name": "api"}).json()["token"]
    api = Api(local_server.base_url, value, project["id"], requests.Session())
    ids = guide_setup(api)
    with receiver() as r:
        hook = api.post("/webhooks", {"url": r.url, "events": ["booking.created"]}).json()
        monday = next_monday()
        assert book(api, ids, at(monday, 8), at(monday, 8, 50)).status_code == 201
        base = f"/projects/{project['id']}/webhooks"

        def delivered() -> bool:
            rows = dev.call("GET", f"{base}/{hook['id']}/deliveries").json()["data"]
            return [d["status"] for d in rows] == ["succeeded"]

        eventually(delivered, 60)
        assert [w["id"] for w in dev.call("GET", base).json()["data"]] == [hook["id"]]
        (delivery,) = dev.call("GET", f"{base}/{hook['id']}/deliveries").json()["data"]
        again = dev.call("POST", f"{base}/{hook['id']}/deliveries/{delivery['id']}/redeliver")
        assert again.status_code == 202
        eventually(lambda: len(r.received) == 2, 60)
    missing = dev.call("POST", f"{base}/{hook['id']}/deliveries/{uuid.uuid4()}/redeliver")
    assert missing.status_code == 404


def test_browsers_get_cors_for_the_portal_and_json_for_unknown_routes(local_server: LocalServer) -> None:
    root = local_server.base_url.removesuffix("/v1")
    preflight = requests.options(
        f"{root}/portal/projects",
        headers={"Origin": root, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == root
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
    unknown = requests.get(f"{root}/portal/nowhere", timeout=30)
    assert (unknown.status_code, unknown.json()["message"]) == (
        404,
        "The route portal/nowhere could not be found.",
    )
    wrong = requests.put(f"{root}/portal/session", timeout=30)
    assert wrong.status_code == 405 and wrong.headers["allow"] == "DELETE, POST"
    served = requests.get(f"{root}/portal/openapi.json", timeout=30)
    assert served.json()["info"]["title"] == "Kairos Portal admin API"


def test_a_mailed_link_used_by_parallel_requests_works_exactly_once(new_person: NewPerson) -> None:
    owner = new_person().signed_up()
    project = owner.call("POST", "/projects", {"name": "Race"}).json()
    racers = [new_person().signed_up() for _ in range(4)]
    owner.call("POST", f"/projects/{project['id']}/invitations", {"email": racers[0].email})
    link = last_link_token(racers[0].outbox, racers[0].email)
    with ThreadPoolExecutor(len(racers)) as pool:
        answers = list(pool.map(lambda p: p.call("POST", "/invitations/accept", {"token": link}), racers))
    assert sorted(a.status_code for a in answers) == [200, 422, 422, 422]
    members = owner.call("GET", f"/projects/{project['id']}/members").json()["data"]
    assert len(members) == 2


def test_a_session_refreshes_until_logged_out(new_person: NewPerson) -> None:
    dev = new_person().signed_up()
    tokens = dev.call("POST", "/session", {"email": dev.email, "password": PASSWORD}).json()
    refresh = {"refresh_token": tokens["refresh_token"]}
    renewed = dev.call("POST", "/session/refresh", refresh)
    assert renewed.status_code == 200 and renewed.json()["id_token"]
    assert dev.call("DELETE", "/session").status_code == 204
    assert dev.call("POST", "/session/refresh", refresh).status_code == 401
