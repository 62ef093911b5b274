"""The Portal's services on in-process moto (DynamoDB and Cognito, the pool made from the stack's
definition), with mails collected in memory and a clock the tests move; and the admin API's functions
called with the events API Gateway would hand them."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kairos import aws_clients
from kairos.api.portal_app import build_portal_app
from kairos.api.portal_endpoints import accounts_endpoints, portal_endpoints
from kairos.config import Settings
from kairos.container import Container
from kairos.portal.accounts import Accounts
from kairos.portal.api_tokens import ApiTokens
from kairos.portal.email_change import EmailChange
from kairos.portal.pacing import Pace
from kairos.portal.ports import Identity
from kairos.portal.routes import PortalArea, PortalRoute, match_portal
from kairos.portal.throttle import Throttle
from kairos.portal.user_pool import create_client_request, create_pool_request
from kairos.portal.workspace import Workspace
from kairos.storage.account_guard_store import AccountGuardStore
from kairos.storage.cognito import CognitoIdentities
from kairos.storage.portal_store import PortalStore
from kairos.storage.project_store import ProjectStore
from kairos.storage.rate_store import RateCounterStore
from kairos.storage.request_log_store import RequestLogStore
from kairos_local.lambda_runtime import LambdaContext, proxy_event

PASSWORD = "Correct-Horse-42"


@dataclass
class Mail:
    to: str
    subject: str
    text: str


@dataclass
class Outbox:
    mails: list[Mail] = field(default_factory=list)

    def send(self, to: str, subject: str, text: str) -> None:
        self.mails.append(Mail(to, subject, text))

    def last_token(self, to: str) -> str:
        mail = [m for m in self.mails if m.to == to][-1]
        return mail.text.split("token=")[1].split()[0]


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2030, 5, 20, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Portal:
    accounts: Accounts
    workspace: Workspace
    tokens: ApiTokens
    outbox: Outbox
    clock: Clock
    container: Container
    email_change: EmailChange

    def person(self, email: str, name: str = "Dev") -> Identity:
        """A registered, verified person."""
        self.accounts.register(name, email, PASSWORD, "192.0.2.1")
        account = self.accounts.verify(self.outbox.last_token(email), PASSWORD, "192.0.2.1")[0]
        return Identity(account.id, account.email, account.name)


def resolve(
    container: Container,
    route: PortalRoute,
    path: str,
    body: bytes,
    person: Identity | None,
    query: str = "",
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The proxy answer of the route's function; `person` as the authorizer's claims would name them
    (with `claims` besides, e.g. the token's `auth_time`, as strings like API Gateway's)."""
    handlers = accounts_endpoints if route.area is PortalArea.ACCOUNTS else portal_endpoints
    app = build_portal_app(route.area, handlers(container), container)
    event = proxy_event(
        method=route.method, path=path, query=query, headers=[("Content-Type", "application/json")],
        body=body, route=route, path_parameters={}, source_ip="203.0.113.9",
    )  # fmt: skip
    if person is not None:
        named = {"sub": person.account_id, "email": person.email, **(claims or {})}
        event["requestContext"]["authorizer"] = {"claims": named}
    return app.resolve(event, LambdaContext("kairos-portal", "test"))  # type: ignore[arg-type]


def admin_call(
    portal: "Portal",
    person: Identity,
    method: str,
    path: str,
    body: Any = None,
    query: str = "",
    claims: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """`method /portal<path>?<query>` through the admin API's function: the status and the decoded body."""
    route, _ = match_portal(method, f"/portal{path}")
    assert route is not None, (method, path)
    raw = b"" if body is None else json.dumps(body).encode()
    answer = resolve(portal.container, route, f"/portal{path}", raw, person, query, claims)
    return answer["statusCode"], json.loads(answer["body"] or "null")


@pytest.fixture(scope="session")
def shipped_key() -> tuple[Any, Any]:
    """The RSA key moto's Cognito ships (`jwks-private.json`), as stored and as imported."""
    from joserfc import jwk
    from moto.cognitoidp import models

    shipped = models.load_resource("cognitoidp/resources/jwks-private.json")
    return shipped, jwk.RSAKey.import_key(shipped)


@pytest.fixture
def portal(
    container: Container, shipped_key: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Portal]:
    """The Portal's services on a pool of their own. moto's Cognito imports the key it ships for every
    pool it makes, finding its primes again (about 120 ms of CPU): here it gets the one imported once. The
    pool's client comes from the process's boto3 session, whose service models are loaded once (a client
    of boto3's default session, which moto resets, loaded them again: another 120 ms)."""
    from joserfc import jwk

    shipped, key = shipped_key
    imported = jwk.RSAKey.__dict__["import_key"].__func__

    def import_key(cls: type, value: Any, *args: Any, **kwargs: Any) -> Any:
        if value == shipped and not args and not kwargs:
            return key
        return imported(cls, value, *args, **kwargs)

    monkeypatch.setattr(jwk.RSAKey, "import_key", classmethod(import_key))
    cognito = aws_clients.client("cognito-idp", region_name="eu-central-1")
    pool = cognito.create_user_pool(**create_pool_request())["UserPool"]["Id"]
    client = cognito.create_user_pool_client(**create_client_request(pool))["UserPoolClient"]["ClientId"]
    settings = Settings("kairos-test", "eu-central-1", None, user_pool_id=pool, user_pool_client_id=client)
    built = Container.from_settings(settings)
    outbox, clock = Outbox(), Clock()
    store = PortalStore(built.table)
    identities = CognitoIdentities("eu-central-1", pool, client)
    throttle = Throttle(RateCounterStore(built.table), clock, per_address=1000, per_account_and_address=1000)
    guards = AccountGuardStore(built.table)
    pace = Pace(mailing=0, failed_log_in=0)  # the floors' own test sets them (test_account_timing.py)
    accounts = Accounts(identities, store, guards, outbox, throttle, "https://portal.test", clock, pace)
    projects = ProjectStore(built.table)
    workspace = Workspace(built.projects, projects, store, outbox, throttle, "https://portal.test", clock)
    tokens = ApiTokens(workspace, built.projects, projects, RequestLogStore(built.table), clock)
    email_change = EmailChange(accounts, store, identities, throttle, clock)
    yield Portal(accounts, workspace, tokens, outbox, clock, built, email_change)
