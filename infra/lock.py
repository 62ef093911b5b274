"""requirements.lock as data: the runtime dependency set `make lock` resolved, each package pinned with the
hashes of its files. `make install` installs the whole lock; the layer build installs it less what the
Lambda runtime already has (infra/layer.py), so both run the same versions of the same files."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from infra.constants import LAMBDA_RUNTIME_PACKAGES, LOCK_FILE

HASH_OPTION = "--hash="


def canonical_name(name: str) -> str:
    """A distribution name as PEP 503 compares names (`Typing_Extensions` is `typing-extensions`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class LockedPackage:
    name: str  # canonical
    version: str
    hashes: tuple[str, ...]  # "sha256:...", one per file of the release (every platform's wheel)

    @property
    def requirement(self) -> str:
        """The package as one hash-checked requirement line for pip."""
        return " ".join([f"{self.name}=={self.version}", *(HASH_OPTION + h for h in self.hashes)])


def read_lock(path: Path = LOCK_FILE) -> dict[str, LockedPackage]:
    """The locked packages by canonical name. Refuses an entry that is not pinned with `==` or carries no
    hash: pip would then pick a version or file on its own, which is what the lock is there to prevent."""
    packages: dict[str, LockedPackage] = {}
    for line in path.read_text().replace("\\\n", " ").splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        requirement, *options = words
        name, _, version = requirement.partition("==")
        hashes = tuple(o.removeprefix(HASH_OPTION) for o in options if o.startswith(HASH_OPTION))
        if not version or not hashes:
            raise ValueError(f"{path.name}: {requirement} must be pinned with == and carry its hashes")
        packages[canonical_name(name)] = LockedPackage(canonical_name(name), version, hashes)
    return packages


def requirements(packages: Iterable[LockedPackage]) -> str:
    """A requirements file for `pip install --require-hashes --no-deps`."""
    return "".join(f"{p.requirement}\n" for p in sorted(packages, key=lambda p: p.name))


def layer_packages(lock: dict[str, LockedPackage]) -> list[LockedPackage]:
    """What the layer ships: the lock less the packages the Lambda runtime provides."""
    return [p for name, p in lock.items() if name not in LAMBDA_RUNTIME_PACKAGES]


def runtime_packages(lock: dict[str, LockedPackage]) -> list[LockedPackage]:
    """The locked versions of what the Lambda runtime provides (the deployed-layout test's interpreter)."""
    return [p for name, p in lock.items() if name in LAMBDA_RUNTIME_PACKAGES]
