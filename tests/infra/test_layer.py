"""The layer a deployment uploads: built from the lock (less the runtime's SDK), without what Lambda never
runs, reproducible, and versioned by what it is built from."""

import hashlib
import importlib.util
import json
import marshal
import shutil
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import DockerImage
from aws_cdk.assertions import Template

import infra.layer
from infra.constants import LAMBDA_RUNTIME_PACKAGES, LAYER_DIR, LOCK_FILE
from infra.layer import (
    SITE_DIR,
    UNUSED_IMAGE,
    KairosLayer,
    LocalPipBundling,
    layer_asset_hash,
    package_files,
)
from infra.lock import canonical_name, layer_packages, read_lock
from infra.stack import KairosStack
from kairos.api.documents import DOCUMENTS, RENDERED
from kairos.api.http import json_text
from kairos.aws_clients import MODELS, SERVICES
from kairos.events.contract import SCHEMAS
from kairos.events.envelope import json_schemas
from tests.infra.conftest import cdk_context, kairos_layer, staged_asset

pytestmark = pytest.mark.xdist_group("infra")
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


@pytest.fixture(scope="module")
def site(template: Template, stack: KairosStack) -> Path:
    """The staged layer's `python/` directory: what Lambda unpacks under /opt/python."""
    _, layer = kairos_layer(template)
    return staged_asset(stack, layer) / SITE_DIR


def distributions(site: Path) -> dict[str, str]:
    """The installed distributions, canonical name -> version, from their dist-info directories."""
    found = {}
    for info in site.glob("*.dist-info"):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        found[canonical_name(name)] = version
    return found


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_layer_ships_the_locked_packages_less_the_runtimes_sdk(site: Path) -> None:
    expected = {p.name: p.version for p in layer_packages(read_lock())}
    assert distributions(site) == expected
    assert "tzdata" in expected and "aws-xray-sdk" in expected  # zone data; the tracer's SDK
    assert not {canonical_name(d) for d in distributions(site)} & LAMBDA_RUNTIME_PACKAGES
    assert not (site / "boto3").exists() and not (site / "botocore").exists()
    assert list((site / "pydantic_core").glob("*.cpython-311-x86_64-linux-gnu.so")), "Lambda's platform wheel"


def test_the_layer_carries_the_package_sources_and_nothing_lambda_never_runs(site: Path) -> None:
    shipped = {
        p.relative_to(site / "kairos")
        for p in (site / "kairos").rglob("*")
        if p.is_file() and p.suffix != ".pyc"
    }
    source = LAYER_DIR / SITE_DIR / "kairos"
    models, rendered = MODELS.relative_to(source), RENDERED.relative_to(source)
    schemas = SCHEMAS.relative_to(source)
    built = {p for p in shipped if {models, rendered, schemas} & set(p.parents)}
    assert shipped - built == {p.relative_to(source) for p in package_files()}
    assert {p.parts[1] for p in built if models in p.parents and len(p.parts) > 2} == set(SERVICES)
    assert {p.name for p in built if rendered in p.parents} == set(DOCUMENTS)
    assert {p.name for p in built if schemas in p.parents} == set(json_schemas())


def test_the_layer_serves_the_openapi_documents_and_event_schemas_as_the_package_builds_them(
    site: Path,
) -> None:
    for name, build in DOCUMENTS.items():
        assert (site / "kairos" / RENDERED.relative_to(MODELS.parent) / name).read_text() == json_text(
            build()
        )
    for name, schema in json_schemas().items():  # what the stream mapper checks envelopes against
        assert json.loads((site / "kairos" / SCHEMAS.relative_to(MODELS.parent) / name).read_text()) == schema
    assert not list(site.rglob("*.pyi")) and not list(site.glob("*-stubs"))
    assert not (site / "bin").exists()


def test_every_module_has_bytecode_that_holds_whatever_the_dates_lambda_gives_it(site: Path) -> None:
    """Lambda unpacks the layer with 1980 dates and cannot write bytecode: each module's .pyc must be one
    Python uses without comparing dates (PEP 552 unchecked hash), compiled for the runtime's Python and
    naming the file where Lambda puts it (tracebacks)."""
    sources = list(site.rglob("*.py"))
    assert len(sources) > 500
    for source in sources:
        cached = source.parent / "__pycache__" / f"{source.stem}.cpython-311.pyc"  # where Lambda looks
        data = cached.read_bytes()
        assert data[:4] == importlib.util.MAGIC_NUMBER, source
        assert int.from_bytes(data[4:8], "little") == UNCHECKED_HASH, source
    code = marshal.loads((site / "kairos" / "__pycache__" / "routes.cpython-311.pyc").read_bytes()[16:])
    assert code.co_filename == "/opt/python/kairos/routes.py"


def test_a_fresh_build_is_the_staged_layer_byte_for_byte(site: Path, tmp_path: Path) -> None:
    """The same lock, package and builder give the same files: the asset hash, computed from those inputs,
    stands for one content only."""
    LocalPipBundling(LAYER_DIR, LOCK_FILE).try_bundle(
        str(tmp_path), image=DockerImage.from_registry(UNUSED_IMAGE)
    )
    assert digests(tmp_path / SITE_DIR) == digests(site)


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the layer's sources and of the lock, to change."""
    layer = tmp_path / "layer"
    shutil.copytree(LAYER_DIR, layer, ignore=shutil.ignore_patterns("__pycache__"))
    lock = tmp_path / "requirements.lock"
    shutil.copyfile(LOCK_FILE, lock)
    return layer, lock


def test_the_asset_hash_follows_the_lock(sources: tuple[Path, Path]) -> None:
    layer, lock = sources
    before = layer_asset_hash(layer, lock)
    pinned = read_lock(lock)["pydantic"]
    lock.write_text(lock.read_text().replace(pinned.hashes[0], "sha256:" + "0" * 64))
    assert layer_asset_hash(layer, lock) != before


def test_the_asset_hash_follows_the_package_but_not_its_bytecode(sources: tuple[Path, Path]) -> None:
    layer, lock = sources
    before = layer_asset_hash(layer, lock)
    cache = layer / SITE_DIR / "kairos" / "__pycache__"
    cache.mkdir()
    (cache / "routes.cpython-311.pyc").write_bytes(b"compiled on this machine")
    assert layer_asset_hash(layer, lock) == before
    routes = layer / SITE_DIR / "kairos" / "routes.py"
    routes.write_text(routes.read_text() + "\n")
    assert layer_asset_hash(layer, lock) != before


def layer_key(template: Template) -> str:
    """The S3 key the layer's zip is uploaded under: CDK names it after the asset hash."""
    _, layer = kairos_layer(template)
    return str(layer["Properties"]["Content"]["S3Key"])


def unbundled_layer_key(monkeypatch: pytest.MonkeyPatch, inputs_hash: str | None = None) -> str:
    """The layer's S3 key in a stack of its own whose bundling is skipped (nothing is built)."""
    if inputs_hash is not None:
        monkeypatch.setattr(infra.layer, "layer_asset_hash", lambda: inputs_hash)
    app = cdk.App(context={**cdk_context(), "aws:cdk:bundling-stacks": []})
    stack = cdk.Stack(app, "LayerOnly")
    KairosLayer(stack, "Layer")
    return layer_key(Template.from_stack(stack))


def test_the_uploaded_layer_is_named_after_its_inputs_not_after_a_build(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployed key is the same whether or not the layer was built, and changes with the inputs' hash
    alone: CloudFormation sees a new layer exactly when what goes into it changed."""
    assert unbundled_layer_key(monkeypatch) == layer_key(template)
    assert unbundled_layer_key(monkeypatch, "1" * 64) != unbundled_layer_key(monkeypatch, "2" * 64)
