"""Reading a JSON request body: the one place every route's body goes through, so no body can reach a
handler that the rest of Kairos cannot store, render or send on (docs/api.md, "limits").

In order: a body over MAX_BODY_BYTES is a 413; a non-empty body whose Content-Type is not JSON a 415;
bytes that are not UTF-8, text that is not JSON, and JSON that is not an object a 400; nesting deeper than
MAX_DEPTH (checked before parsing, so the parser never recurses that far), numbers that are not finite
(`NaN`, `Infinity`, `1e400`: strict JSON has no such values, so storing one would make every later list
of the project invalid JSON) and text with NUL characters or unpaired surrogates a 422 naming the field.

The API's bodies (not the admin API's) are read as a Laravel-backed API reads PHP clients' JSON: PHP encodes
an empty array and an empty object alike as `[]` (the Hapio PHP SDK sends `new Location([])` and an empty
patch that way, and a fetched entity's `{}` metadata comes back as `[]`), so an empty array is `{}` where
the API wants an object: the body itself and `OBJECT_FIELDS` wherever they are (a group's bookings too).
A non-empty array stays an error. The OpenAPI document says so (`kairos.api.openapi_bodies`).
"""

import base64
import binascii
import json
import math
import re
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from kairos.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32  # the body object is level 1
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# The fields every body may carry that hold a JSON object (metadata is any object, so `{}` is valid there).
OBJECT_FIELDS = ("metadata", "protected_metadata")


class _NonFinite:
    """Stands in for a number that is not finite until the walk reports where it was."""


_NON_FINITE = _NonFinite()


def json_body(
    raw: str | None, is_base64: bool, content_type: str | None, *, php_arrays: bool = False
) -> dict[str, Any]:
    """The body as a JSON object; an empty body (no bytes at all) is `{}`, so required fields get their
    422 and an empty PATCH changes nothing. With `php_arrays`, PHP's `[]` is read as `{}` (above)."""
    data = _bytes(raw or "", is_base64)
    if len(data) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body must not be larger than {MAX_BODY_BYTES} bytes.")
    if not data:
        return {}
    if not is_json_media_type(content_type):
        raise UnsupportedMediaType("The request body must be JSON, sent as Content-Type: application/json.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The request body is not valid UTF-8.") from None
    if _depth(text) > MAX_DEPTH:
        raise ValidationFailed.field("body", f"The body must not nest more than {MAX_DEPTH} levels deep.")
    try:
        value = json.loads(text, parse_constant=lambda _: _NON_FINITE, parse_float=_finite_or_marked)
    except ValueError:
        raise BadRequest("The request body is not valid JSON.") from None
    if php_arrays:
        value = _php_objects(value)
    if not isinstance(value, dict):
        raise BadRequest("The request body must be a JSON object.")
    errors: dict[str, list[str]] = {}
    for path, problem in _problems(value, ""):
        field = path or "body"
        message = f"The {field} field {problem}."
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    if errors:
        raise ValidationFailed(errors)
    return value


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json` or a `+json` type such as `application/merge-patch+json`, any parameters."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _php_objects(value: Any) -> Any:
    """`[]` as `{}` for the body and its OBJECT_FIELDS; what those fields hold is the client's, untouched."""
    if value == []:
        return {}
    if isinstance(value, dict):
        return {
            key: ({} if item == [] else item) if key in OBJECT_FIELDS else _php_nested(item)
            for key, item in value.items()
        }
    return value


def _php_nested(value: Any) -> Any:
    """Inside the body, an empty array is a list (`bookings: []`); objects in lists are looked into."""
    if isinstance(value, list):
        return [_php_objects(item) if isinstance(item, dict) else item for item in value]
    return _php_objects(value) if isinstance(value, dict) else value


def _bytes(raw: str, is_base64: bool) -> bytes:
    if not is_base64:
        return raw.encode("utf-8", "surrogatepass")  # decoded strictly later: a lone surrogate is a 400
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise BadRequest("The request body is not valid base64.") from None


def _depth(text: str) -> int:
    """How deep the brackets outside strings nest (malformed text is left to the parser)."""
    brackets = _BRACKET.findall(_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _finite_or_marked(text: str) -> float | _NonFinite:
    number = float(text)
    return number if math.isfinite(number) else _NON_FINITE


def _problems(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field, message) for each value Kairos refuses to keep, with Laravel's dotted field names."""
    if value is _NON_FINITE:
        yield path, "must be a finite number"
    elif isinstance(value, str):
        yield from ((path, problem) for problem in _text_problems(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from ((path, problem) for problem in _text_problems(key))
            yield from _problems(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _problems(item, f"{path}.{index}" if path else str(index))


def _text_problems(text: str) -> Iterator[str]:
    if "\x00" in text:
        yield "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        yield "must be valid Unicode text (no unpaired surrogates)"
