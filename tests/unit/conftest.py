"""Fixtures of the unit tests that book."""

import pytest

from kairos.container import Container
from kairos.domain.auth import Principal
from tests.unit.clinic import make_clinic


@pytest.fixture
def clinic(container: Container, principal: Principal) -> dict[str, str]:
    return make_clinic(container, principal)
