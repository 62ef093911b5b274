"""The usage handler of the project area: GET /v1/project/usage."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response
from kairos.container import Container


def usage(container: Container) -> dict[str, Handler]:
    report = container.usage_report

    def get_usage(r: Request) -> Response[str]:
        return json_response(200, report.report(r.viewer.project, r.query))

    return {"getYourProjectUsage": get_usage}
