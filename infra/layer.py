"""The shared Lambda layer: the `kairos` package plus its pinned dependencies, bundled on this machine.

Bundling runs pip for the Lambda platform (manylinux x86_64 wheels, CPython 3.11) instead of in a Docker
container, so `cdk synth` works where Docker does not (CI, laptops without it). Only wheels are accepted, so
the result does not depend on the build host's compilers or OS."""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constants import ARCHITECTURE, LAYER_DIR, RUNTIME, SOURCE_EXCLUDES

REQUIREMENTS_FILE = "requirements.txt"
PACKAGE = "kairos"
# Lambda adds the layer's `python/` directory to sys.path; what it holds is importable as is.
SITE_DIR = "python"
# The wheels must fit the Lambda runtime (CPython of RUNTIME on x86_64 Amazon Linux), not the build host.
PIP_PLATFORM = (
    "--platform", "manylinux2014_x86_64",
    "--implementation", "cp",
    "--python-version", RUNTIME.name.removeprefix("python"),
)  # fmt: skip
# CDK requires an image even when local bundling succeeds; this one is never pulled (see try_bundle).
UNUSED_IMAGE = "unused-local-bundling"


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """Builds the layer directory with the running interpreter's pip (no Docker)."""

    def __init__(self, source: Path) -> None:
        self._source = source

    def try_bundle(self, output_dir: str, *, image: DockerImage, **docker_options: Any) -> bool:
        """Installs the requirements into `<output>/python` and copies the package next to them. Returns
        True (bundled): a pip failure raises instead, so CDK never falls back to Docker silently."""
        del image, docker_options  # the Docker settings do not apply to a local build
        site = Path(output_dir) / SITE_DIR
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install",
                "-r", str(self._source / REQUIREMENTS_FILE),
                "--target", str(site),
                *PIP_PLATFORM,
                "--only-binary=:all:",
                "--quiet",
            ],
            check=True,
        )  # fmt: skip
        shutil.copytree(
            self._source / SITE_DIR / PACKAGE,
            site / PACKAGE,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        return True


class KairosLayer(Construct):
    """One layer for all functions, so each function's own asset is just its small handler module."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self,
            "Resource",
            code=lambda_.Code.from_asset(
                str(LAYER_DIR),
                exclude=SOURCE_EXCLUDES,
                bundling=BundlingOptions(
                    image=DockerImage.from_registry(UNUSED_IMAGE),
                    local=LocalPipBundling(LAYER_DIR),
                ),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="The kairos package, aws-lambda-powertools and pydantic (boto3 comes with Lambda).",
        )
