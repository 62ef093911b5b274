"""DynamoDB requests read with `json.loads`, not moto's generic request parser.

moto 5.2 reads every request by walking botocore's shape model value by value (each attribute value of
each item a structure of its own), for about a sixth of the store's CPU under load. A DynamoDB request is
JSON whose values need no conversion: the parser only turns blobs into bytes and leaves out members that
are null, and an SDK sends no nulls. So a request without binary values (`"B"` or `"BS"` as a key: the
only blobs of the data operations) is read as the JSON it is; one that has them, or any other operation,
goes the usual way. The tests run the same workload, binary values included, with and without the patch.
"""

import json
import re
from typing import Any

from kairos_local.moto_patches.item_responses import OPERATIONS  # the data operations, both ways
from kairos_local.moto_patches.registry import Replace

BINARY = re.compile(rb'"BS?"\s*:')  # may also match inside a string: then the slow path, still right


def plain(action: str | None, body: bytes | str) -> dict[str, Any] | None:
    """The request's parameters, when they are its JSON as it stands; None when moto must parse them."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if action not in OPERATIONS or not data or BINARY.search(data):
        return None
    parsed = json.loads(data)
    return parsed if isinstance(parsed, dict) else None


def install(replace: Replace) -> None:
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.parse_parameters

    def parse_parameters(self: Any, request: Any) -> None:
        parsed = plain(self._get_action(), request.data)
        if parsed is None:
            original(self, request)
        else:
            self.params = parsed

    replace(DynamoHandler, "parse_parameters", parse_parameters)
