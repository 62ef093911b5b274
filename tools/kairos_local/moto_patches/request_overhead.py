"""Work moto repeats on every request for the same answer, done once.

- `moto.backends.list_of_moto_modules()` lists moto's package folder (a `stat` per service) each time the
  server looks for the service a request is for: the list never changes while moto runs;
- EventBridge compiles the JSONPath of a target's input paths (a parser generated anew) for every event it
  delivers: the same few expressions each time, and a compiled expression is a pure value.
"""

import functools
from typing import Any

from kairos_local.moto_patches.registry import Replace


def install(replace: Replace) -> None:
    import jsonpath_ng.ext
    from moto import backends

    listed = backends.list_of_moto_modules
    modules = functools.cache(lambda: list(listed()))
    compiled = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)  # type: ignore[attr-defined]

    def list_of_moto_modules() -> Any:
        return iter(modules())

    replace(backends, "list_of_moto_modules", list_of_moto_modules)
    replace(jsonpath_ng.ext, "parse", compiled)
