"""The roles a OneDoor user can have. Defined in core so that the access decorators (`core.access`) can
refuse anything that is not a role; `onedoor.accounts.models.Role` is this same enum."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    POLICE_DATA_OFFICER = "police_data_officer", "Police data officer"
    PROVIDER_TRIAGE = "provider_triage", "Provider triage"
    CASEWORKER = "caseworker", "Caseworker"
    TEAM_LEAD = "team_lead", "Team lead"
    COMMISSIONER_ANALYST = "commissioner_analyst", "Commissioner analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"


def role_set(*allowed: Role | Iterable[Role]) -> frozenset[Role]:
    """Flatten roles and collections of roles. Anything that is not a `Role` member, a plain string that
    happens to spell one included, is refused at once (at import time, for a decorator), so a typo such as
    "caseworkr" cannot quietly admit nobody."""
    flat: set[Role] = set()
    for item in allowed:
        members = (item,) if isinstance(item, str) else tuple(item)
        for member in members:
            if not isinstance(member, Role):
                raise TypeError(f"expected a Role member, not {member!r}")
            flat.add(member)
    return frozenset(flat)
