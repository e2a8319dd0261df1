from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.http import AuthedHttpRequest
from onedoor.insights import selectors
from onedoor.insights.disclosure import SUPPRESS_BELOW


@roles(Role.COMMISSIONER_ANALYST)
def overview(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "insights/overview.html",
        {
            "today": today,
            "by_service": selectors.demand_by_service(today=today),
            "by_district": selectors.demand_by_district(today=today),
            "by_source": selectors.demand_by_source(),
            "gaps": selectors.gaps_and_signposting(),
            "suppress_below": SUPPRESS_BELOW,
        },
    )
