"""The local project's state file: it holds a token with every ability of the project."""

import json
import os
from pathlib import Path

import pytest

from kairos.container import Container
from kairos_local.bootstrap import ensure_project


def test_the_local_token_file_is_readable_by_its_owner_only_and_reused(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAIROS_LOCAL_TOKEN", raising=False)
    state_file = tmp_path / ".kairos" / "local.json"
    state_file.parent.mkdir()
    state_file.write_text("{}")
    os.chmod(state_file, 0o644)  # as an earlier version left it

    first = ensure_project(container, state_file)
    again = ensure_project(container, state_file)

    assert state_file.stat().st_mode & 0o777 == 0o600
    assert json.loads(state_file.read_text()) == {"project_id": first.project_id, "token": first.token}
    assert again == first
    assert container.auth.authenticate(f"Bearer {first.token}").project_id == first.project_id
