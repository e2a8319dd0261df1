"""Pages for referrers: the standard form, and the closed loop ("My referrals")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from onedoor.accounts.models import Role, User
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.core.submissions import SubmissionKeyReused, already_sent_message, form_submission_run, form_token
from onedoor.directory.models import Service
from onedoor.referrals import selectors, services
from onedoor.referrals.forms import ReferralForm
from onedoor.referrals.models import AWAITING_CONTACT_STATUSES, Referral, Status, StatusEvent


def _create(form: ReferralForm, user: User) -> dict[str, Any]:
    outcome = services.referral_create(details=form.to_details(), source="professional", referrer=user)
    if outcome.referral is not None:
        return {"reference": outcome.referral.reference}
    assert outcome.signpost_record is not None
    return {"signpost_record": outcome.signpost_record.pk}


@roles(Role.REFERRER)
def referral_new(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
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
def signposted(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.signpost_record_for(user=request.user, pk=pk)
    services_list = Service.objects.filter(slug__in=record.signpost)
    return render(request, "referrals/signposted.html", {"record": record, "services": services_list})


@roles(Role.REFERRER)
def my_referrals(request: AuthedHttpRequest) -> HttpResponse:
    # Referrals and the police or web referrals that were only signposted (nothing about the person kept), in
    # keyset pages with a capped count: a referrer with 225,000 costs what one with 25 does (ADR 0034).
    page = selectors.referrer_entries_page(user=request.user, params=request.GET, size=25)
    entries = selectors.referrer_entries_load(list(page.object_list))
    return render(request, "referrals/mine.html", {"page": page, "entries": entries})


@dataclass(frozen=True)
class WhereItIs:
    """What actually happened to a referral, for the referrer: which panel to show and what to say in it."""

    kind: str  # "sent" (with a service, contact owed), "with" (contacted or engaged), "moved", "ended"
    service: Service | None
    event: StatusEvent | None  # the event that put it in its current status
    previous_service: Service | None = None  # before a re-route
    awaiting_contact: bool = False


def where_it_is(referral: Referral, timeline: list[StatusEvent]) -> WhereItIs:
    last = next((e for e in reversed(timeline) if e.to_status == referral.status), None)
    awaiting = referral.status in AWAITING_CONTACT_STATUSES
    if referral.status == Status.REROUTED:
        before = [e.service for e in timeline if last is not None and e.at <= last.at and e.pk != last.pk]
        previous = next((s for s in reversed(before) if s is not None and s != referral.current_service), None)
        return WhereItIs("moved", referral.current_service, last, previous, awaiting_contact=True)
    if referral.status in (Status.DECLINED, Status.NOT_ENGAGED, Status.CLOSED):
        return WhereItIs("ended", last.service if last else referral.current_service, last)
    if awaiting:
        return WhereItIs("sent", referral.current_service, last, awaiting_contact=True)
    return WhereItIs("with", referral.current_service, last)


@roles(Role.REFERRER)
def my_referral_detail(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    referral = selectors.referral_for_referrer(user=request.user, reference=reference)
    services.referral_record_view(referral=referral, actor=request.user, what="timeline")
    timeline = list(selectors.referrer_timeline(referral=referral))
    return render(
        request,
        "referrals/mine_detail.html",
        {
            "referral": referral,
            "timeline": timeline,
            "where": where_it_is(referral, timeline),
            "signpost": Service.objects.filter(slug__in=referral.routing_signpost),
        },
    )
