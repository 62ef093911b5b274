"""The AWS clients of `kairos.aws_clients`: each request carries the User-Agent header botocore builds for it
(the client keeps the texts it built, one per set of features a call used, instead of building it twice
a request)."""

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.useragent import UserAgentString

from kairos import aws_clients

QUERY = {
    "TableName": "t",
    "KeyConditionExpression": "PK = :p",
    "ExpressionAttributeValues": {":p": {"S": "x"}},
}


class _Raw:
    def stream(self, **_: Any) -> Any:
        yield b'{"Items": [], "Count": 0, "ScannedCount": 0}'


def sent_user_agents(client: Any) -> list[str]:
    """The User-Agent of each request of a few calls (3 queries, a paginator's), answered here, not sent."""
    sent: list[str] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        sent.append(request.headers["User-Agent"].decode())
        return AWSResponse(request.url, 200, {}, _Raw())

    client.meta.events.register_first("before-send", answer)
    for _ in range(3):
        client.query(**QUERY)
    list(client.get_paginator("query").paginate(**QUERY))  # a paginator's call has a feature of its own
    return sent


def made(keep: bool) -> Any:
    settings = {"region_name": "eu-central-1", "endpoint_url": "http://127.0.0.1:1"}
    keys = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}
    if keep:
        return aws_clients.client("dynamodb", **settings, **keys)
    return aws_clients._session().client("dynamodb", **settings, **keys)  # botocore's builder, as it is


def test_every_request_carries_the_user_agent_botocore_builds_and_it_is_built_once_per_features(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain_client, kept_client = made(keep=False), made(keep=True)
    builds: list[int] = []
    build = UserAgentString.to_string

    def counted(self: UserAgentString) -> str:
        builds.append(1)
        return build(self)

    monkeypatch.setattr(UserAgentString, "to_string", counted)
    plain = sent_user_agents(plain_client)
    built_plainly = len(builds)
    kept = sent_user_agents(kept_client)

    assert kept == plain
    assert plain[0] != plain[3]  # the paginator's feature is in its header
    assert built_plainly == 2 * len(plain)  # botocore: twice a request
    assert len(builds) - built_plainly == 2  # kept: once for each set of features
