"""My cases, the team view, alerts, shared summaries and supervision sessions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onedoor.accounts.models import Role, User
from onedoor.casework import access, caseload, selectors, services
from onedoor.casework import forms as cf
from onedoor.casework.views._common import CASEWORK_ROLES, call_service, request_user
from onedoor.core.access import roles
from onedoor.core.pagination import capped_count, keyset_page
from onedoor.referrals import selectors as referral_selectors
from onedoor.referrals.access import LEAD_ROLES
from onedoor.referrals.models import Referral
from onedoor.referrals.services import referral_record_view

ALERTS_PAGE_SIZE = 50


@roles(CASEWORK_ROLES)
def my_cases(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sort = request.GET.get("sort", caseload.DEFAULT_SORT)
    if sort not in caseload.MY_CASES_SORTS:
        sort = caseload.DEFAULT_SORT
    page, counts = caseload.my_cases_page(user=request.user, sort=sort, page=request.GET.get("page"))
    return render(
        request,
        "casework/my_cases.html",
        {
            "page": page,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _) in caseload.MY_CASES_SORTS.items()],
            "due": selectors.due_for(user=request.user, today=today),
            "today": today,
            "counts": counts,
            "alerts": (  # counted, capped: a lead's team may let thousands pile up
                capped_count(selectors.open_alerts(user=request.user))
                if request_user(request).role == Role.TEAM_LEAD
                else None
            ),
            "shared": selectors.shared_cases_for(user=request.user),
            "services": referral_selectors.services_of(user=request.user),
        },
    )


@roles(LEAD_ROLES)
def team(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    services_held = list(referral_selectors.services_of(user=request.user))
    chosen = next((s for s in services_held if s.slug == request.GET.get("service")), None)
    service = chosen or (services_held[0] if services_held else None)
    org_services = selectors.organisation_service_ids(user=request.user)  # once, for the two due readings
    return render(
        request,
        "casework/team.html",
        {
            "services": services_held,
            "service": service,
            "cases": (
                caseload.team_cases_page(user=request.user, service=service, page=request.GET.get("page"))
                if service
                else None
            ),
            "rows": selectors.team_view(user=request.user, today=today, services=org_services),
            "due": selectors.due_for(user=request.user, today=today, mine_only=False, services=org_services),
            "today": today,
        },
    )


@roles(LEAD_ROLES)
def alerts(request: HttpRequest) -> HttpResponse:
    # Newest first, by keyset: a team that lets alerts pile up still gets its page at once (ADR 0034).
    page = keyset_page(selectors.open_alerts(user=request.user), request.GET, field="created_at", size=ALERTS_PAGE_SIZE)
    return render(request, "casework/alerts.html", {"alerts": page, "page": page})


@roles(LEAD_ROLES)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access.access_alert_by_id(user=request.user, alert_id=pk)
    services.alert_acknowledge(alert=alert, actor=request_user(request))
    messages.success(request, "Alert acknowledged")
    return redirect("casework:alerts")


@roles(CASEWORK_ROLES)
def shared_summary(request: HttpRequest, reference: str) -> HttpResponse:
    summary = selectors.shared_summary_for(user=request.user, reference=reference)
    referral = Referral.objects.get(reference=summary.reference)  # authorised by the selector above
    referral_record_view(referral=referral, actor=request.user, what="shared_summary")
    return render(request, "casework/shared_summary.html", {"summary": summary})


@roles(CASEWORK_ROLES)
def sessions(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    practitioners = (
        referral_selectors.colleagues_of(user=user) if user.role == Role.TEAM_LEAD else User.objects.filter(pk=user.pk)
    )
    form = cf.SessionForm(request.POST or None, practitioners=practitioners, initial={"practitioner": user.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            lambda: services.practitioner_session_record(
                practitioner=d["practitioner"], actor=user, kind=d["kind"], on=d["on"]
            ),
        ):
            messages.success(request, "Session recorded")
            return redirect("casework:my_cases")
    return render(
        request,
        "casework/form.html",
        {"form": form, "title": "Record supervision or CPD (date and type only)"},
        status=400 if form.is_bound and form.errors else 200,
    )
