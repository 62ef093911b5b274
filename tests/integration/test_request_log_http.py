"""Through the local server: a project's requests, logged over many shards by the metering consumer, read
in the Portal as one log, newest first, page after page with its cursors, each row with the answer's body
(kept in an item of its own); and its usage adds up."""

import requests

from kairos.usage.events import kept_body
from tests.integration.portal import NewPerson
from tests.integration.test_portal_journey import eventually

REQUESTS = 30


def test_the_request_log_reads_as_one_log_across_its_shards(new_person: NewPerson) -> None:
    dev = new_person().signed_up()
    project = dev.call("POST", "/projects", {"name": "Busy"}).json()
    value = dev.call("POST", f"/projects/{project['id']}/tokens", {"name": "t"}).json()["token"]
    sent, answers = [], []
    for n in range(REQUESTS):
        path = f"/v1/locations?page={n + 1}"
        answer = requests.get(
            f"{dev.base_url}{path}", headers={"Authorization": f"Bearer {value}"}, timeout=30
        )
        assert answer.status_code == 200
        sent.append(path)
        answers.append(kept_body(answer.text))
    log = f"/projects/{project['id']}/requests"
    eventually(lambda: len(dev.call("GET", f"{log}?limit=100").json()["data"]) == REQUESTS)

    seen, bodies, cursor = [], [], ""
    while True:
        page = dev.call("GET", f"{log}?limit=7{cursor}")
        seen += [row["path"] for row in page.json()["data"]]
        bodies += [row["response_body"] for row in page.json()["data"]]
        if page.json()["next_cursor"] is None:
            break
        cursor = f"&cursor={page.json()['next_cursor']}"
    assert seen == list(reversed(sent))
    assert bodies == list(reversed(answers))
    assert dev.call("GET", f"/projects/{project['id']}/dashboard").json()["totals"]["requests"] == REQUESTS
