"""The shared Lambda layer: the `kairos` package plus its locked dependencies, bundled on this machine.

Bundling runs pip for the Lambda platform (manylinux x86_64 wheels, CPython 3.11) instead of in a Docker
container, so `cdk synth` works where Docker does not (CI, laptops without it). It installs exactly the
files requirements.lock names (hash-checked, no resolution), less what the Lambda runtime provides, so the
result depends neither on the day nor on the build host.

The layer carries bytecode that Python uses whatever the files' dates (unchecked-hash .pyc, compiled by
the build interpreter, which must be the runtime's Python version): Lambda unpacks layers with 1980 dates
and cannot write bytecode, so without it every cold start compiles every module again.

The asset hash is computed from those inputs, not from the source folder: the lock, the package's files
and this module (the build steps). The same hash is the same layer on any machine, and a new pin, source
file or build step is a new layer version."""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

import kairos
from infra import aws_models
from infra.constants import ARCHITECTURE, LAYER_DIR, LOCK_FILE, RUNTIME
from infra.lock import layer_packages, read_lock, requirements
from kairos.api.documents import RENDERED
from kairos.aws_clients import MODELS
from kairos.events.contract import SCHEMAS

PACKAGE = "kairos"
# Lambda adds the layer's `python/` directory to sys.path; what it holds is importable as is.
SITE_DIR = "python"
PIP_OPTIONS = (
    # The wheels must fit the Lambda runtime (CPython of RUNTIME on x86_64 Amazon Linux), not the build host.
    "--platform", "manylinux2014_x86_64",
    "--implementation", "cp",
    "--python-version", RUNTIME.name.removeprefix("python"),
    "--only-binary=:all:",
    # The lock is the resolution: every package is listed, each file is checked against its hash.
    "--no-deps",
    "--require-hashes",
    # pip's bytecode is timestamp-based: Lambda unpacks the layer with the zip's 1980 dates, which
    # invalidates it. The layer is compiled afterwards instead (COMPILE_OPTIONS).
    "--no-compile",
)  # fmt: skip
# Where Lambda mounts the layer's files: the path tracebacks name (and the same on every build machine).
DEPLOYED_SITE = f"/opt/{SITE_DIR}"
# Bytecode that is valid whatever the files' dates (PEP 552 unchecked hash): without it, every cold start
# compiled every module it imported again (about 1 s of a 1.3 s cold import), and could not keep it.
# Lambda's files cannot change under it, so the source need not be checked. Compiled with `-I` (no PYTHON*
# variables): under PYTHONPYCACHEPREFIX (`make test` sets it) the bytecode would land outside the layer.
COMPILE_OPTIONS = ("--invalidation-mode", "unchecked-hash", "-q")
# What pip installs that a function never runs: console scripts and type stubs.
PRUNED = ("bin", "*-stubs", "**/*.pyi")
# CDK requires an image even when local bundling succeeds; this one is never pulled (see try_bundle).
UNUSED_IMAGE = "unused-local-bundling"


def package_files(source: Path = LAYER_DIR) -> Iterator[Path]:
    """The kairos package's files (no bytecode), in a stable order."""
    root = source / SITE_DIR / PACKAGE
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def layer_asset_hash(source: Path = LAYER_DIR, lock: Path = LOCK_FILE) -> str:
    """The hash of everything the layer is built from: the requirements it installs (from the lock), the
    pip options, the build steps (this module and the models' writer; the models come from the lock's
    botocore) and the package's files, each with its path."""
    digest = hashlib.sha256()
    digest.update(requirements(read_lock(lock).values()).encode())
    digest.update("\0".join(PIP_OPTIONS).encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(aws_models.__file__).read_bytes())
    for path in package_files(source):
        digest.update(f"\0{path.relative_to(source).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """Builds the layer directory with the running interpreter's pip (no Docker)."""

    def __init__(self, source: Path, lock: Path) -> None:
        self._source = source
        self._lock = lock

    def try_bundle(self, output_dir: str, *, image: DockerImage, **docker_options: Any) -> bool:
        """Installs the locked packages into `<output>/python`, prunes them, copies the package next to
        them with the AWS models its clients load and its rendered documents, and compiles it all.
        Returns True (bundled): a failure raises instead, so CDK never falls back to Docker."""
        del image, docker_options  # the Docker settings do not apply to a local build
        running = f"python{sys.version_info.major}.{sys.version_info.minor}"
        if running != RUNTIME.name:
            raise RuntimeError(f"the layer's bytecode needs {RUNTIME.name} to compile it, not {running}")
        site = Path(output_dir) / SITE_DIR
        with tempfile.TemporaryDirectory() as work:
            listed = Path(work) / "requirements.txt"
            listed.write_text(requirements(layer_packages(read_lock(self._lock))))
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "-r", str(listed), "--target", str(site),
                 *PIP_OPTIONS, "--quiet"],
                check=True,
            )  # fmt: skip
        for pattern in PRUNED:
            for path in list(site.glob(pattern)):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        for path in package_files(self._source):
            target = site / path.relative_to(self._source / SITE_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        aws_models.write_models(_in_site(site, MODELS))
        _render_documents(site)
        subprocess.run(
            [sys.executable, "-I", "-m", "compileall", *COMPILE_OPTIONS, "-s", str(site), "-p", DEPLOYED_SITE,
             str(site)],
            check=True,
        )  # fmt: skip
        return True


def _render_documents(site: Path) -> None:
    """The OpenAPI documents (`kairos.api.documents`) and the events' schemas the stream mapper checks
    envelopes against (`kairos.events.contract`), rendered by the layer's own package and packages (no
    bytecode written: the layer's is compiled after)."""
    target, schemas = str(_in_site(site, RENDERED)), str(_in_site(site, SCHEMAS))
    code = (
        "import pathlib, kairos.api.documents as d, kairos.events.contract as c;"
        f" d.write_documents(pathlib.Path({target!r})); c.write_schemas(pathlib.Path({schemas!r}))"
    )
    subprocess.run(
        [sys.executable, "-B", "-c", code], env={**os.environ, "PYTHONPATH": str(site)}, check=True
    )


def _in_site(site: Path, path: Path) -> Path:
    """Where the layer holds `path`, a path inside the kairos package."""
    return site / path.relative_to(Path(kairos.__file__).parents[1])


class KairosLayer(Construct):
    """One layer for all functions, so each function's own asset is just its small handler module."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self,
            "Resource",
            code=lambda_.Code.from_asset(
                str(LAYER_DIR),
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=layer_asset_hash(),
                bundling=BundlingOptions(
                    image=DockerImage.from_registry(UNUSED_IMAGE),
                    local=LocalPipBundling(LAYER_DIR, LOCK_FILE),
                ),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="The kairos package and its locked dependencies (requirements.lock), less boto3 "
            "and what it requires: the Lambda runtime's own AWS SDK is used.",
        )
