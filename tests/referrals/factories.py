"""Build valid referrals through the real service, with sensible defaults to override."""

from __future__ import annotations

from typing import Any

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import user_create
from onedoor.core.models import District, Flag, OffenceGroup
from onedoor.directory.models import Service
from onedoor.referrals.models import Referral
from onedoor.referrals.services import ReferralDetails, referral_accept, referral_create, referral_reroute

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."


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


def triage_colleague(of: User) -> User:
    """A provider triage colleague in `of`'s organisation: triage decisions (accept, re-route) need a triage
    role or a team lead, in the services as on the pages (onedoor.referrals.access)."""
    assert of.organisation is not None
    triage = User.objects.filter(organisation=of.organisation, role=Role.PROVIDER_TRIAGE, is_active=True).first()
    if triage is None:
        triage = user_create(
            username=f"triage-{of.organisation.slug}", role=Role.PROVIDER_TRIAGE, organisation=of.organisation
        )
    return triage


def accept_by_team(*, referral: Referral, team_of: User) -> Referral:
    """Accept the referral as `team_of`'s team would: its triage accepts it."""
    return referral_accept(referral=referral, actor=triage_colleague(team_of))


def reroute_by_team(*, referral: Referral, team_of: User, to_service: Service) -> Referral:
    return referral_reroute(
        override_reason=TEST_OVERRIDE, referral=referral, actor=triage_colleague(team_of), to_service=to_service
    )
