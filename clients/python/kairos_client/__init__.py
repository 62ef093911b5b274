"""A Python client for Kairos and Hapio: the same API, so the base URL is the only difference.

    from kairos_client import Client
    client = Client("http://127.0.0.1:8080/v1", token)      # or "https://eu-central-1.hapio.net/v1"
    location = client.post_location(body={"name": "Clinic", "time_zone": "Europe/Stockholm",
                                          "resource_selection_strategy": "equalize"})

One method per operation of the API's OpenAPI document, named after its operationId in snake_case
(`kairos_client.operations`, generated), `paginate` over any list, and `AsyncClient` with the same methods.
"""

from kairos_client import models
from kairos_client.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    KairosClientError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from kairos_client.operations import OPERATIONS, AsyncOperations, SyncOperations
from kairos_client.transport import Page
from kairos_client.types import IsoDuration
from kairos_client.webhooks import WebhookSignatureError, verify_webhook


class Client(SyncOperations):
    """The synchronous client (httpx): `Client(base_url, token, timeout=30, max_retries=3)`."""


class AsyncClient(AsyncOperations):
    """The asynchronous client (httpx): the same methods, awaited."""


__all__ = [
    "OPERATIONS",
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "IsoDuration",
    "KairosClientError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "ValidationError",
    "WebhookSignatureError",
    "models",
    "verify_webhook",
]
