"""Roles are Role members everywhere: the decorators refuse a plain string when the module is imported."""

from __future__ import annotations

from typing import Any

import pytest

from onedoor.accounts.api_auth import api_auth
from onedoor.accounts.models import PROVIDER_ROLES, Role
from onedoor.core.access import ACCESS_ATTR, roles


def _view(request: Any) -> None:
    return None


@pytest.mark.parametrize("bad", ["caseworkr", "caseworker", ["team_lead"]])
def test_roles_refuses_a_plain_string_even_one_that_spells_a_role(bad: Any) -> None:
    with pytest.raises(TypeError, match="Role member"):
        roles(bad)
    with pytest.raises(TypeError, match="Role member"):
        api_auth(bad)


def test_roles_takes_members_and_sets_of_them() -> None:
    view = roles(PROVIDER_ROLES, Role.REFERRER)(_view)
    assert getattr(view, ACCESS_ATTR).roles == {Role.PROVIDER_TRIAGE, Role.CASEWORKER, Role.TEAM_LEAD, Role.REFERRER}
    assert api_auth(frozenset(Role))[0].roles == set(Role)
