"""Closing and re-opening a case."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from onedoor.casework import forms as cf
from onedoor.casework import selectors, services
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles


@roles(CASEWORK_ROLES)
def close(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.case_close(
                referral=referral,
                actor=request_user(request),
                reason=d["reason"],
                better_able_to_cope=d["better_able_to_cope"],
                needs_improved=d["needs_improved"],
                referrer_note=d["referrer_note"],
            ),
        )
        if done is not None:
            return to_case(referral, "Case closed", request)
    return form_page(
        request,
        referral,
        form,
        "Close the case",
        series=selectors.measure_series(referral=referral),
        template="casework/close.html",
    )


@roles(CASEWORK_ROLES)
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            lambda: services.case_reopen(
                referral=referral, actor=request_user(request), reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            return to_case(referral, "Case re-opened", request)
    return form_page(request, referral, form, "Re-open the case")
