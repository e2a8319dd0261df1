"""Pages for provider teams: the team queue (the functional mailbox) and triage decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onedoor.accounts.models import PROVIDER_ROLES
from onedoor.core.access import roles
from onedoor.core.errors import DomainError
from onedoor.core.http import AuthedHttpRequest
from onedoor.referrals import access, eligibility, selectors, services
from onedoor.referrals.access import TRIAGE_ROLES
from onedoor.referrals.forms import DeclineForm, RerouteForm
from onedoor.referrals.models import OPEN_STATUSES, Referral, Status
from onedoor.referrals.queue_filters import QueueFilterForm, QueueFilters
from onedoor.referrals.routing import RoutingTable

QUEUE_PAGE_SIZE = 50


@roles(PROVIDER_ROLES)
def queues(request: AuthedHttpRequest) -> HttpResponse:
    mine = list(selectors.services_of(user=request.user))
    if len(mine) == 1:
        return redirect("referrals:queue", slug=mine[0].slug)
    return render(request, "referrals/queues.html", {"services": mine})


@roles(PROVIDER_ROLES)
def queue(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """The team queue: filters and search by GET (bookmarkable, no JavaScript needed), a keyset page and
    a capped count, so that the page costs the same at any size (ADR 0029)."""
    service = selectors.service_for_queue(user=request.user, slug=slug)
    form = QueueFilterForm(request.GET or None, colleagues=selectors.colleagues_of(user=request.user))
    filters = form.filters() if form.is_bound else QueueFilters()
    page = selectors.queue_page(
        rows=selectors.queue(service=service, filters=filters, user=request.user),
        size=QUEUE_PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    today = timezone.localdate()
    for row in page.rows:
        row.overdue_days = row.overdue_working_days(today)  # type: ignore[attr-defined]
    kept = request.GET.copy()
    for key in ("after", "before"):
        kept.pop(key, None)
    return render(
        request,
        "referrals/queue.html",
        {
            "service": service,
            "page": page,
            "form": form,
            "filters": filters,
            "targets": selectors.first_contact_targets(service=service),
            "query": kept.urlencode(),
        },
    )


def _decline_form(referral: Referral, data: Any = None, *, search: str = "") -> DeclineForm:
    """The decline form, its suggestions by full name, those that fit the referral first."""
    groups = eligibility.suggestion_groups(
        facts=eligibility.facts_of(referral), exclude=[referral.current_service_id or 0], search=search
    )
    return DeclineForm(data, groups=groups)


def _reroute_form(referral: Referral, data: Any = None) -> RerouteForm:
    """The re-route form, each service checked against the routing rules and the directory's eligibility."""
    targets = eligibility.reroute_targets(
        facts=eligibility.facts_of(referral),
        current_service_id=referral.current_service_id,
        table=RoutingTable.load(on=timezone.localdate()),
    )
    return RerouteForm(data, targets=targets)


def _detail(
    request: AuthedHttpRequest,
    referral: Referral,
    *,
    decline_form: DeclineForm | None = None,
    reroute_form: RerouteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    services.referral_record_view(referral=referral, actor=request.user)
    user = request.user
    holds = access.holds(user=user, referral=referral)
    can_triage = access.may_act(user=user, referral=referral, action=access.ReferralAction.TRIAGE)
    search = request.GET.get("suggest", "")[:100]
    if can_triage:
        decline_form = decline_form or _decline_form(referral, search=search)
        reroute_form = reroute_form or _reroute_form(referral)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "holds": holds,
            "can_triage": can_triage,
            "allowed": services.TRANSITIONS[referral.status] if holds else frozenset(),
            "timeline": referral.events.select_related("service", "actor", "suggested_service"),
            "flags": referral.flags.all(),
            "secondary": referral.secondary_services.all(),
            "decline_form": decline_form,
            "reroute_form": reroute_form,
            "suggest_search": search,
            "colleagues": selectors.colleagues_of(user=user),
            "today": timezone.localdate(),
            "overdue_days": referral.overdue_working_days(timezone.localdate()),
            "can_claim": holds and referral.status in OPEN_STATUSES,
            "Status": Status,
        },
        status=status,
    )


@roles(PROVIDER_ROLES)
def referral_detail(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    return _detail(request, selectors.referral_for_provider(user=request.user, reference=reference))


@roles(PROVIDER_ROLES)
def handed_on(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    """What a service that handed a referral on still sees: its own part of the history, nothing newer."""
    history = selectors.handed_on_history(user=request.user, reference=reference)
    return render(request, "referrals/handed_on.html", {"history": history})


def _act(request: AuthedHttpRequest, reference: str, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    referral = selectors.referral_for_provider(user=request.user, reference=reference)
    try:
        updated = action(referral=referral, actor=request.user, **kwargs)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done.format(ref=referral.reference))
        if not selectors.referrals_visible_to(user=request.user).filter(pk=updated.pk).exists():
            return redirect("referrals:handed_on", reference=referral.reference)
    return redirect("referrals:detail", reference=referral.reference)


@roles(TRIAGE_ROLES)
@require_POST
def accept(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, services.referral_accept, "Referral {ref} accepted")


@roles(TRIAGE_ROLES)
@require_POST
def triage(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, services.referral_triage, "Referral {ref} marked as triaged")


@roles(TRIAGE_ROLES)
@require_POST
def decline(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    referral = selectors.referral_for_provider(user=request.user, reference=reference)
    decline_form = _decline_form(referral, request.POST)
    if not decline_form.is_valid():
        return _detail(request, referral, decline_form=decline_form, status=400)
    return _act(
        request,
        reference,
        services.referral_decline,
        "Referral {ref} declined",
        reason_code=decline_form.cleaned_data["reason_code"],
        suggested_service=decline_form.cleaned_data["suggested_service"],
        referrer_note=decline_form.cleaned_data["referrer_note"],
    )


@roles(TRIAGE_ROLES)
@require_POST
def reroute(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    referral = selectors.referral_for_provider(user=request.user, reference=reference)
    form = _reroute_form(referral, request.POST)
    if not form.is_valid():
        return _detail(request, referral, reroute_form=form, status=400)
    to_service = form.cleaned_data["to_service"]
    try:
        updated = services.referral_reroute(
            referral=referral,
            actor=request.user,
            to_service=to_service,
            referrer_note=form.cleaned_data["referrer_note"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except services.RerouteNeedsOverride as exc:
        # Nothing was saved: show what does not fit, beside the reason box, with the choices kept.
        form.add_error("override_reason", str(exc))
        return _detail(request, referral, reroute_form=form, status=400)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("referrals:detail", reference=referral.reference)
    messages.success(request, f"Referral {referral.reference} sent to {to_service.name}")
    if not selectors.referrals_visible_to(user=request.user).filter(pk=updated.pk).exists():
        return redirect("referrals:handed_on", reference=referral.reference)
    return redirect("referrals:detail", reference=referral.reference)


@roles(PROVIDER_ROLES)
@require_POST
def claim(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    return _act(request, reference, services.referral_assign, "You have claimed referral {ref}", assignee=request.user)


@roles(TRIAGE_ROLES)
@require_POST
def assign(request: AuthedHttpRequest, reference: str) -> HttpResponse:
    raw = request.POST.get("assignee", "")
    assignee = selectors.colleagues_of(user=request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
    if assignee is None:
        referral = selectors.referral_for_provider(user=request.user, reference=reference)
        messages.error(request, "Choose a colleague to assign the referral to")
        return redirect("referrals:detail", reference=referral.reference)
    return _act(request, reference, services.referral_assign, "Referral {ref} assigned", assignee=assignee)
