"""Onward referrals on the spine: a new referral, made through the standard `referral_create`, carrying the
person's details from a referral another service holds, to the one service the caseworker chose. The
casework app decides when an onward referral or a transition may be made, and records the link."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.directory.models import Service
from onedoor.referrals.models import Precedence, Referral, RuleOutcome
from onedoor.referrals.routing import CompiledRule, RoutingTable
from onedoor.referrals.services import ReferralDetails, age_on, referral_create


def _table_to(service: Service, reason: str) -> RoutingTable:
    """A routing table of one rule sending the referral to `service`, so that an onward referral is made
    through the standard spine (referral_create) to the service the caseworker chose."""
    base = RoutingTable.load()
    rule = CompiledRule(
        key=f"onward-to-{service.slug}",
        precedence=Precedence.GENERAL,
        order=0,
        outcome=RuleOutcome.REFER,
        service=service.slug,
        signpost=(),
        reason=reason,
        note="",
    )
    return RoutingTable(
        rules=(rule,),
        offence_groups=base.offence_groups,
        flags=base.flags,
        districts=base.districts,
        needs=base.needs,
        service_names={service.slug: str(service)},
    )


def _details_from(referral: Referral, today: date) -> ReferralDetails:
    age = age_on(referral.date_of_birth, today) if referral.date_of_birth else referral.age_at_referral
    return ReferralDetails(
        first_name=referral.first_name,
        last_name=referral.last_name,
        date_of_birth=referral.date_of_birth,
        age=age,
        preferred_language=referral.preferred_language,
        interpreter_needed=referral.interpreter_needed,
        communication_needs=referral.communication_needs,
        demographics={
            "ethnicity": referral.ethnicity,
            "sex": referral.sex,
            "gender_identity": referral.gender_identity,
            "sexual_orientation": referral.sexual_orientation,
            "disability": referral.disability,
            "religion": referral.religion,
        },
        phone=referral.phone,
        email=referral.email,
        safe_to_call=referral.safe_to_call,
        safe_to_text=referral.safe_to_text,
        safe_to_email=referral.safe_to_email,
        safe_to_leave_voicemail=referral.safe_to_leave_voicemail,
        best_times=referral.best_times,
        phone_is_own=referral.phone_is_own,
        district=referral.district,
        postcode=referral.postcode,
        reported_to_police=referral.reported_to_police,
        crime_reference=referral.crime_reference,
        offence_group=referral.offence_group,
        flags=list(referral.flags.all()),
        needs=list(referral.needs.all()),
        reason=referral.reason,
        risks_to_person=referral.risks_to_person,
        risks_to_staff=referral.risks_to_staff,
        urgent=referral.urgent,
        risk_to_life=referral.risk_to_life,
        consent_given=referral.consent_given,
        consent_given_by=referral.consent_given_by,
        consent_given_on=referral.consent_given_on,
        lawful_basis=referral.lawful_basis,
        lawful_basis_note=referral.lawful_basis_note,
    )


@transaction.atomic
def onward_referral_build(*, from_referral: Referral, actor: User, to_service: Service, reason: str) -> Referral:
    """A new professional referral to `to_service`, from `actor`, with the details of `from_referral`. The
    caller checks the service may receive it and records the link (OnwardReferral) with its audit row."""
    outcome = referral_create(
        details=_details_from(from_referral, timezone.localdate()),
        source="professional",
        referrer=actor,
        table=_table_to(to_service, reason),
    )
    assert outcome.referral is not None
    return outcome.referral
