"""Pagination links are written as Hapio writes them (the getting-started guide's bookable-slots answer):
the query's parameters in alphabetical order whatever order the request used, then `page`."""

import json

from kairos.api.http import Request, page_response
from kairos.domain.shared.listing import Page

GUIDE_PATH = "/v1/services/a09c4585-0519-44f6-a5ab-647aeffc6281/bookable-slots"
GUIDE_LINK = (
    "https://eu-central-1.hapio.net" + GUIDE_PATH + "?from=2023-08-28T08%3A00%3A00%2B02%3A00"
    "&location=2b113cf6-5d6c-4a31-bd21-88ba7fb440ea&to=2023-08-28T10%3A00%3A00%2B02%3A00&page=1"
)


def _links(query: dict[str, str], page: Page) -> dict[str, str | None]:
    request = Request(None, {}, query, {"host": "eu-central-1.hapio.net"}, None, GUIDE_PATH)
    links: dict[str, str | None] = json.loads(str(page_response(request, page).body))["links"]
    return links


def test_links_match_the_guide_whatever_order_the_request_used() -> None:
    query = {  # the guide's request order: from, to, location
        "from": "2023-08-28T08:00:00+02:00",
        "to": "2023-08-28T10:00:00+02:00",
        "location": "2b113cf6-5d6c-4a31-bd21-88ba7fb440ea",
    }

    links = _links(query, Page([{"slot": 1}, {"slot": 2}], 2, 1, 100))

    assert links == {"first": GUIDE_LINK, "last": GUIDE_LINK, "prev": None, "next": None}


def test_page_comes_last_even_when_the_request_sent_it_first() -> None:
    query = {"page": "2", "sort": "name.desc", "per_page": "2", "disabled": "include"}

    links = _links(query, Page([{"n": 3}, {"n": 4}], 5, 2, 2))

    assert links["next"] == (
        f"https://eu-central-1.hapio.net{GUIDE_PATH}?disabled=include&per_page=2&sort=name.desc&page=3"
    )
