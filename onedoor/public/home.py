"""Home: a signed-in user goes straight to their own work (by role); everyone else sees the public front
door's home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onedoor.accounts.models import PROVIDER_ROLES, Role
from onedoor.core.access import public


@public
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_authenticated:
        if user.role == Role.REFERRER:
            return redirect("referrals:mine")
        if user.role in PROVIDER_ROLES:
            return redirect("referrals:queues")
        if user.role == Role.POLICE_DATA_OFFICER:
            return redirect("police:transfers")
        if user.role == Role.COMMISSIONER_ANALYST:
            return redirect("insights:overview")
        if user.role == Role.ADMINISTRATOR:
            return redirect("admin:index")
        if user.role == Role.DATA_PROTECTION_OFFICER:
            return redirect("privacy:home")
    return render(request, "public/home.html")
