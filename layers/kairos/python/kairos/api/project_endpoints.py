"""Handlers of the project area: the caller's project, its usage, and the OpenAPI document."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response
from kairos.api.usage_endpoints import usage
from kairos.container import Container
from kairos.domain.projects.projects import render_project


def project(container: Container) -> dict[str, Handler]:
    def get_project(r: Request) -> Response[str]:
        return json_response(200, render_project(r.viewer.project))

    def get_openapi(_: Request) -> Response[str]:
        from kairos.api.openapi import openapi_document  # only this route pays for building the document

        return json_response(200, openapi_document())

    return {"getYourProject": get_project, "getOpenApiDocument": get_openapi, **usage(container)}
