"""Joint working, onward referrals and transitions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from onedoor.casework import access, services
from onedoor.casework import forms as cf
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles


@roles(CASEWORK_ROLES)
def joint(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.JointWorkingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.joint_working_start(
                referral=referral,
                actor=request_user(request),
                partner_service=d["partner_service"],
                consent_to_share=d["consent_to_share"] == "yes",
            ),
        )
        if done is not None:
            return to_case(referral, "Joint working recorded", request)
    return form_page(request, referral, form, "Work jointly with another service")


@roles(CASEWORK_ROLES)
@require_POST
def joint_end(request: HttpRequest, reference: str, joint_id: int) -> HttpResponse:
    referral, item = access.access_joint_working_by_id(user=request.user, reference=reference, joint_id=joint_id)
    services.joint_working_end(joint=item, actor=request_user(request))
    return to_case(
        referral, f"Joint working with {item.partner_service} ended: they no longer see the summary", request
    )


@roles(CASEWORK_ROLES)
def onward(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.OnwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            lambda: services.onward_referral_make(
                referral=referral, actor=request_user(request), to_service=form.cleaned_data["to_service"]
            ),
        )
        if done is not None:
            return to_case(referral, f"Referred on: {done.to_referral.reference}", request)
    return form_page(request, referral, form, "Refer on to another commissioned service")


@roles(CASEWORK_ROLES)
def onward_external(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.ExternalOnwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.onward_referral_external(
                referral=referral, actor=request_user(request), to_service=d["to_service"], outcome=d["outcome"]
            ),
        )
        if done is not None:
            return to_case(referral, "External referral recorded", request)
    return form_page(request, referral, form, "Refer to a service outside OneDoor")


@roles(CASEWORK_ROLES)
def transition(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.transition_start(
                referral=referral,
                actor=request_user(request),
                to_service=d["to_service"],
                handover_meeting_on=d["handover_meeting_on"],
                plan=d["plan"],
            ),
        )
        if done is not None:
            return to_case(referral, f"Transition started: {done.to_referral.reference}", request)
    return form_page(request, referral, form, "Transition to an adults' service")
