"""Needs and risk assessments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from onedoor.casework import forms as cf
from onedoor.casework import selectors, services
from onedoor.casework.models import Assessment
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles
from onedoor.core.models import NeedCategory


@roles(CASEWORK_ROLES)
def assessment(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    needs = list(NeedCategory.objects.all())
    suggestion = services.enhanced_rights_suggestion(referral=referral)
    latest = selectors.latest_assessment(referral=referral)
    initial: dict[str, Any] = {"enhanced_rights": "yes" if suggestion else "no"}
    if latest:
        initial.update(
            risk_to_self=latest.risk_to_self,
            risk_from_others=latest.risk_from_others,
            risk_to_others=latest.risk_to_others,
            safeguarding_concern=latest.safeguarding_concern,
            safeguarding_referred_to=latest.safeguarding_referred_to or "none",
        )
        for r in latest.ratings.all():
            initial[f"need_{r.need.slug}"] = r.level
            initial[f"note_{r.need.slug}"] = r.note
    form = cf.AssessmentForm(request.POST or None, needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.assessment_record(
                referral=referral,
                actor=request_user(request),
                ratings=form.ratings(),
                risk_to_self=d["risk_to_self"],
                risk_from_others=d["risk_from_others"],
                risk_to_others=d["risk_to_others"],
                safeguarding_concern=d["safeguarding_concern"],
                safeguarding_referred_to=d["safeguarding_referred_to"],
                enhanced_rights=d["enhanced_rights"] == "yes",
            ),
        )
        if done is not None:
            return to_case(referral, "Assessment saved", request)
    history = (
        Assessment.objects.filter(referral=referral).select_related("assessed_by").prefetch_related("ratings__need")
    )
    return form_page(
        request,
        referral,
        form,
        "Needs and risk assessment",
        template="casework/assessment.html",
        suggestion=suggestion,
        history=history,
    )
