"""The Portal web app on the local server's port: `GET`/`HEAD` of any path outside the API (`/v1`) and the
admin API (`/portal`) is answered from the built app (`web/dist`, which `make install` builds): a file when
there is one, else `index.html`, so the app's own paths and the mails' links (`/verify?token=...`) open it.
A missing file with an extension (`/assets/gone.js`) is a 404, not the page.

`/config.json` is the app's settings, as the deployed stack writes them into the site's bucket: the API
and admin API bases on the server's configured address (`KAIROS_PORTAL_URL`, else `http://<host>:<port>`;
never the request's Host header, which anyone can write), the region and the local user pool and its app
client. A page asked for under another name (`localhost` for `127.0.0.1`) is redirected to that address,
so the app's calls stay on its own origin, the one the admin API answers CORS for.

Every answer carries the deployed site's security headers (`kairos.portal.site_headers`)."""

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from kairos.portal.routes import is_portal_path
from kairos.portal.site_config import CONFIG_FILE, site_config
from kairos.portal.site_headers import security_headers
from kairos.routes import API_PREFIX

WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
CONFIG_PATH = f"/{CONFIG_FILE}"
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
    address: str  # where browsers reach this server: http://127.0.0.1:8080
    dist: Path = field(default=WEB_DIST)

    def serves(self, method: str, path: str) -> bool:
        api = path == API_PREFIX or path.startswith(API_PREFIX + "/")
        return method in ("GET", "HEAD") and not api and not is_portal_path(path)

    def answer(self, target: str, host: str | None) -> SiteAnswer:
        """The answer to a GET of `target` (path and query) sent with this Host header."""
        address = urlsplit(self.address)
        found = self._answer(target, host, address.netloc)
        headers = security_headers(f"{address.scheme}://{address.netloc}", https=address.scheme == "https")
        return SiteAnswer(found.status, {**found.headers, **headers}, found.body)

    def _answer(self, target: str, host: str | None, netloc: str) -> SiteAnswer:
        path = target.partition("?")[0]
        if host is not None and host.lower() != netloc.lower() and path != CONFIG_PATH:
            return SiteAnswer(308, {"location": self.address.rstrip("/") + target})
        if path == CONFIG_PATH:
            return _json(self.config())
        if not (self.dist / "index.html").is_file():
            return SiteAnswer(503, {"content-type": "text/html; charset=utf-8"}, NOT_BUILT)
        found = self._file(path)
        if found is not None:
            cache = IMMUTABLE if path.startswith("/assets/") else "no-cache"
            return _file(found, cache)
        if PurePosixPath(path).suffix:
            return SiteAnswer(404, {"content-type": "text/plain; charset=utf-8"}, b"Not found\n")
        return _file(self.dist / "index.html", "no-cache")

    def config(self) -> dict[str, str]:
        return site_config(self.address, self.region, self.user_pool_id, self.user_pool_client_id)

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
    headers = {"content-type": kind, "cache-control": cache}
    return SiteAnswer(200, headers, path.read_bytes())
