"""The support plan and its goals."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from onedoor.casework import access, selectors, services
from onedoor.casework import forms as cf
from onedoor.casework.views._common import (
    CASEWORK_ROLES,
    call_service,
    form_page,
    held_case,
    request_user,
    service_offers,
    to_case,
)
from onedoor.core.access import roles


@roles(CASEWORK_ROLES)
def plan(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    current = selectors.support_plan(referral=referral)
    initial = {"headline": current.headline, "review_on": current.review_on} if current else {}
    form = cf.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.support_plan_save(
                referral=referral, actor=request_user(request), headline=d["headline"], review_on=d["review_on"]
            ),
        )
        if done is not None:
            return to_case(referral, "Support plan saved", request)
    return form_page(request, referral, form, "Support plan")


@roles(CASEWORK_ROLES)
def goal_add(request: HttpRequest, reference: str) -> HttpResponse:
    referral = held_case(request, reference)
    form = cf.GoalForm(request.POST or None, offers=service_offers(referral))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.goal_add(
                referral=referral,
                actor=request_user(request),
                need=d["need"],
                description=d["description"],
                intervention=d["intervention"],
            ),
        )
        if done is not None:
            return to_case(referral, "Goal added", request)
    return form_page(request, referral, form, "Add a goal")


@roles(CASEWORK_ROLES)
def goal_note(request: HttpRequest, reference: str, goal_id: int) -> HttpResponse:
    referral, goal = access.access_goal_by_id(user=request.user, reference=reference, goal_id=goal_id)
    form = cf.ProgressNoteForm(request.POST or None, initial={"status": goal.status})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            lambda: services.goal_progress_note_add(
                goal=goal, actor=request_user(request), note=d["note"], status=d["status"]
            ),
        )
        if done is not None:
            return to_case(referral, "Progress note added", request)
    return form_page(request, referral, form, f"Progress on: {goal.description}")
