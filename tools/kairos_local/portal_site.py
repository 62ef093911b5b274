"""The Portal web app on the local server's port: `GET`/`HEAD` of any path outside the API (`/v1`) and the
admin API (`/portal`) is answered from the built app (`web/dist`, which `make install` builds): a file when
there is one, else `index.html`, so the app's own paths and the mails' links (`/verify?token=...`) open it.
A missing file with an extension (`/assets/gone.js`) is a 404, not the page.

`/config.json` is the app's settings, as the deployed stack writes them into the site's bucket: the API
and admin API bases (on the address the browser used, so `localhost` and `127.0.0.1` both work), the
region and the local user pool and its app client."""

import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from kairos.portal.routes import is_portal_path
from kairos.portal.site_config import CONFIG_FILE, site_config
from kairos.routes import API_PREFIX

WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
CONFIG_PATH = f"/{CONFIG_FILE}"
HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
IMMUTABLE = "public, max-age=31536000, immutable"  # /assets/ names carry their content's hash
NOT_BUILT = (
    b"<!doctype html><title>Kairos Portal</title><h1>The Portal is not built</h1>"
    b"<p><code>make install</code> (or <code>make dev</code>) builds it into <code>web/dist</code>.</p>"
)


@dataclass(frozen=True)
class SiteAnswer:
    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class PortalSite:
    region: str
    user_pool_id: str
    user_pool_client_id: str
    default_host: str  # host:port of the server, for a request without a usable Host header
    dist: Path = field(default=WEB_DIST)

    def serves(self, method: str, path: str) -> bool:
        api = path == API_PREFIX or path.startswith(API_PREFIX + "/")
        return method in ("GET", "HEAD") and not api and not is_portal_path(path)

    def answer(self, path: str, host: str | None) -> SiteAnswer:
        if path == CONFIG_PATH:
            return _json(self.config(host))
        if not (self.dist / "index.html").is_file():
            return SiteAnswer(503, {"content-type": "text/html; charset=utf-8"}, NOT_BUILT)
        found = self._file(path)
        if found is not None:
            cache = IMMUTABLE if path.startswith("/assets/") else "no-cache"
            return _file(found, cache)
        if PurePosixPath(path).suffix:
            return SiteAnswer(404, {"content-type": "text/plain; charset=utf-8"}, b"Not found\n")
        return _file(self.dist / "index.html", "no-cache")

    def config(self, host: str | None) -> dict[str, str]:
        base = f"http://{host if host and HOST.fullmatch(host) else self.default_host}"
        return site_config(base, self.region, self.user_pool_id, self.user_pool_client_id)

    def _file(self, path: str) -> Path | None:
        """The file under `dist` the path names; None for a folder, a missing file or a way out of `dist`."""
        root = self.dist.resolve()
        candidate = (root / unquote(path).lstrip("/")).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate


def _json(body: dict[str, str]) -> SiteAnswer:
    headers = {"content-type": "application/json", "cache-control": "no-cache"}
    return SiteAnswer(200, headers, json.dumps(body).encode())


def _file(path: Path, cache: str) -> SiteAnswer:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json"):
        kind += "; charset=utf-8"
    headers = {"content-type": kind, "cache-control": cache, "x-content-type-options": "nosniff"}
    return SiteAnswer(200, headers, path.read_bytes())
