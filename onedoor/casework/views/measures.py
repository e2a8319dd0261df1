"""Outcome measures."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from onedoor.casework import forms as cf
from onedoor.casework import measures, services
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, form_page, held_case, request_user, to_case
from onedoor.core.access import roles


@roles(CASEWORK_ROLES)
def measure(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    referral = held_case(request, reference)
    try:
        spec = measures.spec(code)
    except measures.MeasureError:
        raise Http404 from None
    form = cf.MeasureForm(request.POST or None, spec=spec)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.measure_record(
                referral=referral,
                actor=request_user(request),
                measure=code,
                stage=d["stage"],
                answers=form.answers(),
                administered_on=d["administered_on"],
            ),
        )
        if done is not None:
            extra = " The team lead has been alerted to the risk item." if done.risk_items else ""
            return to_case(referral, f"{spec.name} recorded: {done.total} ({done.band}).{extra}", request)
    return form_page(request, referral, form, spec.name, template="casework/measure.html", spec=spec)
