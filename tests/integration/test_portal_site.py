"""The Portal web app on the local server's port: the built app for its paths and the mails' links, with
the deployed site's security headers, and a config file whose settings are the running stack's (its API
answers there, its pool signs the log-ins) whatever Host header the request carries."""

import base64
import json

import requests

from tests.integration.conftest import LOCAL_TOKEN, LocalServer
from tests.integration.portal import Person


def _claims(id_token: str) -> dict[str, str]:
    payload = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_the_app_answers_its_paths_and_the_mails_links(local_server: LocalServer) -> None:
    root = local_server.base_url.removesuffix("/v1")
    for path in ("/", "/verify?token=abc", "/projects/p-1/requests"):
        page = requests.get(root + path, timeout=30)
        assert page.status_code == 200, path
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<div id="root">' in page.text
    assert requests.head(root + "/login", timeout=30).status_code == 200
    assert requests.get(root + "/v1/nowhere", timeout=30).json()["message"].startswith("The route v1/")
    assert requests.post(root + "/login", timeout=30).status_code == 404  # not the site's: the API's JSON


def test_the_config_file_describes_the_running_stack(local_server: LocalServer) -> None:
    root = local_server.base_url.removesuffix("/v1")
    config = requests.get(root + "/config.json", timeout=30).json()
    assert config["api_url"] == local_server.base_url
    assert config["portal_api_url"] == root + "/portal"
    auth = {"Authorization": f"Bearer {LOCAL_TOKEN}"}
    assert requests.get(config["api_url"] + "/project", headers=auth, timeout=30).status_code == 200

    person = Person(root, local_server.data_dir / "outbox").signed_up()
    claims = _claims(person.id_token)
    assert claims["aud"] == config["user_pool_client_id"]
    assert claims["iss"].endswith(f"cognito-idp.{config['region']}.amazonaws.com/{config['user_pool_id']}")


def test_pages_carry_the_security_headers_and_the_config_ignores_the_host_header(
    local_server: LocalServer,
) -> None:
    root = local_server.base_url.removesuffix("/v1")
    page = requests.get(root + "/projects", timeout=30)
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    forged = requests.get(root + "/config.json", headers={"Host": "evil.example"}, timeout=30).json()
    assert forged["portal_api_url"] == root + "/portal"
    assert forged["api_url"] == local_server.base_url
