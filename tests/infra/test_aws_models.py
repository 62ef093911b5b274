"""The AWS models the layer carries (infra/aws_models.py, read by `kairos.aws_clients`): a client made from
them has what one made from botocore's own data has (every operation and shape, every endpoint), and a
process in the deployed layout makes its clients from them."""

from pathlib import Path

import botocore.session
import pytest
from botocore.loaders import Loader
from botocore.regions import EndpointResolver

from infra.aws_models import without_documentation, write_models
from kairos import aws_clients
from kairos.aws_clients import SERVICES, LayerModels


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("aws_models")
    write_models(target)
    return target


def test_each_service_has_botocores_model_less_its_documentation(models: Path) -> None:
    own, layer = Loader(), LayerModels(extra_search_paths=[str(models)])
    assert layer.list_available_services("service-2") == list(SERVICES)
    for service in SERVICES:
        version = own.determine_latest_version(service, "service-2")
        for kind in ("service-2", "endpoint-rule-set-1"):
            expected = own.load_service_model(service, kind, version)
            shipped = layer.load_service_model(service, kind, version)
            assert shipped == (without_documentation(expected) if kind == "service-2" else expected)


def test_every_endpoint_of_the_services_resolves_as_with_botocores_data(models: Path) -> None:
    full = EndpointResolver(Loader().load_data("endpoints"))
    kept = EndpointResolver(LayerModels(extra_search_paths=[str(models)]).load_data("endpoints"))
    for service in SERVICES:
        prefix = Loader().load_service_model(service, "service-2")["metadata"]["endpointPrefix"]
        assert full.get_available_endpoints(prefix)  # the commercial partition's regions at least
        for partition in full.get_available_partitions():
            regions = full.get_available_endpoints(prefix, partition)
            assert kept.get_available_endpoints(prefix, partition) == regions
            for region in regions:
                assert kept.construct_endpoint(prefix, region) == full.construct_endpoint(prefix, region)


def test_the_process_session_reads_the_layers_models_when_the_layer_has_them(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aws_clients, "MODELS", models)
    aws_clients._session.cache_clear()
    try:
        loader = aws_clients._session()._session.get_component("data_loader")
        assert isinstance(loader, LayerModels) and loader.search_paths[0] == str(models)
        for service in SERVICES:
            made = aws_clients.client(service, region_name="eu-central-1")
            own = botocore.session.get_session().create_client(service, region_name="eu-central-1")
            assert made.meta.endpoint_url == own.meta.endpoint_url
            assert made.meta.service_model.operation_names == own.meta.service_model.operation_names
            assert made.meta.service_model.documentation == ""  # from the layer's model
    finally:
        aws_clients._session.cache_clear()
