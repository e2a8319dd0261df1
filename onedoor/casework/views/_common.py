"""What the casework pages share: who may use them, the held-case fetch, and the form round trip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onedoor.accounts.models import PROVIDER_ROLES, User
from onedoor.core.errors import DomainError
from onedoor.referrals.access import ReferralAction, referral_for_action
from onedoor.referrals.models import Referral
from onedoor.referrals.services import referral_record_view

CASEWORK_ROLES = PROVIDER_ROLES


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "casework views admit signed-in staff only (deny by default)"
    return user


def held_case(request: HttpRequest, reference: str) -> Referral:
    """A case the user's organisation holds now, for casework: only they may change it (404 otherwise,
    audited; onedoor.referrals.access)."""
    return referral_for_action(user=request.user, reference=reference, action=ReferralAction.CASEWORK)


def call_service(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Call a service; put its refusal on the form. Returns the result, or None if refused."""
    try:
        return call()
    except (DomainError, PermissionDenied) as exc:
        field = getattr(exc, "field", "")
        form.add_error(field if field in form.fields else None, str(exc))
        return None


def form_page(request: HttpRequest, referral: Any, form: forms.Form, title: str, **extra: Any) -> HttpResponse:
    if request.method == "GET":
        # These pages show parts of the case too (contact details, earlier assessments): audit the view.
        match = request.resolver_match
        referral_record_view(referral=referral, actor=request.user, what=(match.url_name if match else None) or "form")
    return render(
        request,
        extra.pop("template", "casework/form.html"),
        {"referral": referral, "form": form, "title": title, **extra},
        status=400 if form.is_bound and form.errors else 200,
    )


def to_case(referral: Any, message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect("casework:case", reference=referral.reference)


def service_offers(referral: Referral) -> list[str]:
    return list(referral.current_service.offers) if referral.current_service else []
