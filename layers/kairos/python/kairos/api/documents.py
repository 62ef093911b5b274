"""The OpenAPI documents as the layer's build rendered them: building one walks every route and renders
the JSON schema of every body model (pydantic), over a second of CPU for the Portal's at a cold start,
and its text is the same until the package changes, which makes a new layer. The build writes each to
`RENDERED` (`write_documents`, run by `infra/layer.py` from the built layer itself); a function serves
the file. Run from the source tree (the local server, the tests) there is no file and the document is
built at its first request, as before."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response

from kairos.api.http import json_response, json_text, text_response

RENDERED = Path(__file__).with_name("rendered")  # in the layer only


def _public() -> dict[str, Any]:
    from kairos.api.openapi import openapi_document  # only the route that serves it pays for its modules

    return openapi_document()


def _portal() -> dict[str, Any]:
    from kairos.api.portal_openapi import portal_openapi_document

    return portal_openapi_document()


DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {"openapi.json": _public, "portal-openapi.json": _portal}


def document_response(name: str) -> Response[str]:
    """The document `name` of DOCUMENTS: the rendered file's text, the same as `json_response` writes."""
    rendered = RENDERED / name
    if rendered.is_file():
        return text_response(rendered.read_text(encoding="utf-8"))
    return json_response(200, DOCUMENTS[name]())


def write_documents(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, build in DOCUMENTS.items():
        (target / name).write_text(json_text(build()), encoding="utf-8")
