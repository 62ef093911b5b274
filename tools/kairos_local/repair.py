"""`kairos-local --repair`: for a data folder the store refuses to start on because a file is damaged.

It reads the folder as a start does, but goes on past damage: a damaged line of the snapshot (an item, a
request that shaped a table, an entry of the accounts) or of a journal (a request) is dropped, and so is a
journaled request that then fails to replay (one that depended on what was dropped). What was read is
written as a new snapshot, and the files as they were are kept beside it in `damaged-<time>/` (hard links:
nothing is copied). It prints each thing it dropped, with its file and line, then what it kept. A folder
without damage is left as it is.
"""

import os
import time
from pathlib import Path

from kairos_local.journal import DamagedData, NoRoom
from kairos_local.persistence import SNAPSHOT, Store


def repair(folder: Path) -> int:
    """Repairs the folder; the exit code (0: repaired, or nothing to repair)."""
    from moto.server import DomainDispatcherApplication, create_backend_app  # type: ignore[attr-defined]

    from kairos_local import moto_patches
    from kairos_local.gate import Gate
    from kairos_local.moto_server import compact, restore

    moto_patches.install()
    try:
        store = Store(folder)
    except (DamagedData, NoRoom) as error:
        print(f"Nothing was repaired: {error}")
        return 2
    dropped: list[str] = []
    try:
        originals = [folder / SNAPSHOT, *sorted(folder.glob("journal-*.log"))]
        gate = Gate(DomainDispatcherApplication(create_backend_app), store)
        replayed = restore(gate, store, dropped.append)
        if not dropped:
            print(f"Nothing in {folder} is damaged: nothing was changed.")
            return 0
        aside = folder / time.strftime("damaged-%Y%m%dT%H%M%S")
        aside.mkdir()
        for path in originals:
            if path.exists():
                os.link(path, aside / path.name)
        if not compact(gate, store):
            print(f"Nothing was repaired: no room on the disk of {folder} for the new snapshot.")
            return 2
    except DamagedData as error:
        print(f"Nothing was repaired: {error}")
        return 2
    finally:
        store.close()
    print(f"Repaired {folder}. Dropped:")
    for what in dropped:
        print(f"- {what}")
    print(
        f"Kept everything else: the snapshot's intact lines and {replayed} journaled changes, now in a new "
        f"{SNAPSHOT}. The files as they were are in {aside}."
    )
    return 0
