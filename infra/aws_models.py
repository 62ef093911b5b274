"""The AWS service models the layer carries (`kairos.aws_clients.MODELS`), written from the build
interpreter's botocore (the lock's version, the runtime's): each service's model less its documentation and
its endpoint rules, botocore's endpoint data less the services no function calls, and the small files
every client reads. A client made from them has the same operations, shapes and endpoints as one made from
botocore's own data (tests/infra/test_aws_models.py), for a fraction of the parsing at a cold start."""

import json
from pathlib import Path
from typing import Any

from botocore.loaders import Loader

from kairos.aws_clients import SERVICES

UNDOCUMENTED = ("documentation", "documentationUrl")  # text for people, never read by a client
SHARED_FILES = ("partitions", "_retry", "sdk-default-configuration")  # read as they are, small


def without_documentation(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_documentation(v) for k, v in value.items() if k not in UNDOCUMENTED}
    if isinstance(value, list):
        return [without_documentation(v) for v in value]
    return value


def write_models(target: Path) -> None:
    """`target/<service>/<api version>/{service-2,endpoint-rule-set-1}.json` for every service of
    SERVICES, and `target/endpoints.json` holding only their endpoint prefixes."""
    botocore_data = Loader()
    prefixes = set()
    for service in SERVICES:
        version = botocore_data.determine_latest_version(service, "service-2")
        folder = target / service / version
        folder.mkdir(parents=True, exist_ok=True)
        model = botocore_data.load_service_model(service, "service-2", version)
        prefixes.add(model["metadata"]["endpointPrefix"])
        _write(folder / "service-2.json", without_documentation(model))
        rules = botocore_data.load_service_model(service, "endpoint-rule-set-1", version)
        _write(folder / "endpoint-rule-set-1.json", rules)
    endpoints = botocore_data.load_data("endpoints")
    for partition in endpoints["partitions"]:
        partition["services"] = {k: v for k, v in partition["services"].items() if k in prefixes}
    _write(target / "endpoints.json", endpoints)
    for name in SHARED_FILES:
        _write(target / f"{name}.json", botocore_data.load_data(name))


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, separators=(",", ":")))  # in botocore's order
