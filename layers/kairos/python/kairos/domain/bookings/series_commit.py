"""Writing a booking series: its occurrences in chunks, each chunk one conditioned transaction with the
series' own item, so that `all_or_nothing` holds beyond one transaction's 100 items (docs/booking-series.md,
"All or nothing").

- Every chunk is written by the booking writer, as a booking group is: every rule a single booking meets is
  checked for each occurrence against what its transaction conditions on, and the chunks go one after
  the other, so a later chunk's checks count the places (and booking limits) the earlier chunks took.
- The series' item is written in every chunk's transaction, conditioned on the version the previous chunk
  left (so two writers can never interleave on it): `pending` until the last chunk, which makes it
  `active`. A pending series is not shown, and no request can change or delete a booking of a pending
  series (`Bookings` refuses it with a 409), so nothing another request does can keep one of its places.
- A series of several chunks writes its occurrences as holds that expire `HOLD` after it began, then
  finalizes them (the last finalize makes it active): a writer that dies between two transactions leaves
  places that free themselves at expiry.
- When a later chunk is refused (`all_or_nothing`: an occurrence fails its checks, the resource stays
  busy), the chunks taken are deleted again, last first, each with the series' item, the last deleting
  it: the request answers the refusal and leaves no occurrence behind.
- `available_only`: an occurrence refused by its checks is left out (and reported), and its chunk is
  planned again without it.
"""

import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial, reduce

from kairos.domain.bookings.commit import BookingWriter
from kairos.domain.bookings.intents import Intent, plan_reads
from kairos.domain.bookings.series_state import ACTIVE, PENDING
from kairos.domain.projects.auth import Principal
from kairos.domain.shared.ports import BookingRepository
from kairos.domain.shared.records import Booking, GroupChange, LedgerState, Record
from kairos.errors import TOO_LARGE_WRITE, Conflict, Retryable, ValidationFailed
from kairos.parallel import parallel_map
from kairos.scheduling.model import Span
from kairos.values.formats import format_timestamp

ATTEMPTS = 8  # plans of one chunk that lost a race, before the series gives up (503)
# A series of several chunks writes them as holds that expire this long after it began, and finalizes them
# at the end: if the writer dies between chunks, their places free themselves at expiry (and the hold
# timers remove them). Far longer than any request may take (the API's functions time out within 29 s).
HOLD = timedelta(minutes=5)
# A series' item while it is pending expires (the table's TTL) this long after the series began: by then
# its holds have expired, so no finalize of it can succeed, and a writer that died leaves nothing behind.
PENDING_TTL = HOLD + timedelta(hours=1)
BATCH_KEYS = 100  # the items one BatchGetItem reads
FINALIZE_CHUNK = 45  # holds finalized a transaction: each is its item and its hold's
TRANSACTION_ITEMS = 100
_RESERVED = 6  # the series' item, and room for a released hold or two
logger = logging.getLogger(__name__)


@dataclass
class Written:
    """What a series write left: the series as stored, its bookings in order, the occurrences skipped."""

    series: Record
    bookings: list[Booking]
    skipped: list[Intent]


class SeriesWriter:
    def __init__(
        self,
        writer: BookingWriter,
        store: BookingRepository,
        clock: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self._writer = writer
        self._store = store
        self._clock = clock
        self._rng = rng

    def write(self, viewer: Principal, series: Record, intents: list[Intent], *, keep_going: bool) -> Written:
        """Writes the occurrences (`keep_going`: available_only, leaving out those refused by their checks)
        and the series; on any refusal of an all_or_nothing series, nothing stays written."""
        planned = _chunks(intents)
        hold_until = self._clock() + HOLD if len(planned) > 1 else None
        if hold_until is not None:
            planned = self._read_ahead(viewer, planned)
        chunks = deque([_held(i, hold_until) for i in c] for c in planned)
        stored: Record | None = None
        taken: list[list[Booking]] = []
        skipped: list[Intent] = []
        while chunks:
            chunk = chunks.popleft()
            last = not chunks and hold_until is None
            ids = [b.id for done in taken for b in done] + [i.proposal.id for i in chunk if i.proposal]
            status = ACTIVE if last else PENDING
            after = _next(series, stored, ids, status, self._clock())
            if not chunk and not (last and stored is not None):
                continue  # every occurrence of it left out: nothing to write yet
            try:
                written = self._commit(viewer, chunk, _item(stored, after))
            except ValidationFailed as refused:
                if _too_large(refused) and len(chunk) > 1:  # the estimate was short: split the chunk
                    if hold_until is None:  # the one chunk planned, nothing written: now several, as holds
                        hold_until = self._clock() + HOLD
                        chunk = [_held(i, hold_until) for i in chunk]
                    half = len(chunk) // 2
                    chunks.extendleft([chunk[half:], chunk[:half]])
                    continue
                failing = _failing(refused, chunk)
                if keep_going and failing is not None:
                    skipped.append(failing)
                    chunks.appendleft([i for i in chunk if i is not failing])
                    continue
                self._undo(viewer, stored, taken)
                raise
            except Exception:  # busy or a catalogue change (503), anything: leave nothing behind
                self._undo(viewer, stored, taken)
                raise
            stored = after
            taken.append(written)
        if stored is None:  # available_only, and no occurrence could be booked
            raise ValidationFailed.field("starts_at", "No occurrence of the series can be booked.")
        if hold_until is not None:
            stored = self._finalize(viewer, stored, taken)
        return Written(stored, [b for done in taken for b in done], skipped)

    def _read_ahead(self, viewer: Principal, planned: list[list[Intent]]) -> list[list[Intent]]:
        """The chunks, the first of each carrying the ledger versions of every occurrence, read at once
        (BatchGetItems of as many occurrences as their estimated items let into one, in parallel) instead of
        once a chunk: each chunk's first plan uses them. Read before any chunk is written, they are older
        than a later chunk's plan, but its transaction conditions on them: a chunk whose items an earlier one
        moved (a booking limit's counter of the same month) loses its race and is planned again from fresh
        reads (`_commit`)."""
        candidates = len({r.id for i in planned[0] for r in i.candidates})
        pieces = _packed(planned, lambda i: candidates * (_items(i) - 2), BATCH_KEYS - candidates)
        reads = [plan_reads(piece) for piece in pieces]  # what each piece reads: its holds, then its spans

        def read(n: int) -> LedgerState:
            checked = {r.id for i in pieces[n] if i.checked for r in i.candidates}
            return self._store.read_ledgers(viewer.project_id, reads[n][0], checked, pieces[n][0].ledger)

        seen = reduce(LedgerState.updated, parallel_map(read, range(len(pieces))))
        spans: dict[str, list[Span]] = {}
        for _, found in reads:
            for resource_id, needed in found.items():
                spans.setdefault(resource_id, []).extend(needed)
        checked = {r.id for c in planned for i in c if i.checked for r in i.candidates}
        timelines = self._writer.read_timelines(viewer, spans, checked, seen)
        return [[replace(c[0], ledger=seen, timelines=timelines), *c[1:]] for c in planned]

    def _finalize(self, viewer: Principal, stored: Record, taken: list[list[Booking]]) -> Record:
        """Finalizes the holds the chunks wrote, FINALIZE_CHUNK a transaction: all parts but the last at
        once (each only its bookings' and holds' items, which no other transaction of the series touches),
        then the last with the series' item, making it active once every other hold is finalized. `taken`
        follows what each part wrote, so that an undo deletes what is stored."""
        held = [(n, k) for n, done in enumerate(taken) for k in range(len(done))]
        parts = [held[s : s + FINALIZE_CHUNK] for s in range(0, len(held), FINALIZE_CHUNK)]
        after = _next(stored, stored, [b.id for done in taken for b in done], ACTIVE, self._clock())

        def finalize(part: list[tuple[int, int]], series: GroupChange | None) -> list[Booking] | Exception:
            now = self._clock()
            finals = [Intent(taken[n][k], _finalized(taken[n][k], now), as_written=True) for n, k in part]
            try:
                return self._commit(viewer, finals, series)
            except Exception as failed:  # a hold expired (the write took longer than HOLD), anything
                return failed

        for batch, series in ((parts[:-1], None), (parts[-1:], _item(stored, after))):
            results = parallel_map(partial(finalize, series=series), batch)
            for part, result in zip(batch, results, strict=True):
                if not isinstance(result, Exception):
                    for (n, k), booking in zip(part, result, strict=True):
                        taken[n][k] = booking
            failed = next((r for r in results if isinstance(r, Exception)), None)
            if failed is not None:  # take back every occurrence, finalized or not
                self._undo(viewer, stored, taken)
                raise failed
        return after

    def _commit(self, viewer: Principal, chunk: list[Intent], series: GroupChange | None) -> list[Booking]:
        """One chunk, planned again when another write got in first (the writer does so itself only
        while the series is new), from fresh reads: the ledger read ahead is what lost."""
        delay = 0.01
        for _ in range(ATTEMPTS):
            try:
                changes = self._writer.commit(viewer, chunk, series)
            except Conflict:
                chunk = [replace(i, ledger=None, timelines=None) for i in chunk]
                time.sleep(self._rng.uniform(0, delay))
                delay = min(delay * 2, 0.2)
                continue
            return [c.after for c in changes if c.after is not None]
        raise Retryable("The resource is busy with other bookings; try again.")

    def _undo(self, viewer: Principal, stored: Record | None, taken: list[list[Booking]]) -> None:
        """Deletes the chunks taken, last first, each with the series' item (deleted with the first)."""
        for n in range(len(taken) - 1, -1, -1):
            assert stored is not None
            remaining = [b.id for done in taken[:n] for b in done]
            after = _next(stored, stored, remaining, PENDING, self._clock()) if n else None
            deletes = [Intent(b, None) for b in taken[n]]
            try:
                self._commit(viewer, deletes, _item(stored, after))
            except Exception:  # the series stays pending: never shown, its bookings locked (docs)
                logger.exception("booking series %s: undo failed", stored.id)
                raise
            stored = after


def _held(intent: Intent, until: datetime | None) -> Intent:
    """The occurrence as a hold that expires at `until` (None: as it is, a confirmed booking)."""
    proposal = intent.proposal
    if until is None or proposal is None:
        return intent
    doc = {**proposal.doc, "is_temporary": True, "finalized_at": None, "expires_at": format_timestamp(until)}
    return replace(intent, proposal=replace(proposal, doc=doc))


def _finalized(hold: Booking, now: datetime) -> Booking:
    doc = {**hold.doc, "is_temporary": False, "finalized_at": format_timestamp(now), "expires_at": None}
    return replace(hold, doc=doc, updated_at=now, version=hold.version + 1)


def _item(stored: Record | None, after: Record | None) -> GroupChange:
    """The series' item as a transaction writes it: while pending, with its time to live (PENDING_TTL);
    the write that makes it active leaves it without one."""
    pending = after is not None and after.doc.get("status") == PENDING
    return GroupChange(stored, after, after.created_at + PENDING_TTL if after and pending else None)


def _next(series: Record, stored: Record | None, ids: list[str], status: str, now: datetime) -> Record:
    doc = {**series.doc, "booking_ids": ids, "status": status}
    version = stored.version + 1 if stored is not None else 1
    return replace(series, doc=doc, version=version, updated_at=now if stored else series.updated_at)


def _chunks(intents: list[Intent]) -> list[list[Intent]]:
    """Consecutive occurrences, as many a chunk as their estimated items let into one transaction."""
    heads = len({r.id for i in intents for r in i.candidates})  # one timeline head a resource
    return _packed([intents], _items, TRANSACTION_ITEMS - _RESERVED - heads) or [[]]


def _packed(groups: list[list[Intent]], weight: Callable[[Intent], int], room: int) -> list[list[Intent]]:
    """Each group's consecutive occurrences, in pieces of as many as their `weight`s let into `room`."""
    pieces: list[list[Intent]] = []
    for group in groups:
        pieces.append([])
        used = 0
        for intent in group:
            if pieces[-1] and used + weight(intent) > room:
                pieces.append([])
                used = 0
            pieces[-1].append(intent)
            used += weight(intent)
    return [p for p in pieces if p]


def _items(intent: Intent) -> int:
    """The items an occurrence may add to a transaction: the booking and its hold, its ledger items (at
    most the UTC hours its buffer span touches, two days' worth of edges at most, and the UTC days) and
    its booking limits' counters. A short estimate only costs a split (`_too_large`)."""
    proposal = intent.proposal
    assert proposal is not None
    start, end = proposal.buffer_starts_at.timestamp(), proposal.buffer_ends_at.timestamp() - 1e-6
    hours = int(end // 3600) - int(start // 3600) + 1
    days = int(end // 86400) - int(start // 86400) + 1
    service = intent.service.doc if intent.service is not None else {}
    limits = (service.get("booking_limits") or {}).get("per_resource", {})
    return 2 + min(hours, 48) + days + len(limits)


def _too_large(refused: ValidationFailed) -> bool:
    return TOO_LARGE_WRITE in refused.errors.get("bookings", [])


def _failing(refused: ValidationFailed, chunk: list[Intent]) -> Intent | None:
    """The occurrence a refusal is about (its errors carry the occurrence's prefix)."""
    for intent in chunk:
        if intent.prefix and any(key.startswith(intent.prefix) for key in refused.errors):
            return intent
    return None
