"""Issue 21's attacks on accounts and the admin API, replayed through the local server (docs/security.md):
a deleted project's token in the 0.4 s after the delete, a non-ASCII digit as a page size, 30 invitations
to one address and 20 projects from one account at once, hidden characters in names, urls and addresses,
and a webhook pointed at the metadata service through a 6to4 address."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from kairos.portal.throttle import MAIL_PER_HOUR
from kairos.portal.workspace import MAX_OWNED_PROJECTS
from tests.integration.conftest import Api, LocalServer
from tests.integration.portal import PASSWORD, NewPerson, mails_to


def _at_once(count: int, send: Callable[[int], requests.Response]) -> list[int]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return [answer.status_code for answer in pool.map(send, range(count))]


def test_a_deleted_projects_token_is_refused_at_once_by_every_warm_instance(
    local_server: LocalServer, new_person: NewPerson
) -> None:
    owner = new_person().signed_up()
    project = owner.call("POST", "/projects", {"name": "Doomed"}).json()
    value = owner.call("POST", f"/projects/{project['id']}/tokens", {"name": "t"}).json()["token"]
    api = Api(local_server.base_url, value, project["id"], requests.Session())
    # Warm several instances of the functions: each caches the token and its (enabled) project.
    assert set(_at_once(8, lambda _: api.get("/project"))) == {200}
    assert set(_at_once(8, lambda n: api.post("/resources", {"name": f"Room {n}"}))) == {201}

    assert owner.call("DELETE", f"/projects/{project['id']}").status_code == 204

    writes = _at_once(10, lambda n: api.post("/resources", {"name": f"Late {n}"}))
    reads = _at_once(10, lambda _: api.get("/project"))
    assert set(writes) | set(reads) <= {401, 403}, (writes, reads)


def test_a_page_size_in_non_ascii_digits_or_past_its_bound_is_a_422(new_person: NewPerson) -> None:
    owner = new_person().signed_up()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()
    for query in ("limit=%C2%B2", "limit=101", "limit=0"):
        answer = owner.call("GET", f"/projects/{project['id']}/audit?{query}")
        assert answer.status_code == 422, query
        assert list(answer.json()["errors"]) == ["limit"]
    assert (
        owner.call("GET", f"/projects/{project['id']}/requests?status=%C2%B2%C2%B2%C2%B2").status_code == 422
    )


def test_thirty_invitations_to_one_address_at_once_mail_it_five_times(new_person: NewPerson) -> None:
    owner, victim = new_person().signed_up(), new_person()
    project = owner.call("POST", "/projects", {"name": "Clinic"}).json()

    def invite(_: int) -> requests.Response:
        return owner.call("POST", f"/projects/{project['id']}/invitations", {"email": victim.email})

    statuses = _at_once(30, invite)

    assert statuses.count(201) == MAIL_PER_HOUR and statuses.count(429) == 30 - MAIL_PER_HOUR
    assert len(mails_to(victim.outbox, victim.email)) == MAIL_PER_HOUR
    assert victim.register().status_code == 202  # answered as always, but no sixth mail within the hour
    assert len(mails_to(victim.outbox, victim.email)) == MAIL_PER_HOUR


def test_twenty_projects_at_once_make_three(new_person: NewPerson) -> None:
    owner = new_person().signed_up()

    statuses = _at_once(20, lambda n: owner.call("POST", "/projects", {"name": f"Free {n}"}))

    assert statuses.count(201) == MAX_OWNED_PROJECTS and set(statuses) <= {201, 403, 429}
    assert len(owner.call("GET", "/projects").json()["data"]) == MAX_OWNED_PROJECTS


def test_a_strangers_text_never_reaches_the_mail_of_the_address_they_register(new_person: NewPerson) -> None:
    stranger = new_person()
    stranger.name = "Your bank account is locked: call +1 555 0100"
    assert stranger.register().status_code == 202
    (mail,) = mails_to(stranger.outbox, stranger.email)
    assert "locked" not in mail and "Hello" not in mail


def test_names_urls_and_addresses_with_hidden_characters_are_refused_per_field(
    api: Api, new_person: NewPerson
) -> None:
    owner = new_person().signed_up()
    injected = owner.call("POST", "/projects", {"name": "Prize\r\nBcc: everyone@example.com"})
    assert (injected.status_code, list(injected.json()["errors"])) == (422, ["name"])
    invisible = api.post("/resources", {"name": "\u200b\u200b"})
    assert invisible.json() == {
        "message": "The given data was invalid.",
        "errors": {"name": ["The name field must not contain invisible characters."]},
    }
    for url in ("http://127.0.0.1:9/x\r\nX-Injected: 1", "http://127.0.0.1:9/a b", "http://127.0.0.1:9/<x>"):
        refused = api.post("/webhooks", {"url": url})
        assert (refused.status_code, list(refused.json()["errors"])) == (422, ["url"]), url
    look_alike = {
        "name": "Dev",
        "email": "dev@p\u0430ypal.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }
    answer = owner.call("POST", "/account/register", look_alike)
    assert (answer.status_code, list(answer.json()["errors"])) == (422, ["email"])
    assert api.get("/webhooks").json()["data"] == []


def test_a_webhook_to_the_metadata_service_through_6to4_is_refused(api: Api) -> None:
    refused = api.post("/webhooks", {"url": "http://[2002:a9fe:a9fe::]/latest/meta-data/"})
    assert refused.status_code == 422
    assert "non-public address" in refused.json()["errors"]["url"][0]
