"""The package's floors (ARCHITECTURE.md): no import goes up a floor, no import circle between modules or
between rooms, every module on a floor, none past 400 lines; in the Portal app, no circle and only App.tsx
imports the route list. The floors are read from ARCHITECTURE.md's `floors` block, so the drawing a
newcomer reads is the rule the suite enforces."""

import ast
import re
from collections.abc import Iterable, Mapping
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "kairos" / "python"
WEB = ROOT / "web" / "src"
MAX_LINES = 400


@cache
def floors() -> dict[str, int]:
    """Each floor's packages and modules, by prefix: `kairos.domain` -> 3."""
    text = (ROOT / "ARCHITECTURE.md").read_text()
    block = re.search(r"```floors\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no floors block"
    placed: dict[str, int] = {}
    for line in block.group(1).splitlines():
        number, _name, *prefixes = line.split()
        for prefix in prefixes:
            assert prefix not in placed, f"{prefix} is on two floors"
            placed[prefix] = int(number)
    return placed


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in (PACKAGE / "kairos").rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


@cache
def imports() -> dict[str, frozenset[str]]:
    """Each module's imports of other kairos modules, wherever they are made (in a function too)."""
    known = modules()
    graph = {}
    for name, path in known.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kairos":
                for alias in node.names:  # `from kairos.values import formats` imports the module
                    whole = f"{node.module}.{alias.name}"
                    found.add(whole if whole in known else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] == "kairos")
        graph[name] = frozenset(found & known.keys() - {name, "kairos"})
    return graph


def place(module: str) -> tuple[int, str] | None:
    """The module's floor and room: the longest prefix of the floors block that holds it, and below
    `kairos.domain` its sub-package (`kairos.domain.bookings`)."""
    prefixes = [p for p in floors() if module == p or module.startswith(p + ".")]
    if not prefixes:
        return None
    prefix = max(prefixes, key=len)
    parts = module.split(".")
    room = ".".join(parts[:3]) if prefix == "kairos.domain" and len(parts) > 3 else prefix
    return floors()[prefix], room


def cycle_in(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


def test_every_module_stands_on_a_floor() -> None:
    assert [m for m in modules() if m != "kairos" and place(m) is None] == []


def test_no_module_imports_a_floor_above_its_own() -> None:
    upward = []
    for module, targets in imports().items():
        here = place(module)
        for target in targets:
            there = place(target)
            if here and there and there[0] > here[0]:
                upward.append(f"{module} (floor {here[0]}) imports {target} (floor {there[0]})")
    assert upward == []


def test_no_import_circle_between_modules() -> None:
    assert cycle_in(imports()) is None


def test_no_import_circle_between_rooms() -> None:
    rooms: dict[str, set[str]] = {}
    for module, targets in imports().items():
        here = place(module)
        if here is None:
            continue
        linked = rooms.setdefault(here[1], set())
        linked.update(there[1] for t in targets if (there := place(t)) and there[1] != here[1])
    assert cycle_in(rooms) is None


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_is_past_400_lines(module: str) -> None:
    lines = len(modules()[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it by concern"


def test_the_checks_see_an_upward_import_and_a_circle() -> None:
    """The rules above read real imports: a domain module importing the container goes up, two modules
    importing each other make a circle."""
    assert place("kairos.domain.bookings.commit") == (3, "kairos.domain.bookings")
    assert place("kairos.container") == (5, "kairos.container")
    assert cycle_in({"a": ["b"], "b": ["a"]}) is not None
    assert cycle_in({"a": ["b"], "b": []}) is None


WEB_IMPORT = re.compile(r"""^import\s[^;]*?from\s+["'](\.[^"']+)["']""", re.M | re.S)


def web_imports() -> dict[str, set[str]]:
    files = {p.relative_to(WEB).with_suffix("").as_posix(): p for p in WEB.rglob("*.ts*")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found = set()
        for target in WEB_IMPORT.findall(path.read_text()):
            parts: list[str] = []
            for part in (Path(name).parent / target).as_posix().split("/"):
                if part == "..":
                    parts.pop()
                elif part != ".":
                    parts.append(part)
            joined = "/".join(parts)
            found.add(joined if joined in files else f"{joined}/index")
        graph[name] = {t for t in found if t in files}
    return graph


def test_the_portal_app_has_no_import_circle() -> None:
    graph = web_imports()
    assert "screens/Dashboard" in graph and "routes" in graph["App"]  # the reader sees the app's imports
    assert cycle_in(graph) is None


def test_only_the_app_imports_the_route_list() -> None:
    assert sorted(name for name, targets in web_imports().items() if "routes" in targets) == ["App"]
