from __future__ import annotations

from collections.abc import Callable

import pytest

from onedoor.accounts.models import Role, User


@pytest.fixture
def commissioner_dpo(make_user: Callable[..., User]) -> User:
    return make_user(Role.DATA_PROTECTION_OFFICER, "opcc")


@pytest.fixture
def provider_dpo(make_user: Callable[..., User]) -> User:
    return make_user(Role.DATA_PROTECTION_OFFICER, "victim-support")


@pytest.fixture
def other_provider_dpo(make_user: Callable[..., User]) -> User:
    return make_user(Role.DATA_PROTECTION_OFFICER, "rosa")


@pytest.fixture
def team_lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.TEAM_LEAD, "victim-support")
