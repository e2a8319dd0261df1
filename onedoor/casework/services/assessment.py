"""Needs and risk assessments, and re-assessments."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework.models import Assessment, Level, NeedRating, SafeguardingAgency
from onedoor.casework.selectors import enhanced_rights_suggestion
from onedoor.casework.services._common import CaseworkError, lock_case
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import NeedCategory
from onedoor.referrals.models import Referral


@transaction.atomic
def assessment_record(
    *,
    referral: Referral,
    actor: User,
    ratings: Mapping[str, tuple[str, str]],
    risk_to_self: str,
    risk_from_others: str,
    risk_to_others: str,
    safeguarding_concern: bool = False,
    safeguarding_referred_to: str = "",
    enhanced_rights: bool | None = None,
) -> Assessment:
    """A needs and risk assessment, or a re-assessment (a new row; earlier ones are kept). `ratings`
    maps each need's slug to (level, note); all eight needs must be rated. `enhanced_rights` None takes
    what the referral suggests; True or False records the caseworker's judgement."""
    locked = lock_case(referral=referral, actor=actor)
    needs = {n.slug: n for n in NeedCategory.objects.all()}
    if set(ratings) != set(needs):
        raise CaseworkError("Rate each of the eight needs, even if the answer is none.")
    for level, _note in ratings.values():
        if level not in Level.values:
            raise CaseworkError("Rate each need as none, low, medium or high.")
    for level in (risk_to_self, risk_from_others, risk_to_others):
        if level not in Level.values:
            raise CaseworkError("Rate each risk as none, low, medium or high.")
    if safeguarding_referred_to not in SafeguardingAgency.values:
        raise CaseworkError("Choose who the safeguarding concern was referred to.")
    if safeguarding_referred_to and not safeguarding_concern:
        raise CaseworkError("Record the safeguarding concern before saying who it was referred to.")
    basis = enhanced_rights_suggestion(referral=locked)
    assessment = Assessment.objects.create(
        referral=locked,
        assessed_at=timezone.now(),
        assessed_by=actor,
        risk_to_self=risk_to_self,
        risk_from_others=risk_from_others,
        risk_to_others=risk_to_others,
        safeguarding_concern=safeguarding_concern,
        safeguarding_referred_to=safeguarding_referred_to,
        enhanced_rights=bool(basis) if enhanced_rights is None else enhanced_rights,
        enhanced_rights_suggested=bool(basis),
        enhanced_rights_basis=basis,
    )
    NeedRating.objects.bulk_create(
        NeedRating(assessment=assessment, need=needs[slug], level=level, note=note[:300])
        for slug, (level, note) in ratings.items()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASEWORK_ASSESSMENT,
        obj=assessment,
        detail={
            "referral_id": locked.pk,
            "reassessment": Assessment.objects.filter(referral=locked).count() > 1,
            "safeguarding_referred_to": safeguarding_referred_to,
            "enhanced_rights": assessment.enhanced_rights,
        },
    )
    return assessment
