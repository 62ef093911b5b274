"""Handlers of the webhooks area: subscriptions, secret rotation, the delivery log and redelivery."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.container import Container


def webhooks(container: Container) -> dict[str, Handler]:
    def list_(r: Request) -> Response[str]:
        return page_response(r, container.webhooks.page(r.viewer, r.query))

    def create(r: Request) -> Response[str]:
        return json_response(201, container.webhooks.create(r.viewer.project_id, r.json_object()))

    def get(r: Request) -> Response[str]:
        return json_response(200, container.webhooks.get(r.viewer, r.path["webhook"]))

    def replace(r: Request) -> Response[str]:
        return json_response(200, container.webhooks.replace(r.viewer, r.path["webhook"], r.json_object()))

    def patch(r: Request) -> Response[str]:
        return json_response(200, container.webhooks.patch(r.viewer, r.path["webhook"], r.json_object()))

    def delete(r: Request) -> Response[str]:
        container.webhooks.delete(r.viewer.project_id, r.path["webhook"])
        return no_content()

    def rotate(r: Request) -> Response[str]:
        return json_response(200, container.webhooks.rotate(r.viewer.project_id, r.path["webhook"]))

    def deliveries(r: Request) -> Response[str]:
        return page_response(
            r, container.dispatcher.deliveries(r.viewer.project_id, r.path["webhook"], r.query)
        )

    def redeliver(r: Request) -> Response[str]:
        project_id, webhook_id = r.viewer.project_id, r.path["webhook"]
        return json_response(202, container.dispatcher.redeliver(project_id, webhook_id, r.path["delivery"]))

    return {
        "getWebhooks": list_,
        "postWebhook": create,
        "getWebhook": get,
        "putWebhook": replace,
        "patchWebhook": patch,
        "deleteWebhook": delete,
        "rotateWebhookSecret": rotate,
        "getWebhookDeliveries": deliveries,
        "redeliverWebhookDelivery": redeliver,
    }
