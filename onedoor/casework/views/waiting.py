"""The waiting list: joining, check-ins, interim support, telling the person their place, starting support."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onedoor.casework import access, selectors, services
from onedoor.casework import forms as cf
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles
from onedoor.core.errors import DomainError
from onedoor.referrals import selectors as referral_selectors


@roles(CASEWORK_ROLES)
def waiting_add(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.WaitingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.waiting_list_add(
                referral=referral,
                actor=request_user(request),
                interim_support=d["interim_support"],
                check_in_every_days=d["check_in_every_days"],
            ),
        )
        if done is not None:
            return to_case(referral, "Added to the waiting list", request)
    return form_page(request, referral, form, "Put on the waiting list")


@roles(CASEWORK_ROLES)
def check_in(request: HttpRequest, reference: str, check_in_id: int) -> HttpResponse:
    referral, item = access.access_check_in_by_id(user=request.user, reference=reference, check_in_id=check_in_id)
    form = cf.CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            lambda: services.welfare_check_in_complete(
                check_in=item, actor=request_user(request), note=form.cleaned_data["note"]
            ),
        )
        if done is not None:
            return to_case(referral, "Check-in recorded; the next one is scheduled", request)
    return form_page(request, referral, form, "Welfare check-in")


@roles(CASEWORK_ROLES)
def interim_support(request: HttpRequest, reference: str) -> HttpResponse:
    referral, row = access.access_waiting_entry(user=request.user, reference=reference)
    form = cf.InterimSupportForm(request.POST or None, initial={"interim_support": row.entry.interim_support})
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            lambda: services.waiting_list_interim_support_record(
                entry=row.entry, actor=request_user(request), interim_support=form.cleaned_data["interim_support"]
            ),
        )
        if done is not None:
            return to_case(referral, "Interim support recorded", request)
    return form_page(request, referral, form, "Interim support while waiting")


@roles(CASEWORK_ROLES)
@require_POST
def position_message(request: HttpRequest, reference: str) -> HttpResponse:
    referral, row = access.access_waiting_entry(user=request.user, reference=reference)
    try:
        services.waiting_list_position_message_request(entry=row.entry, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("casework:case", reference=referral.reference)
    return to_case(referral, "Asked for the person to be told their position", request)


@roles(CASEWORK_ROLES)
@require_POST
def start_support(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    try:
        services.support_start(referral=referral, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("casework:case", reference=referral.reference)
    return to_case(referral, "Support started", request)


@roles(CASEWORK_ROLES)
def waiting_list(request: HttpRequest, slug: str) -> HttpResponse:
    service = referral_selectors.service_for_queue(user=request.user, slug=slug)
    page, rows = selectors.waiting_list(service=service, page=request.GET.get("page"))
    return render(request, "casework/waiting_list.html", {"service": service, "rows": rows, "page": page})
