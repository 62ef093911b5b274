"""What a function's cold start does (issue 13; docs/infrastructure.md, "Cold starts"): each Lambda
handler module, imported in a fresh interpreter, makes no AWS client and leaves out what only some of its
requests need (they import it when they need it). A module-level import or a client made at import that
comes back fails here; the timings themselves are the bench's (bench/cold_starts.py)."""

import json
from functools import cache
from pathlib import Path

import pytest

from tests.unit.conftest import in_fresh_interpreter

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
API = [
    "project",
    "locations",
    "resources",
    "services",
    "bookings",
    "booking_groups",
    "booking_series",
    "webhooks",
]
PORTAL = ["portal", "portal_accounts"]
CONSUMERS = [
    "stream_mapper",
    "hold_sweeper",
    "metering",
    "webhook_dispatcher",
    "calendar_poller",
    "waitlist_offers",
]
BOOKING_RULES = {
    "kairos.domain.bookings.bookings",
    "kairos.domain.bookings.commit",
    "kairos.domain.bookings.models",
}
INPUT_MODELS = {
    "pydantic",
    "kairos.domain.catalogue.models",
    "kairos.portal.models",
    "kairos.events.envelope",
}
SLOT_ENGINE = {"kairos.scheduling.engine", "kairos.domain.bookings.availability"}
CALENDAR_READING = {"icalendar", "recurring_ical_events", "x_wr_timezone"}  # only a feed's sync reads them
LAMBDA_HANDLER = "handler.lambda_handler"  # what the runtime sets `_HANDLER` to (infra: every function's)


@cache  # one fresh interpreter per function and test process
def cold_start(function: str) -> tuple[frozenset[str], int, tuple[bool, int]]:
    """The modules the function's handler module loaded, the boto3 sessions it made (every AWS client
    of a process comes from `kairos.aws_clients`' one session), and the garbage collector's state after
    it: whether it runs, and how many objects it keeps out of its collections (`gc.freeze`)."""
    code = f"""
import gc, json, sys
sys.path.insert(0, {str(FUNCTIONS / function)!r})
import handler
from kairos import aws_clients
collector = [gc.isenabled(), gc.get_freeze_count()]
print(json.dumps([sorted(sys.modules), aws_clients._session.cache_info().currsize, collector]))
"""
    result = in_fresh_interpreter(
        code, AWS_REGION="eu-central-1", LAMBDA_TASK_ROOT=str(FUNCTIONS / function), _HANDLER=LAMBDA_HANDLER
    )
    assert result.returncode == 0, result.stderr
    modules, sessions, (collecting, frozen) = json.loads(result.stdout.splitlines()[-1])
    return frozenset(modules), sessions, (collecting, frozen)


def test_every_function_is_checked_here() -> None:
    assert sorted(API + PORTAL + CONSUMERS) == sorted(p.name for p in FUNCTIONS.iterdir() if p.is_dir())


@pytest.mark.parametrize("function", API + PORTAL + CONSUMERS)
def test_no_function_makes_an_aws_client_or_loads_input_models_at_import(function: str) -> None:
    modules, sessions, _ = cold_start(function)
    assert sessions == 0  # the DynamoDB client, and any other, is made by the first request using it
    assert not modules & INPUT_MODELS  # pydantic models: loaded by the first request with a body or event


@pytest.mark.parametrize("function", API + PORTAL + CONSUMERS)
def test_every_function_collects_garbage_again_once_its_handler_is_built(function: str) -> None:
    """In Lambda the package's import pauses the garbage collector (`kairos.cold_start`): each handler
    module ends the pause once its entry point is built, the import's objects kept out of collections."""
    collecting, frozen = cold_start(function)[2]
    assert collecting
    assert frozen > 10_000


def test_the_garbage_collector_is_paused_only_in_lambda() -> None:
    """Tests, the local server and the CLI import the package without `_HANDLER`: nothing changes there."""
    code = (
        "import gc, json; import kairos.container; print(json.dumps([gc.isenabled(), gc.get_freeze_count()]))"
    )
    outside = in_fresh_interpreter(code)
    inside = in_fresh_interpreter(code, _HANDLER=LAMBDA_HANDLER)
    assert json.loads(outside.stdout.splitlines()[-1]) == [True, 0]
    assert json.loads(inside.stdout.splitlines()[-1]) == [False, 0]  # until an entry point is built


@pytest.mark.parametrize("function", ["project", "locations", "resources", "services", "webhooks"])
def test_functions_that_make_no_booking_do_not_load_the_booking_rules(function: str) -> None:
    assert not cold_start(function)[0] & BOOKING_RULES


@pytest.mark.parametrize("function", API + PORTAL)
def test_the_slot_engine_and_the_portal_are_loaded_only_by_requests_that_use_them(function: str) -> None:
    modules = cold_start(function)[0]
    assert not modules & SLOT_ENGINE  # the slot and schedule views import it at their first request
    assert ("kairos.api.portal_app" in modules) is (function in PORTAL)
    assert ("kairos.portal.routes" in modules) is (function in PORTAL)  # its table, for typing only
    assert "aws_lambda_powertools.utilities.idempotency" not in modules  # by the first keyed POST


@pytest.mark.parametrize("function", CONSUMERS)
def test_consumers_do_not_load_the_http_resolver(function: str) -> None:
    assert "aws_lambda_powertools.event_handler" not in cold_start(function)[0]


@pytest.mark.parametrize("function", API + PORTAL + CONSUMERS)
def test_no_function_loads_the_calendar_parser_before_a_feed_is_synced(function: str) -> None:
    assert not cold_start(function)[0] & CALENDAR_READING


@pytest.mark.parametrize(
    "service",
    [
        "kairos.domain.bookings.bookings",
        "kairos.domain.bookings.groups",
        "kairos.domain.bookings.hold_sweep",
        "kairos.domain.bookings.commit",
        "kairos.domain.bookings.series_reads",
        "kairos.waitlists.service",
        "kairos.waitlists.offers",
    ],
)
def test_the_booking_services_load_no_input_models_before_a_write_parses_one(service: str) -> None:
    """A booking function's first request is often a read (a list; the sweeper's query): building its
    service must not load pydantic, a third of a bare `import boto3` at a cold start. The waitlist offer
    step parses no body at all (its hold: tests/unit/test_waitlist_offers.py)."""
    code = f"import json, sys; import {service}; print(json.dumps(sorted(sys.modules)))"
    result = in_fresh_interpreter(code)
    assert result.returncode == 0, result.stderr
    assert not set(json.loads(result.stdout.splitlines()[-1])) & INPUT_MODELS


@pytest.mark.parametrize(
    "reader",
    [
        "kairos.domain.bookings.bookings",
        "kairos.domain.bookings.groups",
        "kairos.domain.bookings.series_reads",
        "kairos.stream.mapper",
        "kairos.stream.series_events",
    ],
)
def test_booking_reads_load_neither_the_booking_rules_nor_the_slot_engine(reader: str) -> None:
    """A list, a get and the stream mapper's rendering (a series' event included) read bookings and write
    none: the rules that check a write and the slot engine they use are loaded by the first write
    (`Bookings.writer`); a series' reads no input models either (`series_reads`)."""
    code = f"import json, sys; import {reader}; print(json.dumps(sorted(sys.modules)))"
    result = in_fresh_interpreter(code)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert not loaded & (SLOT_ENGINE | {"kairos.domain.bookings.commit", "kairos.scheduling.model"})


POLL = """
import json, sys
from datetime import UTC, datetime
from kairos.calendars.ports import FeedError, Fetched
from kairos.calendars.subscriptions import CalendarSubscriptions
from kairos.domain.shared.records import Record

NOW = datetime(2030, 1, 1, tzinfo=UTC)
DOCUMENT = b"BEGIN:VCALENDAR\\r\\nVERSION:2.0\\r\\nEND:VCALENDAR\\r\\n"
ANSWERS = {"https://unchanged.example/a.ics": None, "https://refused.example/b.ics": FeedError("refused")}

class Catalogue:
    def get_many(self, project_id, ids):
        return {key: Record("resource", key[1], {}, NOW, NOW) for key in ids}

class Store:
    def every(self):
        return [("p", "r", Record("calendar_subscription", url[8:16], {"resource_id": "r", "url": url,
                "status": "ok"}, NOW, NOW)) for url in ANSWERS]
    def replace(self, *written):
        pass

class Bookings:
    def list_window(self, project_id, owner, start, end):
        return []

def fetch(url, etag, last_modified):
    answer = ANSWERS[url]
    if isinstance(answer, Exception):
        raise answer
    return Fetched(answer, None, None)

calendars = CalendarSubscriptions(Catalogue(), Store(), Bookings(), fetch, lambda: NOW)
synced = calendars.sync_all()
after_poll = sorted(sys.modules)
ANSWERS["https://unchanged.example/a.ics"] = DOCUMENT  # the feed changed: its body is read
calendars.sync_all()
print(json.dumps([synced, after_poll, sorted(sys.modules)]))
"""


def test_a_poll_whose_feeds_are_unchanged_or_refused_loads_no_parser_models_or_slot_engine() -> None:
    """The poller's run reads no request body and, while no feed sends a new document (a 304, a refused
    address), parses none: the calendar parser, pydantic and the slot engine stay unloaded until a feed's
    body is read (the parser) and its busy times changed (the engine, which counts conflicts)."""
    result = in_fresh_interpreter(POLL)
    assert result.returncode == 0, result.stderr
    synced, after_poll, after_a_body = json.loads(result.stdout.splitlines()[-1])
    assert synced == {"ok": 1, "failing": 1}
    assert not set(after_poll) & (CALENDAR_READING | INPUT_MODELS | SLOT_ENGINE)
    assert set(after_a_body) >= (CALENDAR_READING | SLOT_ENGINE)  # loaded once a body changed busy times


def test_the_stream_mapper_checks_envelopes_without_loading_pydantic(tmp_path: Path) -> None:
    """The mapper's module, its booking services and the contract checker reading the schemas the
    layer's build writes (here into tmp_path): no pydantic, the envelope models' first build being about
    a third of a bare `import boto3` at the stream function's cold start. A booking series' or a waitlist
    entry's change loads their models (pydantic) itself."""
    from kairos.events.contract import write_schemas

    write_schemas(tmp_path)
    code = f"""
import json, pathlib, sys
import kairos.stream.mapper
from kairos.events import contract
contract.SCHEMAS = pathlib.Path({str(tmp_path)!r})
envelope = {{"id": "77777777-7777-4777-8777-777777777777", "type": "booking_group.deleted",
    "project_id": "11111111-1111-4111-8111-111111111111", "time": "2030-01-01T10:00:00+00:00",
    "changes": None, "data": {{"id": "33333333-3333-4333-8333-333333333333", "bookings": [],
    "metadata": None, "protected_metadata": None, "created_at": "2030-01-01T10:00:00+00:00",
    "updated_at": "2030-01-01T10:00:00+00:00"}}}}
checked = contract.checked("booking_group", envelope)
print(json.dumps([checked["version"], sorted(sys.modules)]))
"""
    result = in_fresh_interpreter(code)
    assert result.returncode == 0, result.stderr
    version, modules = json.loads(result.stdout.splitlines()[-1])
    assert version == "1"
    assert not set(modules) & INPUT_MODELS
