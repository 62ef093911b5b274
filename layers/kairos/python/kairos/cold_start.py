"""The cyclic garbage collector during a Lambda cold start (docs/infrastructure.md, "Cold starts").

Importing a function's modules (boto3, Powertools, the package) makes some 80,000 objects that live as
long as the process, and almost no garbage. The collector, run every 700 new objects, walked them over and
over to free a few hundred: about 130 collections, one of them full, 20-25 ms of CPU over the import and
the first request (a bare `import boto3` spends 8 ms of its own in it). So the package's import pauses it
(`pause`, called by `kairos/__init__.py`) and the entry point, once built, ends the pause (`end`: the entry
makers of `kairos.api`, and the handler modules of the stream mapper and the calendar poller, which build
their own). What the import made then moves to the permanent generation (`gc.freeze`) and is never walked
again; the collector runs as usual for what requests make, and its full collections no longer walk the
import's objects. The few the import left unreachable stay (tens of KB).

Only in Lambda (`_HANDLER` set: the runtime names the handler it imports), where every function's handler
module ends the pause at its import (tests/unit/test_import_boundaries.py checks each); anywhere else
(tests, the local server, the CLI) nothing changes."""

import gc
import os

_paused: list[bool] = []


def pause() -> None:
    if "_HANDLER" in os.environ and gc.isenabled() and not _paused:
        gc.disable()
        _paused.append(True)


def end() -> None:
    """The import is done: its objects are kept out of every collection, and collecting starts again."""
    if _paused:
        _paused.clear()
        gc.freeze()
        gc.enable()
