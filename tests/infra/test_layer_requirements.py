"""The layer ships exactly the runtime dependencies the project declares, at the same pins."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layer_requirements_equal_the_projects_runtime_dependencies() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "layers" / "kairos" / "requirements.txt").read_text().splitlines()
    shipped = [line for line in lines if line and not line.startswith("#")]
    assert sorted(shipped) == sorted(declared)
