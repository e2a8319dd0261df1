"""Caseworker and team-lead pages. Views parse input and call onedoor.casework.services; every case they
show is fetched through a selector that answers 404 to anyone who may not see it, and every view of a
case is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onedoor.accounts.models import PROVIDER_ROLES, Role, User
from onedoor.casework import forms as cf
from onedoor.casework import measures, rules, selectors, services
from onedoor.casework.models import (
    Assessment,
    ContactAttempt,
    Goal,
    JointWorking,
    Measure,
    ModernSlaveryReferral,
    WelfareCheckIn,
)
from onedoor.core.access import roles
from onedoor.core.audit import audit_refusal
from onedoor.core.models import NeedCategory
from onedoor.referrals import selectors as referral_selectors
from onedoor.referrals.models import Referral
from onedoor.referrals.services import referral_record_view

CASEWORK_ROLES = PROVIDER_ROLES
LEAD_ROLES = (Role.TEAM_LEAD,)


def _user(request: HttpRequest) -> User:
    user: Any = request.user
    return user


def _held_case(request: HttpRequest, reference: str) -> Any:
    """A case the user's organisation holds now: only they may change it."""
    referral = selectors.case_for_provider(user=request.user, reference=reference)
    if not selectors.holds(user=request.user, referral=referral):
        # Seen but not held (the other side of a transition): refused, and audited like any refusal.
        audit_refusal(actor=request.user, model=Referral, reference=referral.reference, what="case.change")
        raise Http404
    return referral


def _attempt(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Call a service; put its refusal on the form. Returns the result, or None if refused."""
    try:
        return call()
    except (services.CaseworkError, services.UnsafeContact, PermissionDenied, ValueError) as exc:
        form.add_error(None, str(exc))
        return None


def _form_page(request: HttpRequest, referral: Any, form: forms.Form, title: str, **extra: Any) -> HttpResponse:
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


def _to_case(referral: Any, message: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect("casework:case", reference=referral.reference)


# -- the case page ---------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def case(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.case_for_provider(user=request.user, reference=reference)
    referral_record_view(referral=referral, actor=request.user, what="casework")
    holds = selectors.holds(user=request.user, referral=referral)
    return render(
        request,
        "casework/case.html",
        {
            "referral": referral,
            "holds": holds,
            "safe_channels": rules.safe_channels(referral),
            "today": timezone.localdate(),
            "attempts": ContactAttempt.objects.filter(referral=referral).select_related("recorded_by"),
            "assessment": selectors.latest_assessment(referral=referral),
            "assessment_count": Assessment.objects.filter(referral=referral).count(),
            "plan": selectors.support_plan(referral=referral),
            "series": selectors.measure_series(referral=referral),
            "waiting": selectors.waiting_position(referral=referral),
            "joint": JointWorking.objects.filter(referral=referral).select_related("partner_service"),
            "slavery": ModernSlaveryReferral.objects.filter(referral=referral),
            "closures": referral.closures.prefetch_related("needs_improved"),
            "measures": Measure.choices,
            "goal_form": cf.GoalForm(offers=_offers(referral)),
            "grounds_form": cf.GroundsForm(),
            **selectors.onward_links(referral=referral),
        },
    )


# -- 1. contact ------------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def contact(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.ContactAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.contact_attempt_record(
                referral=referral,
                actor=_user(request),
                channel=d["channel"],
                outcome=d["outcome"],
                at=d["at"],
                note=d["note"],
            ),
        )
        if done is not None:
            return _to_case(referral, "Contact attempt recorded", request)
    return _form_page(request, referral, form, "Record a contact attempt", template="casework/contact.html")


@roles(CASEWORK_ROLES)
@require_POST
def unable_to_contact(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    try:
        services.contact_unable_to_contact_close(referral=referral, actor=_user(request))
    except services.CaseworkError as exc:
        messages.error(request, str(exc))
        return redirect("casework:case", reference=referral.reference)
    return _to_case(referral, "Closed as not engaged: unable to contact. The referrer has been told.", request)


# -- 2. assessment ---------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def assessment(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    needs = list(NeedCategory.objects.all())
    suggestion = services.enhanced_rights_suggestion(referral=referral)
    latest = selectors.latest_assessment(referral=referral)
    initial: dict[str, Any] = {"enhanced_rights": "yes" if suggestion else "no"}
    if latest:
        initial.update(
            risk_to_self=latest.risk_to_self,
            risk_from_others=latest.risk_from_others,
            risk_to_others=latest.risk_to_others,
            safeguarding_concern=latest.safeguarding_concern,
            safeguarding_referred_to=latest.safeguarding_referred_to or "none",
        )
        for r in latest.ratings.all():
            initial[f"need_{r.need.slug}"] = r.level
            initial[f"note_{r.need.slug}"] = r.note
    form = cf.AssessmentForm(request.POST or None, needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.assessment_record(
                referral=referral,
                actor=_user(request),
                ratings=form.ratings(),
                risk_to_self=d["risk_to_self"],
                risk_from_others=d["risk_from_others"],
                risk_to_others=d["risk_to_others"],
                safeguarding_concern=d["safeguarding_concern"],
                safeguarding_referred_to=d["safeguarding_referred_to"],
                enhanced_rights=d["enhanced_rights"] == "yes",
            ),
        )
        if done is not None:
            return _to_case(referral, "Assessment saved", request)
    history = (
        Assessment.objects.filter(referral=referral).select_related("assessed_by").prefetch_related("ratings__need")
    )
    return _form_page(
        request,
        referral,
        form,
        "Needs and risk assessment",
        template="casework/assessment.html",
        suggestion=suggestion,
        history=history,
    )


# -- 3. plan ---------------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def plan(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    current = selectors.support_plan(referral=referral)
    initial = {"headline": current.headline, "review_on": current.review_on} if current else {}
    form = cf.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.support_plan_save(
                referral=referral, actor=_user(request), headline=d["headline"], review_on=d["review_on"]
            ),
        )
        if done is not None:
            return _to_case(referral, "Support plan saved", request)
    return _form_page(request, referral, form, "Support plan")


def _offers(referral: Referral) -> list[str]:
    return list(referral.current_service.offers) if referral.current_service else []


@roles(CASEWORK_ROLES)
def goal_add(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.GoalForm(request.POST or None, offers=_offers(referral))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.goal_add(
                referral=referral,
                actor=_user(request),
                need=d["need"],
                description=d["description"],
                intervention=d["intervention"],
            ),
        )
        if done is not None:
            return _to_case(referral, "Goal added", request)
    return _form_page(request, referral, form, "Add a goal")


@roles(CASEWORK_ROLES)
def goal_note(request: HttpRequest, reference: str, goal_id: int) -> HttpResponse:
    referral = _held_case(request, reference)
    goal = Goal.objects.filter(pk=goal_id, plan__referral=referral).first()
    if goal is None:
        raise Http404
    form = cf.ProgressNoteForm(request.POST or None, initial={"status": goal.status})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.goal_progress_note_add(
                goal=goal, actor=_user(request), note=d["note"], status=d["status"]
            ),
        )
        if done is not None:
            return _to_case(referral, "Progress note added", request)
    return _form_page(request, referral, form, f"Progress on: {goal.description}")


# -- 4. waiting list -------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def waiting_add(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.WaitingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.waiting_list_add(
                referral=referral,
                actor=_user(request),
                interim_support=d["interim_support"],
                check_in_every_days=d["check_in_every_days"],
            ),
        )
        if done is not None:
            return _to_case(referral, "Added to the waiting list", request)
    return _form_page(request, referral, form, "Put on the waiting list")


@roles(CASEWORK_ROLES)
def check_in(request: HttpRequest, reference: str, check_in_id: int) -> HttpResponse:
    referral = _held_case(request, reference)
    item = WelfareCheckIn.objects.filter(pk=check_in_id, entry__referral=referral, done_at__isnull=True).first()
    if item is None:
        raise Http404
    form = cf.CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.welfare_check_in_complete(
                check_in=item, actor=_user(request), note=form.cleaned_data["note"]
            ),
        )
        if done is not None:
            return _to_case(referral, "Check-in recorded; the next one is scheduled", request)
    return _form_page(request, referral, form, "Welfare check-in")


@roles(CASEWORK_ROLES)
def interim_support(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    row = selectors.waiting_position(referral=referral)
    if row is None:
        raise Http404
    form = cf.InterimSupportForm(request.POST or None, initial={"interim_support": row.entry.interim_support})
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.waiting_list_interim_support_record(
                entry=row.entry, actor=_user(request), interim_support=form.cleaned_data["interim_support"]
            ),
        )
        if done is not None:
            return _to_case(referral, "Interim support recorded", request)
    return _form_page(request, referral, form, "Interim support while waiting")


@roles(CASEWORK_ROLES)
@require_POST
def position_message(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    row = selectors.waiting_position(referral=referral)
    if row is None:
        raise Http404
    try:
        services.waiting_list_position_message_request(entry=row.entry, actor=_user(request))
    except (services.CaseworkError, services.UnsafeContact) as exc:
        messages.error(request, str(exc))
        return redirect("casework:case", reference=referral.reference)
    return _to_case(referral, "Asked for the person to be told their position", request)


@roles(CASEWORK_ROLES)
@require_POST
def start_support(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    try:
        services.support_start(referral=referral, actor=_user(request))
    except (services.CaseworkError, ValueError) as exc:
        messages.error(request, str(exc))
        return redirect("casework:case", reference=referral.reference)
    return _to_case(referral, "Support started", request)


@roles(CASEWORK_ROLES)
def waiting_list(request: HttpRequest, slug: str) -> HttpResponse:
    service = referral_selectors.service_for_queue(user=request.user, slug=slug)
    return render(
        request, "casework/waiting_list.html", {"service": service, "rows": selectors.waiting_list(service=service)}
    )


# -- 5. measures -----------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def measure(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    referral = _held_case(request, reference)
    try:
        spec = measures.spec(code)
    except measures.MeasureError:
        raise Http404 from None
    form = cf.MeasureForm(request.POST or None, measure=code, items=spec.items, item_max=spec.item_max)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.measure_record(
                referral=referral,
                actor=_user(request),
                measure=code,
                stage=d["stage"],
                answers=form.answers(),
                administered_on=d["administered_on"],
            ),
        )
        if done is not None:
            extra = " The team lead has been alerted to the risk item." if done.risk_items else ""
            return _to_case(referral, f"{spec.name} recorded: {done.total} ({done.band}).{extra}", request)
    return _form_page(request, referral, form, spec.name, template="casework/measure.html", spec=spec)


# -- 6. joint working, onward referral, transitions ------------------------------------------------


@roles(CASEWORK_ROLES)
def joint(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.JointWorkingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.joint_working_start(
                referral=referral,
                actor=_user(request),
                partner_service=d["partner_service"],
                consent_to_share=d["consent_to_share"] == "yes",
            ),
        )
        if done is not None:
            return _to_case(referral, "Joint working recorded", request)
    return _form_page(request, referral, form, "Work jointly with another service")


@roles(CASEWORK_ROLES)
@require_POST
def joint_end(request: HttpRequest, reference: str, joint_id: int) -> HttpResponse:
    referral = _held_case(request, reference)
    item = JointWorking.objects.filter(pk=joint_id, referral=referral, ended_at__isnull=True).first()
    if item is None:
        raise Http404
    services.joint_working_end(joint=item, actor=_user(request))
    return _to_case(
        referral, f"Joint working with {item.partner_service} ended: they no longer see the summary", request
    )


@roles(CASEWORK_ROLES)
def onward(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.OnwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.onward_referral_make(
                referral=referral, actor=_user(request), to_service=form.cleaned_data["to_service"]
            ),
        )
        if done is not None:
            return _to_case(referral, f"Referred on: {done.to_referral.reference}", request)
    return _form_page(request, referral, form, "Refer on to another commissioned service")


@roles(CASEWORK_ROLES)
def onward_external(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.ExternalOnwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.onward_referral_external(
                referral=referral, actor=_user(request), to_service=d["to_service"], outcome=d["outcome"]
            ),
        )
        if done is not None:
            return _to_case(referral, "External referral recorded", request)
    return _form_page(request, referral, form, "Refer to a service outside OneDoor")


@roles(CASEWORK_ROLES)
def transition(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.transition_start(
                referral=referral,
                actor=_user(request),
                to_service=d["to_service"],
                handover_meeting_on=d["handover_meeting_on"],
                plan=d["plan"],
            ),
        )
        if done is not None:
            return _to_case(referral, f"Transition started: {done.to_referral.reference}", request)
    return _form_page(request, referral, form, "Transition to an adults' service")


# -- 7. modern slavery -----------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def slavery(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    is_child = referral.age_at_referral is not None and referral.age_at_referral < 18
    form = cf.ModernSlaveryForm(request.POST or None)
    if is_child:
        del form.fields["adult_consents"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        answer = d.get("adult_consents")
        consents = None if is_child else {"yes": True, "no": False}.get(answer or "")
        done = _attempt(
            form,
            lambda: services.modern_slavery_record(
                referral=referral,
                actor=_user(request),
                first_responder=d["first_responder"],
                submitted_on=d["submitted_on"],
                adult_consents=consents,
            ),
        )
        if done is not None:
            return _to_case(referral, f"{done.get_path_display()} recorded", request)
    title = "Modern slavery: NRM referral (child, no consent needed)" if is_child else "Modern slavery referral"
    return _form_page(request, referral, form, title)


@roles(CASEWORK_ROLES)
@require_POST
def slavery_decision(request: HttpRequest, reference: str, record_id: int) -> HttpResponse:
    referral = _held_case(request, reference)
    record = ModernSlaveryReferral.objects.filter(pk=record_id, referral=referral).first()
    if record is None:
        raise Http404
    form = cf.GroundsForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.modern_slavery_decision_record(
                record=record,
                actor=_user(request),
                stage=d["stage"],
                decision=d["decision"],
                decided_on=d["decided_on"],
            ),
        ):
            return _to_case(referral, "Decision recorded", request)
    messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("casework:case", reference=referral.reference)


# -- 8. closure ------------------------------------------------------------------------------------


@roles(CASEWORK_ROLES)
def close(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.case_close(
                referral=referral,
                actor=_user(request),
                reason=d["reason"],
                better_able_to_cope=d["better_able_to_cope"],
                needs_improved=d["needs_improved"],
                referrer_note=d["referrer_note"],
            ),
        )
        if done is not None:
            return _to_case(referral, "Case closed", request)
    return _form_page(
        request,
        referral,
        form,
        "Close the case",
        series=selectors.measure_series(referral=referral),
        template="casework/close.html",
    )


@roles(CASEWORK_ROLES)
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _held_case(request, reference)
    form = cf.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.case_reopen(referral=referral, actor=_user(request), reason=form.cleaned_data["reason"]),
        )
        if done is not None:
            return _to_case(referral, "Case re-opened", request)
    return _form_page(request, referral, form, "Re-open the case")


# -- 9. my cases, team view, alerts, shared summaries, supervision ---------------------------------


@roles(CASEWORK_ROLES)
def my_cases(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = list(selectors.my_cases(user=request.user))
    return render(
        request,
        "casework/my_cases.html",
        {
            "cases": cases,
            "due": selectors.due_for(user=request.user, today=today),
            "today": today,
            "counts": selectors.caseload_counts(cases=cases),
            "alerts": selectors.open_alerts(user=request.user) if _user(request).role == Role.TEAM_LEAD else [],
            "shared": selectors.shared_cases_for(user=request.user),
            "services": referral_selectors.services_of(user=request.user),
        },
    )


@roles(LEAD_ROLES)
def team(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "casework/team.html",
        {
            "rows": selectors.team_view(user=request.user, today=today),
            "due": selectors.due_for(user=request.user, today=today, mine_only=False),
            "today": today,
        },
    )


@roles(LEAD_ROLES)
def alerts(request: HttpRequest) -> HttpResponse:
    return render(request, "casework/alerts.html", {"alerts": selectors.open_alerts(user=request.user)})


@roles(LEAD_ROLES)
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_for_lead(user=request.user, pk=pk)
    services.alert_acknowledge(alert=alert, actor=_user(request))
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
    user = _user(request)
    practitioners = (
        referral_selectors.colleagues_of(user=user) if user.role == Role.TEAM_LEAD else User.objects.filter(pk=user.pk)
    )
    form = cf.SessionForm(request.POST or None, practitioners=practitioners, initial={"practitioner": user.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(
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
