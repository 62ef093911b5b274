"""Each function instance's resolver answers the request it was given. Powertools keeps the event being
resolved on its `BaseRouter` class, one slot for the whole process; the local server runs function
instances in threads of one process, so a thread switch between one instance setting its event and
routing it let another instance's request take the slot (kairos/api/resolver.py). The switch is made
here at that very point: one instance resolves another project's request in between."""

import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from kairos.api import resolver
from kairos.api.app import build_app
from kairos.api.catalogue_endpoints import resources
from kairos.container import Container
from kairos.domain.catalogue.catalogue import RESOURCE
from kairos.routes import Area, match
from kairos_local.lambda_runtime import LambdaContext, proxy_event


def listing(token: str) -> dict[str, Any]:
    route, _ = match("GET", "/v1/resources")
    return proxy_event(
        method="GET", path="/v1/resources", query="", headers=[("Authorization", f"Bearer {token}")],
        body=b"", route=route, path_parameters={}, source_ip="203.0.113.9",
    )  # fmt: skip


def names(answer: dict[str, Any]) -> list[str]:
    assert answer["statusCode"] == 200, answer
    return [resource["name"] for resource in json.loads(answer["body"])["data"]]


def test_a_request_is_answered_for_its_own_caller_when_another_is_resolved_meanwhile(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = []
    for clinic in ("Ours", "Theirs"):
        project = container.projects.create_project(clinic, rate_limit=10_000)
        _, token = container.projects.create_token(project.id, "all", None)
        container.catalogue.create(container.auth.authenticate(f"Bearer {token}"), RESOURCE, {"name": clinic})
        tokens.append(token)
    ours, theirs = (build_app(Area.RESOURCES, resources(container), container) for _ in range(2))
    routed = APIGatewayRestResolver._resolve
    answers: list[dict[str, Any]] = []

    def switched(app: APIGatewayRestResolver) -> Any:
        if app is ours and not answers:  # our event is set: the other instance runs before we route it
            answers.append(theirs.resolve(listing(tokens[1]), LambdaContext("kairos-resources", "2")))
        return routed(app)

    monkeypatch.setattr(APIGatewayRestResolver, "_resolve", switched)
    answer = ours.resolve(listing(tokens[0]), LambdaContext("kairos-resources", "1"))  # type: ignore[arg-type]
    assert names(answer) == ["Ours"]
    assert names(answers[0]) == ["Theirs"]


def test_every_function_builds_its_resolver_as_one_that_keeps_its_own_event() -> None:
    package = Path(resolver.__file__).parent.parent
    made = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "APIGatewayRestResolver(" in path.read_text()
    ]
    assert made == [], "build an OwnEventResolver (kairos/api/resolver.py) instead"
