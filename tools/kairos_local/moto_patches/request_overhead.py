"""Work moto repeats on every request for the same answer, done once.

- `moto.backends.list_of_moto_modules()` lists moto's package folder (a `stat` per service) each time the
  server looks for the service a request is for: the list never changes while moto runs;
- EventBridge compiles the JSONPath of a target's input paths (a parser generated anew) for every event it
  delivers: the same few expressions each time, and a compiled expression is a pure value;
- DynamoDB tokenizes and parses an UpdateExpression (twice per UpdateItem) into a tree that it never
  changes (its validator works on a deep copy): an application sends the same few expressions, with the
  values apart, so each distinct expression is parsed once.
"""

import functools
from typing import Any

from kairos_local.moto_patches.registry import Replace


def install(replace: Replace) -> None:
    import jsonpath_ng.ext
    from moto import backends
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

    listed = backends.list_of_moto_modules
    modules = functools.cache(lambda: list(listed()))
    compiled = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)  # type: ignore[attr-defined]

    def list_of_moto_modules() -> Any:
        return iter(modules())

    replace(backends, "list_of_moto_modules", list_of_moto_modules)
    replace(jsonpath_ng.ext, "parse", compiled)
    parse_update = functools.lru_cache(maxsize=512)(UpdateExpressionParser.__dict__["make"].__func__)

    def make(cls: Any, expression: str) -> Any:
        return parse_update(cls, expression)

    replace(UpdateExpressionParser, "make", classmethod(make))
