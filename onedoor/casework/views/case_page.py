"""The case page: everything recorded on a case, for its holder and, during a handover, the other side."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onedoor.casework import forms as cf
from onedoor.casework import rules, selectors
from onedoor.casework.models import Assessment, ContactAttempt, JointWorking, Measure, ModernSlaveryReferral
from onedoor.casework.services import CASE_STATUSES
from onedoor.casework.views._common import CASEWORK_ROLES, service_offers
from onedoor.core.access import roles
from onedoor.referrals import access
from onedoor.referrals.services import referral_record_view


@roles(CASEWORK_ROLES)
def case(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.case_for_provider(user=request.user, reference=reference)
    referral_record_view(referral=referral, actor=request.user, what="casework")
    holds = access.may_act(user=request.user, referral=referral, action=access.ReferralAction.CASEWORK)
    return render(
        request,
        "casework/case.html",
        {
            "referral": referral,
            "holds": holds,
            # A closed case (or one declined or not engaged) offers nothing but re-opening or closing.
            "working": holds and referral.status in CASE_STATUSES,
            "safe_channels": rules.safe_channels(referral),
            "today": timezone.localdate(),
            "attempts": ContactAttempt.objects.filter(referral=referral).select_related("recorded_by"),
            "assessment": selectors.latest_assessment(referral=referral),
            "assessment_count": Assessment.objects.filter(referral=referral).count(),
            "plan": selectors.support_plan(referral=referral),
            "series": selectors.measure_series(referral=referral),
            "waiting": selectors.waiting_position(referral=referral),
            "joint": JointWorking.objects.filter(referral=referral).select_related("partner_service"),
            "slavery": ModernSlaveryReferral.objects.filter(referral=referral),
            "closures": referral.closures.prefetch_related("needs_improved"),
            "measures": Measure.choices,
            "goal_form": cf.GoalForm(offers=service_offers(referral)),
            "grounds_form": cf.GroundsForm(),
            **selectors.onward_links(referral=referral),
        },
    )
