"""The layer bundler really builds the layer (pip for the Lambda platform, then the kairos package), with
no Docker. It downloads wheels from PyPI, so it is the one infra test that needs the network."""

from pathlib import Path

import pytest
from aws_cdk import DockerImage

from infra.constants import LAYER_DIR
from infra.layer import UNUSED_IMAGE, LocalPipBundling

pytestmark = pytest.mark.xdist_group("infra")


def test_local_bundling_puts_the_package_and_its_linux_wheels_under_python(tmp_path: Path) -> None:
    bundled = LocalPipBundling(LAYER_DIR).try_bundle(
        str(tmp_path), image=DockerImage.from_registry(UNUSED_IMAGE)
    )

    site = tmp_path / "python"
    assert bundled is True
    assert (site / "kairos" / "routes.py").is_file()
    assert (site / "kairos" / "storage" / "table_definition.py").is_file()
    assert not list((site / "kairos").rglob("__pycache__"))
    assert (site / "pydantic" / "__init__.py").is_file()
    assert (site / "aws_lambda_powertools" / "__init__.py").is_file()
    assert list((site / "pydantic_core").glob("*.cpython-311-x86_64-linux-gnu.so")), "Lambda's platform wheel"
