"""Where the patches are put in place and taken out again (the tests compare moto with and without them)."""

from collections.abc import Callable
from typing import Any

Replace = Callable[[Any, str, Any], None]  # a class or a module, the attribute's name, what it becomes

_INHERITED = object()  # the attribute came from a base class: restoring removes the replacement
_replaced: list[tuple[Any, str, Any]] = []
_installed: set[str] = set()  # the patches in place, by name


def replace(owner: Any, name: str, replacement: Any) -> None:
    """Sets `owner.name`, remembering what it was."""
    _replaced.append((owner, name, owner.__dict__.get(name, _INHERITED)))
    setattr(owner, name, replacement)


def restore() -> None:
    """Puts back every original, newest first."""
    while _replaced:
        owner, name, original = _replaced.pop()
        if original is _INHERITED:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    _installed.clear()


def install_once(name: str, install: Callable[[], None]) -> None:
    """Runs the patch `name`'s `install` unless it is in place already (and not restored since)."""
    if name not in _installed:
        install()
        _installed.add(name)
