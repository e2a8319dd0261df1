"""Contact attempts, and closing as unable to contact."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from onedoor.casework import forms as cf
from onedoor.casework import services
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles
from onedoor.core.errors import DomainError


@roles(CASEWORK_ROLES)
def contact(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.ContactAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.contact_attempt_record(
                referral=referral,
                actor=request_user(request),
                channel=d["channel"],
                outcome=d["outcome"],
                at=d["at"],
                note=d["note"],
            ),
        )
        if done is not None:
            return to_case(referral, "Contact attempt recorded", request)
    return form_page(request, referral, form, "Record a contact attempt", template="casework/contact.html")


@roles(CASEWORK_ROLES)
@require_POST
def unable_to_contact(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    try:
        services.contact_unable_to_contact_close(referral=referral, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("casework:case", reference=referral.reference)
    return to_case(referral, "Closed as not engaged: unable to contact. The referrer has been told.", request)
