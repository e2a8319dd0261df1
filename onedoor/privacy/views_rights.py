"""The data protection officer answers a person's request about one referral: correct their details,
erase them (or refuse, under an exemption, with a review date), restrict processing or lift a
restriction. And the holding team records a withdrawal of consent. The services decide, lock and audit;
these pages only collect the answer and show what was decided. The referral is named by its reference,
which is not personal; every other term goes by POST."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from onedoor.accounts.models import PROVIDER_ROLES, Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.privacy.forms import ErasureForm, LiftForm, RectifyForm, RestrictForm
from onedoor.privacy.models import Exemption, LegalHold, Restriction, SubjectRequest
from onedoor.privacy.selectors import referral_for_officer
from onedoor.privacy.services import (
    RECTIFIABLE,
    PrivacyError,
    consent_withdraw,
    erasure_exemption,
    person_erase,
    person_rectify,
    processing_restrict,
    restriction_lift,
)
from onedoor.privacy.subject_access import subject_referral_view
from onedoor.referrals.access import ReferralAction, referral_for_action
from onedoor.referrals.models import Referral


def _held(referral: Referral) -> dict[str, Any]:
    """The details as held, as the correction form shows them."""
    held = {n: getattr(referral, n) for n in RECTIFIABLE}
    if held["date_of_birth"]:
        dob = held["date_of_birth"]
        held["date_of_birth"] = f"{dob.day}/{dob.month}/{dob.year}"
    return held


def _page(request: AuthedHttpRequest, referral: Referral, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    context = {
        "referral": referral,
        "rectify": forms_.get("rectify") or RectifyForm(initial=_held(referral)),
        "erase": forms_.get("erase") or ErasureForm(),
        "restrict": forms_.get("restrict") or RestrictForm(),
        "lift": forms_.get("lift") or LiftForm(),
        "exemption": erasure_exemption(referral),
        "exemption_none": Exemption.NONE,
        "restrictions": list(Restriction.objects.filter(referral=referral, lifted_at__isnull=True)),
        "hold": LegalHold.objects.filter(referral=referral, lifted_at__isnull=True).first(),
        "requests": list(SubjectRequest.objects.filter(referral=referral).select_related("officer")),
    }
    return render(request, "privacy/referral.html", context, status=status)


@roles(Role.DATA_PROTECTION_OFFICER)
def referral(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    """One referral the officer answers for (404 otherwise, audited): what is held, what was asked, and the
    forms to answer a request. Opening it is audited: it shows the person's details."""
    found = referral_for_officer(officer=request.user, reference=reference)
    subject_referral_view(officer=request.user, referral=found)
    return _page(request, found)


def _problem(form: forms.Form, e: PrivacyError) -> None:
    form.add_error(None, str(e))


@roles(Role.DATA_PROTECTION_OFFICER)
@require_POST
def rectify(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    found = referral_for_officer(officer=request.user, reference=reference)
    form = RectifyForm(request.POST, initial=_held(found))
    if form.is_valid() and not form.changes():
        form.add_error(None, "Nothing would change: change the details that are wrong, then correct them.")
    elif form.is_valid():
        try:
            done = person_rectify(
                officer=request.user,
                referral=found,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
                received_on=form.cleaned_data["received_on"],
            )
        except PrivacyError as e:
            _problem(form, e)
        else:
            names = ", ".join(str(RectifyForm.base_fields[n].label or n) for n in done.fields_changed)
            messages.success(request, f"Corrected: {names.lower()}.")
            return redirect("privacy:referral", reference=found.reference)
    return _page(request, found, status=400, rectify=form)


@roles(Role.DATA_PROTECTION_OFFICER)
@require_POST
def erase(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    found = referral_for_officer(officer=request.user, reference=reference)
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            done = person_erase(
                officer=request.user,
                referral=found,
                reason=form.cleaned_data["reason"],
                received_on=form.cleaned_data["received_on"],
                review_on=form.cleaned_data["review_on"],
            )
        except PrivacyError as e:
            _problem(form, e)
        else:
            if done.exemption:
                review = date_format(done.review_on, "j F Y") if done.review_on else ""
                messages.warning(
                    request,
                    f"Erasure refused: {Exemption(done.exemption).label.lower()}. Look at it again on {review}.",
                )
            else:
                messages.success(request, "Erased: the person's details are removed; the counted fields are kept.")
            return redirect("privacy:referral", reference=found.reference)
    return _page(request, found, status=400, erase=form)


@roles(Role.DATA_PROTECTION_OFFICER)
@require_POST
def restrict(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    found = referral_for_officer(officer=request.user, reference=reference)
    form = RestrictForm(request.POST)
    if form.is_valid():
        try:
            processing_restrict(
                officer=request.user,
                referral=found,
                reason=form.cleaned_data["reason"],
                received_on=form.cleaned_data["received_on"],
            )
        except PrivacyError as e:
            _problem(form, e)
        else:
            messages.success(request, "Processing restricted: the case is read-only and nothing is sent.")
            return redirect("privacy:referral", reference=found.reference)
    return _page(request, found, status=400, restrict=form)


@roles(Role.DATA_PROTECTION_OFFICER)
@require_POST
def lift(request: AuthedHttpRequest, reference: str, restriction_id: int) -> HttpResponse:
    found = referral_for_officer(officer=request.user, reference=reference)
    restriction = get_object_or_404(Restriction, pk=restriction_id, referral=found)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            restriction_lift(officer=request.user, restriction=restriction, reason=form.cleaned_data["reason"])
        except PrivacyError as e:
            _problem(form, e)
        else:
            messages.success(request, "Restriction lifted: processing can resume.")
            return redirect("privacy:referral", reference=found.reference)
    return _page(request, found, status=400, lift=form)


@roles(PROVIDER_ROLES)
def consent_withdrawal(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    """The holding team records that the person withdrew their consent: a page that says what will happen,
    then a confirmation. 404 for a referral the team does not hold."""
    found = referral_for_action(user=request.user, reference=reference, action=ReferralAction.CASEWORK)
    if request.method == "POST":
        try:
            result = consent_withdraw(referral=found, actor=request.user)
        except PrivacyError as e:
            return render(
                request, "privacy/consent_withdrawal.html", {"referral": found, "problem": str(e)}, status=400
            )
        messages.success(request, result.explanation)
        return redirect("privacy:consent_withdrawal", reference=found.reference)
    return render(request, "privacy/consent_withdrawal.html", {"referral": found})
