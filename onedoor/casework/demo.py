"""Demo casework over the synthetic demo referrals, made through the real casework services, so that
the caseworker and team-lead pages have something to show. Run after load_demo; runs once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.casework import services
from onedoor.casework.models import ContactAttempt
from onedoor.core.models import NeedCategory
from onedoor.directory.models import Service
from onedoor.referrals import services as spine
from onedoor.referrals.models import Referral, Status


def _needs(**levels: str) -> dict[str, tuple[str, str]]:
    return {n.slug: (levels.get(n.slug.replace("-", "_"), "low"), "") for n in NeedCategory.objects.all()}


def _take(service_slug: str, worker: User, n: int) -> list[Referral]:
    """Up to n of the service's accepted referrals, assigned to the worker."""
    found = list(Referral.objects.filter(current_service__slug=service_slug, status=Status.ACCEPTED).order_by("id")[:n])
    return [spine.referral_assign(referral=r, actor=worker, assignee=worker) for r in found]


@transaction.atomic
def load_casework_demo() -> dict[str, int]:
    if ContactAttempt.objects.exists():
        return {"cases": 0}
    caseworker = User.objects.get(username="vs.caseworker")
    lead = User.objects.get(username="vs.lead")
    cases = _take("victim-support", caseworker, 4)
    now = timezone.now()
    today = timezone.localdate()
    for i, case in enumerate(cases):
        services.contact_attempt_record(
            referral=case, actor=caseworker, channel="phone", outcome="no_answer", at=now - timedelta(days=3)
        )
        if i == 3:
            continue  # one still being tried
        services.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
        services.assessment_record(
            referral=case,
            actor=caseworker,
            ratings=_needs(mental_physical_health="high", shelter_accommodation="medium"),
            risk_to_self="low" if i else "medium",
            risk_from_others="medium",
            risk_to_others="none",
        )
        services.support_plan_save(
            referral=case, actor=caseworker, headline="Feel safe at home and sleep again", review_on=today
        )
        services.goal_add(
            referral=case,
            actor=caseworker,
            need=NeedCategory.objects.get(slug="shelter-accommodation"),
            description="Locks and a door chain fitted",
            intervention="practical_help",
        )
        services.goal_add(
            referral=case,
            actor=caseworker,
            need=NeedCategory.objects.get(slug="mental-physical-health"),
            description="Sleeping through most nights",
            intervention="emotional_support",
        )
        # The first case answers PHQ-9 item 9 above 0, which alerts the team lead.
        services.measure_record(
            referral=case,
            actor=caseworker,
            measure="phq9",
            stage="start",
            answers=[2, 2, 2, 2, 2, 2, 2, 2, 1 if i == 0 else 0],
        )
        if i == 1:
            services.waiting_list_add(referral=case, actor=caseworker, interim_support="Self-help booklet and helpline")
        if i == 2:
            services.measure_record(
                referral=case, actor=caseworker, measure="phq9", stage="closure", answers=[1] * 8 + [0]
            )
            services.case_close(
                referral=case,
                actor=caseworker,
                reason="support_completed",
                better_able_to_cope="yes",
                needs_improved=NeedCategory.objects.filter(slug="shelter-accommodation"),
            )
    # Joint working with the area's next commissioned service (RoSA in Warwickshire), where it has one.
    partner = Service.objects.filter(kind="commissioned").exclude(slug="victim-support").order_by("pk").first()
    if cases and partner is not None:
        services.joint_working_start(
            referral=cases[0], actor=caseworker, partner_service=partner, consent_to_share=True
        )
    for user, kind in ((caseworker, "supervision"), (caseworker, "cpd"), (lead, "supervision")):
        services.practitioner_session_record(practitioner=user, actor=lead, kind=kind, on=today - timedelta(days=7))
    return {"cases": len(cases)}
