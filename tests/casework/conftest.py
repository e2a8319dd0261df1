from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from onedoor.accounts.models import Role, User
from onedoor.referrals.models import Referral
from onedoor.referrals.services import referral_assign
from tests.referrals.factories import accept_by_team, make_referral


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user(Role.CASEWORKER, org="victim-support")


@pytest.fixture
def team_lead(make_user: Callable[..., User]) -> User:
    return make_user(Role.TEAM_LEAD, org="victim-support")


@pytest.fixture
def accepted_case(referrer: User, caseworker: User) -> Callable[..., Referral]:
    """An accepted Victim Support case (burglary by default), assigned to the caseworker."""

    def make(**overrides: Any) -> Referral:
        referral = make_referral(referrer=referrer, **overrides)
        referral = accept_by_team(referral=referral, team_of=caseworker)
        return referral_assign(referral=referral, actor=caseworker, assignee=caseworker)

    return make


def all_needs(level: str = "none") -> dict[str, tuple[str, str]]:
    from onedoor.core.models import NeedCategory

    return {n.slug: (level, "") for n in NeedCategory.objects.all()}
