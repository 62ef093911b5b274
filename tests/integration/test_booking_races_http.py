"""Races for one place through the local server, on every path that takes or keeps a place: new bookings,
booking groups, moves (PATCH and PUT), un-canceling, and the holds that expire while they are finalized or
extended. However the requests interleave, a place is never held twice, no racer gets a 5xx, and every
answer agrees with what is stored (docs/bookings.md, "Why two requests for the last place cannot both
succeed")."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from kairos.values.formats import format_timestamp, now_utc, parse_timestamp
from tests.integration.conftest import Api

SLOT = timedelta(minutes=10)
Call = Callable[[Api], requests.Response]


@dataclass(frozen=True)
class Clinic:
    resource: str
    service: str
    location: str
    day: datetime  # 00:00 UTC of the day its one doctor works, 08:00-20:00

    def slot(self, n: int) -> tuple[str, str]:
        start = self.day + timedelta(hours=8) + n * SLOT
        return format_timestamp(start), format_timestamp(start + SLOT)

    def body(self, n: int, **extra: Any) -> dict[str, Any]:
        start, end = self.slot(n)
        return {
            "service_id": self.service,
            "location_id": self.location,
            "starts_at": start,
            "ends_at": end,
            **extra,
        }


def _clinic(api: Api) -> Clinic:
    """One doctor with one place, a 10-minute service on a 10-minute grid, 08:00-20:00 UTC in three days."""
    resource = _created(api.post("/resources", {"name": "Dr. Race", "max_simultaneous_bookings": 1}))
    service = _created(
        api.post(
            "/services",
            {
                "name": "Quick check",
                "type": "fixed",
                "duration": "PT10M",
                "bookable_interval": "PT10M",
                "booking_window_end": "P30D",
            },
        )
    )
    location = _created(
        api.post(
            "/locations",
            {"name": "Race clinic", "time_zone": "UTC", "resource_selection_strategy": "randomize"},
        )
    )
    assert api.put(f"/services/{service['id']}/resources/{resource['id']}").status_code == 201
    today = now_utc().astimezone(UTC).replace(hour=0, minute=0, second=0)
    day = today + timedelta(days=3)
    block = {
        "location_id": location["id"],
        "starts_at": format_timestamp(day + timedelta(hours=8)),
        "ends_at": format_timestamp(day + timedelta(hours=20)),
    }
    assert api.post(f"/resources/{resource['id']}/schedule-blocks", block).status_code == 201
    return Clinic(resource["id"], service["id"], location["id"], day)


def _created(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _race(api: Api, calls: list[Call]) -> list[requests.Response]:
    """Runs the calls at once (each may wait for all the others: the store applies one request at a
    time, so a racer's timeout grows with the race)."""
    racer = replace(api, timeout=api.timeout + 2.0 * len(calls))
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(racer), calls))


def _holding(api: Api, clinic: Clinic, n: int) -> list[dict[str, Any]]:
    """The bookings that hold slot `n` now: not canceled, not a hold that expired."""
    start, end = clinic.slot(n)
    listed = api.get("/bookings", params={"from": start, "to": end, "temporary": "include", "per_page": 100})
    now = now_utc()
    return [
        b
        for b in listed.json()["data"]
        if not b["is_canceled"]
        and b["starts_at"] < end
        and b["ends_at"] > start
        and (not b["is_temporary"] or b["expires_at"] is None or parse_timestamp(b["expires_at"]) > now)
    ]


def _no_server_errors(answers: list[requests.Response]) -> None:
    assert [(a.status_code, a.text) for a in answers if a.status_code >= 500] == []


ROUNDS = 32
AT_ONCE = 2  # rounds whose holds expire at the same instant
# When each of a batch's 30 calls is sent, around the expiry: interleaved, so that in every round some
# finalizes, extensions and bookings go out before it and some after.
SPREAD = [timedelta(seconds=-0.15 + 0.25 * ((n * 7) % 30) / 30) for n in range(15 * AT_ONCE)]


def _at(instant: datetime, call: Call) -> Call:
    """The call, sent at `instant`."""

    def sent(racer: Api) -> requests.Response:
        time.sleep(max(0.0, (instant - datetime.now(UTC)).total_seconds()))
        return call(racer)

    return sent


def _holds_expiring_together(api: Api, clinic: Clinic, slots: list[int]) -> tuple[datetime, dict[int, str]]:
    """A hold of each slot, all expiring at one whole second about a second on; later on a machine too
    loaded to make them all before it (a hold whose expiry has passed is refused, and a hold made of the
    batch frees its place when it expires, so the batch is made again with a second more each time)."""
    for margin in range(1, 9):
        expiry = now_utc() + timedelta(seconds=margin + (datetime.now(UTC).microsecond >= 600_000))
        holds = {}
        for n in slots:
            held = api.post(
                "/bookings", clinic.body(n, is_temporary=True, expires_at=format_timestamp(expiry))
            )
            if held.status_code == 422 and "expires_at" in held.json().get("errors", {}):
                break
            assert held.status_code == 201, held.text
            holds[n] = held.json()["id"]
        else:
            return expiry, holds
        time.sleep(max(0.0, (expiry - now_utc()).total_seconds()) + 0.1)  # until the batch's holds expired
    raise AssertionError("no batch of holds could be made within 8 seconds of their expiry")


def test_finalizes_extensions_and_bookings_across_a_holds_expiry_never_hold_a_place_twice(api: Api) -> None:
    """The report's race: per round a hold, and 7 finalizes, an extension of its expiry and 7 new
    bookings of its place sent around its expiry, interleaved (32 rounds). Either the hold keeps its place (a
    finalize or an extension succeeded, and every new booking was refused) or one new booking took it
    (and every finalize and extension was refused as expired), never both; a hold called expired is
    never kept afterwards."""
    clinic = _clinic(api)
    outcomes = {"kept": 0, "taken": 0}
    for batch in range(ROUNDS // AT_ONCE):
        slots = [batch * AT_ONCE + n for n in range(AT_ONCE)]
        expiry, holds = _holds_expiring_together(api, clinic, slots)
        later = format_timestamp(expiry + timedelta(hours=1))
        calls: list[tuple[int, str, Call]] = []
        for n in slots:
            path = f"/bookings/{holds[n]}"
            calls += [(n, "finalize", lambda r, p=path: r.patch(p, {"is_temporary": False}))] * 7
            calls += [(n, "extend", lambda r, p=path, t=later: r.patch(p, {"expires_at": t}))]
            calls += [(n, "book", lambda r, n=n: r.post("/bookings", clinic.body(n)))] * 7
        timed = zip(SPREAD, calls, strict=True)
        answers = _race(api, [_at(expiry + spread, call) for spread, (_, _, call) in timed])
        _no_server_errors(answers)

        for n in slots:
            mine = [(kind, a) for (m, kind, _), a in zip(calls, answers, strict=True) if m == n]
            kept = [a for kind, a in mine if kind != "book" and a.status_code == 200]
            taken = [a for kind, a in mine if kind == "book" and a.status_code == 201]
            told_expired = [a for kind, a in mine if kind != "book" and "expired at" in a.text]
            holding = [b["id"] for b in _holding(api, clinic, n)]
            assert len(holding) <= 1, (n, holding, [(k, a.status_code, a.text) for k, a in mine])
            if taken:
                assert (len(taken), kept, holding) == (1, [], [taken[0].json()["id"]])
                outcomes["taken"] += 1
            else:
                assert kept and holding == [holds[n]], [(k, a.status_code, a.text) for k, a in mine]
                assert told_expired == []  # a hold once told expired is never kept
                outcomes["kept"] += 1
            assert all(a.status_code == 422 for a in told_expired)
    assert outcomes["kept"] + outcomes["taken"] == ROUNDS


def test_every_path_into_one_place_lets_exactly_one_in(api: Api) -> None:
    """Per round, into one free place at once: 2 new bookings, 2 booking groups (the place and a slot of
    their own), a PATCH and a PUT that move bookings in, and the un-cancel of a booking canceled there.
    Exactly one succeeds, and what is stored says so (5 rounds at once)."""
    clinic = _clinic(api)
    calls: list[tuple[int, str, Call]] = []
    for round_ in range(5):
        place = 40 + round_ * 6  # slots place..place+5: the place, then what the racers start from
        moved = api.post("/bookings", clinic.body(place + 1)).json()
        replaced = api.post("/bookings", clinic.body(place + 2)).json()
        canceled = api.post("/bookings", clinic.body(place)).json()
        assert api.patch(f"/bookings/{canceled['id']}", {"is_canceled": True}).status_code == 200
        start, end = clinic.slot(place)
        put_body = {**clinic.body(place), "resource_id": clinic.resource}
        calls += [(place, "book", lambda r, p=place: r.post("/bookings", clinic.body(p)))] * 2
        calls += [
            (
                place,
                "group",
                lambda r, p=place, own=own: r.post(
                    "/booking-groups", {"bookings": [clinic.body(p), clinic.body(own)]}
                ),
            )
            for own in (place + 3, place + 4)
        ]
        calls += [
            (
                place,
                "patch",
                lambda r, b=moved["id"], s=start, e=end: r.patch(
                    f"/bookings/{b}", {"starts_at": s, "ends_at": e}
                ),
            ),
            (place, "put", lambda r, b=replaced["id"], body=put_body: r.put(f"/bookings/{b}", body)),
            (
                place,
                "uncancel",
                lambda r, b=canceled["id"]: r.patch(f"/bookings/{b}", {"is_canceled": False}),
            ),
        ]

    answers = _race(api, [call for _, _, call in calls])

    _no_server_errors(answers)
    for place in sorted({p for p, _, _ in calls}):
        mine = [(kind, a) for (p, kind, _), a in zip(calls, answers, strict=True) if p == place]
        won = [kind for kind, a in mine if a.status_code in (200, 201)]
        assert len(won) == 1, [(k, a.status_code, a.text) for k, a in mine]
        assert all(a.status_code == 422 for _, a in mine if a.status_code not in (200, 201))
        assert len(_holding(api, clinic, place)) == 1
