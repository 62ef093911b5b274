"""The DynamoDB client's response parser: the answer to a DynamoDB request is JSON whose attribute values are
already the typed form the stores read (`{"S": ...}`, `{"N": "12"}`), so `json.loads` in C gives what
botocore's parser gives after walking the output's model over every attribute value of every item (a
52-week series reads some 500 ledger and timeline items): most of the client's CPU on its reads.

The result is exactly botocore's (`tests/unit/test_dynamodb_responses.py` compares them over the answers
the stores receive and over items of every attribute type): blobs (`B`, `BS`: the only values these
outputs hold that botocore converts, found by `json.loads`' object hook, since a map's values are always
attribute values and so never a bare string or list) base64-decoded to bytes, and only the output's own
members kept at its top level. Only the successful answers of the operations the stores send
(`dynamodb_requests.OPERATIONS`) take this path; errors (a transaction's cancellation reasons), every other
operation, and a client whose parser is not botocore's plain JSON one keep botocore's."""

import base64
import json
from typing import Any, cast

from botocore.model import Shape, StructureShape
from botocore.parsers import JSONParser, ResponseParserFactory

from kairos.storage.dynamodb_requests import OPERATIONS

OUTPUTS = frozenset(f"{operation}Output" for operation in OPERATIONS)


class JsonResponses(JSONParser):
    """botocore's JSON parser, reading the `OUTPUTS` with `json.loads` alone."""

    def _do_parse(self, response: dict[str, Any], shape: Shape | None) -> dict[str, Any]:
        if shape is None or shape.name not in OUTPUTS or shape.event_stream_name:
            parsed: dict[str, Any] = super()._do_parse(response, shape)  # type: ignore[misc]
            return parsed
        body = response["body"]
        found = json.loads(body, object_hook=_blobs if _may_hold_blobs(body) else None) if body else {}
        members = cast(StructureShape, shape).members
        parsed = {name: value for name, value in found.items() if name in members and value is not None}
        self._inject_response_metadata(parsed, response["headers"])  # type: ignore[attr-defined]
        return parsed


class JsonResponsesFactory(ResponseParserFactory):
    """Makes `JsonResponses` for the JSON protocol (DynamoDB's), botocore's parsers for any other."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return JsonResponses()
        return super().create_parser(protocol_name)


def install(client: Any) -> None:
    """Gives the client this parser, if its endpoint makes botocore's own parsers (private attributes: a
    botocore that names them otherwise keeps its own) for a JSON service."""
    endpoint = getattr(client, "_endpoint", None)
    factory = getattr(endpoint, "_response_parser_factory", None)
    plain = type(factory) is ResponseParserFactory and not getattr(factory, "_defaults", None)
    if plain and client.meta.service_model.protocol == "json":
        endpoint._response_parser_factory = JsonResponsesFactory()  # type: ignore[union-attr]


def _may_hold_blobs(body: bytes) -> bool:
    """Whether an answer may hold a blob: it names a member `B` or `BS`, or escapes a character (as it
    might a letter of those names). Most hold none, and need no hook called on each of their objects."""
    return b'"B"' in body or b'"BS"' in body or b"\\u" in body


def _blobs(found: dict[str, Any]) -> dict[str, Any]:
    """A blob attribute value decoded as botocore decodes it; any other object as it is."""
    if len(found) == 1:
        if type(blob := found.get("B")) is str:
            return {"B": base64.b64decode(blob)}
        if type(blobs := found.get("BS")) is list:
            return {"BS": [base64.b64decode(b) for b in blobs]}
    return found
