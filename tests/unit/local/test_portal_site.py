"""The local server's answers for the Portal web app: files of the build, the app's page for its own paths
and the mails' links, 404 for missing files, the config file on the server's own address, nothing outside
the build, no API path, and the deployed site's security headers on every answer."""

import json
from pathlib import Path

import pytest

from kairos.portal.site_headers import security_headers
from kairos_local.portal_site import PortalSite

INDEX = b"<!doctype html><div id=root></div>"
ADDRESS = "http://127.0.0.1:8080"


@pytest.fixture
def site(tmp_path: Path) -> PortalSite:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("not the site's")
    return PortalSite("eu-central-1", "eu-central-1_pool", "client-1", ADDRESS, tmp_path)


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


def test_the_config_names_the_servers_own_address_whatever_the_host_header_says(site: PortalSite) -> None:
    expected = {
        "api_url": "http://127.0.0.1:8080/v1",
        "portal_api_url": "http://127.0.0.1:8080/portal",
        "region": "eu-central-1",
        "user_pool_id": "eu-central-1_pool",
        "user_pool_client_id": "client-1",
    }
    for host in ("127.0.0.1:8080", "evil.example", "localhost:8080", 'evil.example"/><script>', None):
        answer = site.answer("/config.json", host)
        assert answer.status == 200, host
        assert answer.headers["content-type"] == "application/json"
        assert json.loads(answer.body) == expected, host


def test_a_page_asked_for_under_another_name_is_redirected_to_the_servers_address(site: PortalSite) -> None:
    for host in ("localhost:8080", "evil.example"):
        answer = site.answer("/verify?token=abc", host)
        assert (answer.status, answer.headers["location"]) == (308, f"{ADDRESS}/verify?token=abc"), host
    assert site.answer("/verify?token=abc", "127.0.0.1:8080").status == 200


def test_every_answer_carries_the_deployed_sites_security_headers(site: PortalSite, tmp_path: Path) -> None:
    over_http = security_headers(ADDRESS, https=False)
    assert over_http["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in over_http["content-security-policy"]
    for path, host in (
        ("/", "127.0.0.1:8080"),
        ("/assets/index-abc123.js", "127.0.0.1:8080"),
        ("/config.json", "127.0.0.1:8080"),
        ("/assets/gone.js", "127.0.0.1:8080"),
        ("/", "localhost:8080"),
    ):
        headers = site.answer(path, host).headers
        assert {name: headers.get(name) for name in over_http} == over_http, path
        assert "strict-transport-security" not in headers  # plain HTTP: no HTTPS-only header
    behind_tls = PortalSite("r", "p", "c", "https://portal.example", tmp_path).answer("/", "portal.example")
    assert behind_tls.headers["strict-transport-security"].startswith("max-age=")
    assert "upgrade-insecure-requests" in behind_tls.headers["content-security-policy"]


def test_only_reads_outside_the_api_and_the_admin_api_are_the_sites(site: PortalSite) -> None:
    assert site.serves("GET", "/projects/p-1")
    assert site.serves("HEAD", "/")
    assert not site.serves("POST", "/login")
    for path in ("/v1", "/v1/project", "/portal", "/portal/projects"):
        assert not site.serves("GET", path), path
    assert site.serves("GET", "/v1x")


def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    answer = PortalSite("r", "p", "c", ADDRESS, tmp_path / "missing").answer("/", None)
    assert answer.status == 503
    assert b"make install" in answer.body
