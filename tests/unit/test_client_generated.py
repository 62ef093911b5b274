"""kairos-client's models and methods are generated from docs/openapi.json (clients/python/generate.py):
the committed modules must be what the generator writes from the current document, so a change of the API
fails here until the client is regenerated; and every operation of the document has its method."""

import importlib.util
import json
from pathlib import Path

from kairos_client import AsyncClient, Client

ROOT = Path(__file__).parents[2]
GENERATOR = ROOT / "clients" / "python" / "generate.py"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kairos_client_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_client_is_what_the_document_generates() -> None:
    generator = _generator()
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    for path, text in generator.render(document).items():
        assert path.read_text() == text, f"{path.name} is stale: run `python clients/python/generate.py`"


def test_a_changed_document_changes_the_generated_client() -> None:
    generator = _generator()
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    document["components"]["schemas"]["Project"]["properties"]["plan"] = {"type": "string"}
    models = generator.render_models(document)
    assert "    plan: str | None = None\n" in models


def test_every_operation_has_a_sync_and_an_async_method_named_after_its_operation_id() -> None:
    document = json.loads((ROOT / "docs" / "openapi.json").read_text())
    ids = [op["operationId"] for methods in document["paths"].values() for op in methods.values()]
    generator = _generator()
    for operation_id in ids:
        name = generator.snake(operation_id)
        assert callable(getattr(Client, name)) and callable(getattr(AsyncClient, name)), name
    assert len({generator.snake(i) for i in ids}) == len(ids) > 60  # one method each, Hapio's 60 and more
    assert hasattr(Client, "get_service_bookable_slots")
