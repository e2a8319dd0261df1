"""Modern slavery referrals and their grounds decisions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from onedoor.casework import access, services
from onedoor.casework import forms as cf
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles


@roles(CASEWORK_ROLES)
def slavery(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    is_child = referral.age_at_referral is not None and referral.age_at_referral < 18
    form = cf.ModernSlaveryForm(request.POST or None)
    if is_child:
        del form.fields["adult_consents"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        answer = d.get("adult_consents")
        consents = None if is_child else {"yes": True, "no": False}.get(answer or "")
        done = call_service(
            form,
            lambda: services.modern_slavery_record(
                referral=referral,
                actor=request_user(request),
                first_responder=d["first_responder"],
                submitted_on=d["submitted_on"],
                adult_consents=consents,
            ),
        )
        if done is not None:
            return to_case(referral, f"{done.get_path_display()} recorded", request)
    title = "Modern slavery: NRM referral (child, no consent needed)" if is_child else "Modern slavery referral"
    return form_page(request, referral, form, title)


@roles(CASEWORK_ROLES)
@require_POST
def slavery_decision(request: HttpRequest, reference: str, record_id: int) -> HttpResponse:
    referral, record = access.access_modern_slavery_referral_by_id(
        user=request.user, reference=reference, record_id=record_id
    )
    form = cf.GroundsForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            lambda: services.modern_slavery_decision_record(
                record=record,
                actor=request_user(request),
                stage=d["stage"],
                decision=d["decision"],
                decided_on=d["decided_on"],
            ),
        ):
            return to_case(referral, "Decision recorded", request)
    messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("casework:case", reference=referral.reference)
