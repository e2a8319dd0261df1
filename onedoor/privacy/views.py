"""The data protection officer's pages: search for a person, see what is held, export it (JSON or an HTML
pack). Every search and export is audited by the services; the terms go by POST, never in a URL."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.privacy.forms import SubjectSearchForm
from onedoor.privacy.models import LegalHold
from onedoor.privacy.selectors import referral_for_officer, sees_everything
from onedoor.privacy.services import PrivacyError, legal_hold_lift, legal_hold_set
from onedoor.privacy.subject_access import SearchTerms, subject_export, subject_search
from onedoor.referrals.access import ReferralAction, referral_for_action

FORMATS = ("json", "html")


def _download(request: AuthedHttpRequest, document: dict[str, Any], fmt: str) -> HttpResponse:
    # The file name says when, never who.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="subject-access-{stamp}.json"'
        return response
    response = render(request, "privacy/pack.html", {"doc": document})
    response["Content-Disposition"] = f'attachment; filename="subject-access-{stamp}.html"'
    return response


@roles(Role.DATA_PROTECTION_OFFICER)
def home(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request, "privacy/home.html", {"form": SubjectSearchForm(), "everything": sees_everything(request.user)}
    )


@roles(Role.DATA_PROTECTION_OFFICER)
@require_POST
def search(request: AuthedHttpRequest) -> HttpResponse:
    form = SubjectSearchForm(request.POST)
    context: dict[str, Any] = {"form": form, "everything": sees_everything(request.user)}
    if form.is_valid():
        try:
            context["found"] = subject_search(officer=request.user, terms=form.terms())
        except PrivacyError as e:
            context["problem"] = str(e)
    return render(request, "privacy/home.html", context, status=200 if "problem" not in context else 400)


@roles(Role.DATA_PROTECTION_OFFICER)
@require_POST
def export(request: AuthedHttpRequest) -> HttpResponse:
    form = SubjectSearchForm(request.POST)
    fmt = request.POST.get("format", "json")
    problem = "Choose JSON or HTML." if fmt not in FORMATS else ""
    if not problem and form.is_valid():
        try:
            return _download(request, subject_export(officer=request.user, terms=form.terms()), fmt)
        except PrivacyError as e:
            problem = str(e)
    context = {"form": form, "everything": sees_everything(request.user), "problem": problem}
    return render(request, "privacy/home.html", context, status=400)


@roles(Role.DATA_PROTECTION_OFFICER)
def referral_export(request: AuthedHttpRequest, reference: str, fmt: str) -> HttpResponse:
    """One referral's person, by its reference: 404 for a referral this officer does not answer for."""
    referral = referral_for_officer(officer=request.user, reference=reference)
    if fmt not in FORMATS:
        raise Http404
    return _download(
        request, subject_export(officer=request.user, terms=SearchTerms(reference=referral.reference)), fmt
    )


@roles(Role.TEAM_LEAD)
def legal_hold(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    """A team lead puts the case their team holds under a legal hold (retention leaves it alone), with a
    reason, or lifts the hold. 404 for a case the team does not hold."""
    referral = referral_for_action(user=request.user, reference=reference, action=ReferralAction.LEAD)
    hold = LegalHold.objects.filter(referral=referral, lifted_at__isnull=True).first()
    problem = ""
    if request.method == "POST":
        try:
            if hold is not None and request.POST.get("lift"):
                legal_hold_lift(hold=hold, actor=request.user)
            else:
                legal_hold_set(referral=referral, actor=request.user, reason=request.POST.get("reason", ""))
            return redirect("privacy:legal_hold", reference=referral.reference)
        except PrivacyError as e:
            problem = str(e)
    return render(
        request,
        "privacy/legal_hold.html",
        {"referral": referral, "hold": hold, "problem": problem},
        status=400 if problem else 200,
    )
