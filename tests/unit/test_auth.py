"""Authentication, the token cache and the per-minute rate limit (kairos.domain.projects.auth) on the moto
table."""

import json
from datetime import UTC, datetime

import pytest

from kairos.abilities import ALL_ABILITIES
from kairos.container import Container
from kairos.domain.projects.auth import CACHE_SECONDS, Authenticator, generate_token_value, hash_token
from kairos.domain.projects.projects import ProjectAdmin
from kairos.domain.shared.records import Project
from kairos.errors import Forbidden, RateLimited, Unauthenticated
from kairos.storage import keys
from kairos.storage.dynamodb import to_item
from kairos.storage.project_store import ProjectStore
from kairos.storage.rate_store import RateCounterStore


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _authenticator(
    container: Container, clock: FixedClock | None = None, monotonic: FakeMonotonic | None = None
) -> Authenticator:
    table = container.table
    return Authenticator(
        ProjectStore(table),
        RateCounterStore(table),
        clock=clock or FixedClock(datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        monotonic=monotonic or FakeMonotonic(),
    )


def _project_with_token(container: Container, rate_limit: int = 10_000) -> tuple[Project, str]:
    project = container.projects.create_project("Clinic", rate_limit=rate_limit)
    _, value = container.projects.create_token(project.id, "all", None)
    return project, value


def _disable(container: Container, project_id: str) -> None:
    container.table.client.update_item(
        TableName=container.table.name,
        Key=to_item(keys.project(project_id)),
        UpdateExpression="SET enabled = :off",
        ExpressionAttributeValues=to_item({":off": False}),
    )


# --- who is calling -------------------------------------------------------------------------------------


def test_bearer_token_authenticates_as_its_project_with_its_abilities(container: Container) -> None:
    project = container.projects.create_project("Clinic")
    token, value = container.projects.create_token(project.id, "widget", ["service:view", "booking:create"])

    principal = _authenticator(container).authenticate(f"Bearer {value}")

    assert principal.project_id == project.id
    assert principal.token_id == token.id
    assert principal.abilities == {"service:view", "booking:create"}
    assert principal.can("service:view")
    assert not principal.can("service:create")
    with pytest.raises(Forbidden):
        principal.require("service:create")


def test_token_without_listed_abilities_gets_them_all(container: Container) -> None:
    _, value = _project_with_token(container)

    assert _authenticator(container).authenticate(f"Bearer {value}").abilities == set(ALL_ABILITIES)


def test_scheme_is_case_insensitive_and_spaces_are_trimmed(container: Container) -> None:
    project, value = _project_with_token(container)

    principal = _authenticator(container).authenticate(f"  bearer   {value}  ")

    assert principal.project_id == project.id


def test_missing_or_garbage_authorization_is_unauthenticated(container: Container) -> None:
    _, value = _project_with_token(container)
    auth = _authenticator(container)
    tampered = value[:-1] + ("a" if value[-1] != "a" else "b")
    headers = [
        None,
        "",
        "Bearer",
        "Bearer  ",
        f"Basic {value}",
        f"Token {value}",
        "Bearer garbage",
        f"Bearer {tampered}",
    ]

    for header in headers:
        with pytest.raises(Unauthenticated):
            auth.authenticate(header)


def test_revoked_token_keeps_working_from_the_cache_for_up_to_a_minute(container: Container) -> None:
    project, value = _project_with_token(container)
    token = container.projects.token_for_value(value)
    assert token is not None
    monotonic = FakeMonotonic()
    auth = _authenticator(container, monotonic=monotonic)
    auth.authenticate(f"Bearer {value}")

    container.projects.revoke_token(project.id, token.id)
    monotonic.now += CACHE_SECONDS - 1

    assert auth.authenticate(f"Bearer {value}").token_id == token.id  # documented: cached for 60 s
    monotonic.now += 2
    with pytest.raises(Unauthenticated):
        auth.authenticate(f"Bearer {value}")


def test_revoked_token_is_refused_by_a_cold_authenticator(container: Container) -> None:
    project, value = _project_with_token(container)
    token = container.projects.token_for_value(value)
    assert token is not None

    container.projects.revoke_token(project.id, token.id)

    with pytest.raises(Unauthenticated):
        _authenticator(container).authenticate(f"Bearer {value}")
    assert container.projects.tokens(project.id)[0].revoked_at is not None


def test_cache_is_not_used_past_sixty_seconds(container: Container) -> None:
    project, value = _project_with_token(container)
    monotonic = FakeMonotonic()
    auth = _authenticator(container, monotonic=monotonic)
    auth.authenticate(f"Bearer {value}")

    _disable(container, project.id)
    monotonic.now += CACHE_SECONDS

    with pytest.raises(Forbidden):
        auth.authenticate(f"Bearer {value}")


def test_token_of_a_disabled_project_is_forbidden(container: Container) -> None:
    project, value = _project_with_token(container)
    _disable(container, project.id)

    with pytest.raises(Forbidden) as caught:
        _authenticator(container).authenticate(f"Bearer {value}")

    assert str(caught.value) == "This project is disabled."


def test_a_disabled_project_is_refused_at_once_by_every_instance_that_cached_its_token(
    container: Container,
) -> None:
    project, value = _project_with_token(container)
    clock = FixedClock(datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    instances = [_authenticator(container, clock) for _ in range(3)]
    for auth in instances:  # each warm instance has the token (and its enabled project) cached
        auth.count_request(auth.authenticate(f"Bearer {value}"))

    ProjectAdmin(ProjectStore(container.table), clock).disable_project(project.id)

    for auth in instances:
        principal = auth.authenticate(f"Bearer {value}")  # still in this instance's cache
        with pytest.raises(Forbidden, match="This project is disabled"):
            auth.count_request(principal)
        with pytest.raises(Forbidden):  # the cache was dropped: the project is read again
            auth.authenticate(f"Bearer {value}")


@pytest.mark.parametrize("counted_at", ["2024-05-31T23:58:00", "2024-06-01T00:00:40"])
def test_a_project_disabled_at_a_months_end_is_refused_in_both_months(
    container: Container, counted_at: str
) -> None:
    project, value = _project_with_token(container)
    clock = FixedClock(datetime(2024, 5, 31, 23, 57, tzinfo=UTC))
    auth = _authenticator(container, clock)
    principal = auth.authenticate(f"Bearer {value}")
    auth.count_request(principal)
    disabled_at = FixedClock(datetime(2024, 5, 31, 23, 59, 50, tzinfo=UTC))

    ProjectAdmin(ProjectStore(container.table), disabled_at).disable_project(project.id)

    clock.now = datetime.fromisoformat(counted_at).replace(tzinfo=UTC)  # within the token's cached minute
    with pytest.raises(Forbidden):
        auth.count_request(principal)


# --- rate limit -----------------------------------------------------------------------------------------


def test_request_past_the_limit_in_one_minute_is_rate_limited(container: Container) -> None:
    _, value = _project_with_token(container, rate_limit=3)
    clock = FixedClock(datetime(2024, 5, 1, 12, 34, 20, tzinfo=UTC))
    auth = _authenticator(container, clock=clock)
    principal = auth.authenticate(f"Bearer {value}")

    statuses = [auth.count_request(principal) for _ in range(3)]
    with pytest.raises(RateLimited) as caught:
        auth.count_request(principal)

    assert [(s.limit, s.remaining) for s in statuses] == [(3, 2), (3, 1), (3, 0)]
    assert (caught.value.retry_after, caught.value.limit) == (40, 3)
    assert str(caught.value) == "Too Many Attempts."


def test_retry_after_counts_down_to_the_end_of_the_minute(container: Container) -> None:
    _, value = _project_with_token(container, rate_limit=1)
    clock = FixedClock(datetime(2024, 5, 1, 12, 34, 0, tzinfo=UTC))
    auth = _authenticator(container, clock=clock)
    principal = auth.authenticate(f"Bearer {value}")
    auth.count_request(principal)

    retry_after = []
    for second in (0, 59):
        clock.now = clock.now.replace(second=second)
        with pytest.raises(RateLimited) as caught:
            auth.count_request(principal)
        retry_after.append(caught.value.retry_after)

    assert retry_after == [60, 1]


def test_a_new_minute_resets_the_count(container: Container) -> None:
    _, value = _project_with_token(container, rate_limit=2)
    clock = FixedClock(datetime(2024, 5, 1, 12, 34, 58, tzinfo=UTC))
    auth = _authenticator(container, clock=clock)
    principal = auth.authenticate(f"Bearer {value}")
    auth.count_request(principal)
    auth.count_request(principal)
    with pytest.raises(RateLimited):
        auth.count_request(principal)

    clock.now = datetime(2024, 5, 1, 12, 35, 1, tzinfo=UTC)

    assert auth.count_request(principal).remaining == 1


def test_rate_limit_is_counted_per_project(container: Container) -> None:
    _, first_value = _project_with_token(container, rate_limit=1)
    _, second_value = _project_with_token(container, rate_limit=1)
    auth = _authenticator(container)
    first = auth.authenticate(f"Bearer {first_value}")
    second = auth.authenticate(f"Bearer {second_value}")
    auth.count_request(first)

    assert auth.count_request(second).remaining == 0
    with pytest.raises(RateLimited):
        auth.count_request(first)


def test_requests_without_a_valid_token_count_against_their_address_at_the_default_plans_limit(
    container: Container,
) -> None:
    _, value = _project_with_token(container, rate_limit=1)
    auth = _authenticator(container)
    principal = auth.authenticate(f"Bearer {value}")

    statuses = [auth.count_anonymous("203.0.113.7") for _ in range(100)]
    with pytest.raises(RateLimited) as caught:
        auth.count_anonymous("203.0.113.7")

    assert [(s.limit, s.remaining) for s in statuses[:2]] == [(100, 99), (100, 98)]
    assert statuses[-1].remaining == 0
    assert caught.value.limit == 100
    assert auth.count_anonymous("203.0.113.8").remaining == 99
    assert auth.count_request(principal).remaining == 0  # the project's own count is apart


def test_project_gets_its_plans_rate_limit_by_default(container: Container) -> None:
    assert container.projects.create_project("Free").rate_limit_per_minute == 100
    assert container.projects.create_project("Big", plan="tier3").rate_limit_per_minute == 500


# --- token storage --------------------------------------------------------------------------------------


def test_tokens_are_stored_only_as_a_sha256_hash(container: Container) -> None:
    project, value = _project_with_token(container)
    container.projects.create_token(project.id, "second", ["service:view"])

    scanned = container.table.client.scan(TableName=container.table.name)["Items"]
    dumped = json.dumps(scanned)

    assert value not in dumped
    assert value.lower() not in dumped.lower()
    assert hash_token(value) in dumped
    assert len(hash_token(value)) == 64


def test_hash_token_is_the_sha256_hex_digest() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_generated_tokens_are_long_alphanumeric_and_distinct() -> None:
    values = [generate_token_value() for _ in range(200)]

    assert all(len(v) >= 40 for v in values)
    assert all(v.isascii() and v.isalnum() for v in values)
    assert len(set(values)) == len(values)


def test_created_token_value_is_long_and_differs_per_token(container: Container) -> None:
    project = container.projects.create_project("Clinic")

    values = [container.projects.create_token(project.id, f"t{n}", None)[1] for n in range(3)]

    assert all(len(v) >= 40 for v in values)
    assert len(set(values)) == 3
