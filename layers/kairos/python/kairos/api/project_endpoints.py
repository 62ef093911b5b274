"""Handlers of the project area: the caller's project, its usage, and the OpenAPI document."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.documents import document_response
from kairos.api.http import Request, json_response
from kairos.api.usage_endpoints import usage
from kairos.container import Container
from kairos.domain.projects.projects import render_project


def project(container: Container) -> dict[str, Handler]:
    def get_project(r: Request) -> Response[str]:
        return json_response(200, render_project(r.viewer.project))

    def get_openapi(_: Request) -> Response[str]:
        return document_response("openapi.json")

    return {"getYourProject": get_project, "getOpenApiDocument": get_openapi, **usage(container)}
