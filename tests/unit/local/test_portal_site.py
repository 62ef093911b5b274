"""The local server's answers for the Portal web app: files of the build, the app's page for its own paths
and the mails' links, 404 for missing files, the config file, nothing outside the build, and no API path."""

import json
from pathlib import Path

import pytest

from kairos_local.portal_site import PortalSite

INDEX = b"<!doctype html><div id=root></div>"


@pytest.fixture
def site(tmp_path: Path) -> PortalSite:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("not the site's")
    return PortalSite("eu-central-1", "eu-central-1_pool", "client-1", "127.0.0.1:8080", tmp_path)


def test_the_apps_paths_and_mail_links_get_its_page(site: PortalSite) -> None:
    for path in ("/", "/verify", "/projects/p-1/tokens", "/reset-password"):
        answer = site.answer(path, "127.0.0.1:8080")
        assert (answer.status, answer.body) == (200, INDEX), path
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.headers["cache-control"] == "no-cache"


def test_built_files_are_served_with_their_type_and_assets_are_cached_for_good(site: PortalSite) -> None:
    script = site.answer("/assets/index-abc123.js", None)
    assert (script.status, script.body) == (200, b"console.log(1)")
    assert "javascript" in script.headers["content-type"]
    assert "immutable" in script.headers["cache-control"]
    icon = site.answer("/favicon.svg", None)
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["cache-control"] == "no-cache"


def test_a_missing_file_is_a_404_not_the_page(site: PortalSite) -> None:
    assert site.answer("/assets/gone.js", None).status == 404


def test_nothing_outside_the_build_is_served(site: PortalSite) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        answer = site.answer(path, None)
        assert b"not the site's" not in answer.body, path


def test_the_config_names_the_api_on_the_address_the_browser_used(site: PortalSite) -> None:
    answer = site.answer("/config.json", "localhost:8080")
    assert answer.headers["content-type"] == "application/json"
    assert json.loads(answer.body) == {
        "api_url": "http://localhost:8080/v1",
        "portal_api_url": "http://localhost:8080/portal",
        "region": "eu-central-1",
        "user_pool_id": "eu-central-1_pool",
        "user_pool_client_id": "client-1",
    }
    forged = json.loads(site.answer("/config.json", 'evil.example"/><script>').body)
    assert forged["api_url"] == "http://127.0.0.1:8080/v1"


def test_only_reads_outside_the_api_and_the_admin_api_are_the_sites(site: PortalSite) -> None:
    assert site.serves("GET", "/projects/p-1")
    assert site.serves("HEAD", "/")
    assert not site.serves("POST", "/login")
    for path in ("/v1", "/v1/project", "/portal", "/portal/projects"):
        assert not site.serves("GET", path), path
    assert site.serves("GET", "/v1x")


def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    answer = PortalSite("r", "p", "c", "127.0.0.1:8080", tmp_path / "missing").answer("/", None)
    assert answer.status == 503
    assert b"make install" in answer.body
