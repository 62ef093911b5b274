"""requirements.lock is the runtime dependency set, whole: what pyproject.toml declares and everything it
requires, each pinned; the development environment runs exactly it; and the packages the layer leaves to
the Lambda runtime are the AWS SDK and what it requires, nothing else."""

import tomllib
from collections.abc import Iterable
from importlib import metadata

from packaging.requirements import Requirement

from infra.constants import LAMBDA_RUNTIME_PACKAGES, REPO_ROOT
from infra.lock import canonical_name, read_lock

LAMBDA_MARKERS = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux"}


def declared() -> list[Requirement]:
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [Requirement(d) for d in dependencies]


def closure(roots: Iterable[Requirement]) -> set[str]:
    """Every distribution the roots require, transitively (extras included where asked for), as the
    installed distributions' metadata says, for Lambda's Python."""
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(canonical_name(r.name), frozenset(r.extras)) for r in roots]
    while pending:
        name, extras = pending.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for text in metadata.requires(name) or []:
            nested = Requirement(text)
            wanted = nested.marker is None or any(
                nested.marker.evaluate({**LAMBDA_MARKERS, "extra": extra}) for extra in extras or {""}
            )
            if wanted:
                pending.append((canonical_name(nested.name), frozenset(nested.extras)))
    return {name for name, _ in seen}


def test_the_lock_pins_each_declared_dependency_at_its_declared_version() -> None:
    lock = read_lock()
    for requirement in declared():
        assert requirement.specifier.contains(lock[canonical_name(requirement.name)].version), requirement


def test_the_lock_holds_exactly_the_declared_dependencies_and_all_they_require() -> None:
    assert set(read_lock()) == closure(declared())


def test_the_environment_runs_the_locked_versions() -> None:
    """`make install` installed the lock, and no development tool moved a runtime package."""
    installed = {name: metadata.version(name) for name in read_lock()}
    assert installed == {name: package.version for name, package in read_lock().items()}


def test_the_runtimes_packages_are_boto3_and_what_it_requires() -> None:
    assert closure([Requirement("boto3")]) == LAMBDA_RUNTIME_PACKAGES
