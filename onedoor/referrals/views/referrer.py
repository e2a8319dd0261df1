"""Pages for referrers: the standard form, and the closed loop ("My referrals")."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.submissions import SubmissionKeyReused, already_sent_message, form_submission_run, form_token
from onedoor.directory.models import Service
from onedoor.referrals import selectors, services
from onedoor.referrals.forms import ReferralForm


def _create(form: ReferralForm, user: Any) -> dict[str, Any]:
    outcome = services.referral_create(details=form.to_details(), source="professional", referrer=user)
    if outcome.referral is not None:
        return {"reference": outcome.referral.reference}
    assert outcome.signpost_record is not None
    return {"signpost_record": outcome.signpost_record.pk}


@roles(Role.REFERRER)
def referral_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ReferralForm(request.POST or None)
    token = form_token(request)
    if request.method == "POST" and form.is_valid():
        try:
            # A double click, or a resend after a lost response, gets the first referral, not a second one.
            done = form_submission_run(request, scope=f"referrer-form:{user.pk}", run=lambda: _create(form, user))
        except services.ReferralRefused as exc:
            form.add_error("consent", str(exc))
        except SubmissionKeyReused as exc:
            form.add_error(None, already_sent_message(exc.first.get("reference")))
            token = form_token(request, fresh=True)
        else:
            if "reference" in done.result:
                return redirect("referrals:mine_detail", reference=done.result["reference"])
            return redirect("referrals:signposted", pk=done.result["signpost_record"])
    return render(request, "referrals/new.html", {"form": form, "referrer": user, "submission_token": token})


@roles(Role.REFERRER)
def signposted(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.signpost_record_for(user=request.user, pk=pk)
    services_list = Service.objects.filter(slug__in=record.signpost)
    return render(request, "referrals/signposted.html", {"record": record, "services": services_list})


@roles(Role.REFERRER)
def my_referrals(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.referrals_of_referrer(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "referrals/mine.html", {"page": page})


@roles(Role.REFERRER)
def my_referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.referral_for_referrer(user=request.user, reference=reference)
    services.referral_record_view(referral=referral, actor=request.user, what="timeline")
    return render(
        request,
        "referrals/mine_detail.html",
        {
            "referral": referral,
            "timeline": selectors.referrer_timeline(referral=referral),
            "signpost": Service.objects.filter(slug__in=referral.routing_signpost),
        },
    )
