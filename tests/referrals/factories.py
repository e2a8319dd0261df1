"""Build valid referrals through the real service, with sensible defaults to override."""

from __future__ import annotations

from typing import Any

from onedoor.accounts.models import User
from onedoor.core.models import District, Flag, OffenceGroup
from onedoor.referrals.models import Referral
from onedoor.referrals.services import ReferralDetails, referral_create


def details(**overrides: Any) -> ReferralDetails:
    offence = overrides.pop("offence", "burglary-residential")
    flags = overrides.pop("flag_slugs", [])
    base: dict[str, Any] = {
        "first_name": "Test",
        "last_name": "Person",
        "age": 34,
        "phone": "+447700900123",
        "phone_is_own": True,
        "safe_to_call": True,
        "safe_to_text": True,
        "district": District.objects.get(gss_code="E07000222"),
        "reported_to_police": True,
        "crime_reference": "23/123456/26",
        "offence_group": OffenceGroup.objects.get(slug=offence) if offence else None,
        "flags": list(Flag.objects.filter(slug__in=flags)),
        "reason": "Asked for support",
        "consent_given": True,
        "consent_given_by": "person",
    }
    base.update(overrides)
    return ReferralDetails(**base)


def make_referral(*, referrer: User | None, source: str = "professional", **overrides: Any) -> Referral:
    outcome = referral_create(details=details(**overrides), source=source, referrer=referrer)
    assert outcome.referral is not None, outcome.decision
    return outcome.referral
