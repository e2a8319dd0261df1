"""The public front door: find support, know your rights, refer yourself, give feedback. No account,
no tracking, and a quick exit on every page. Every page works without JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt

from onedoor.areas.retention import schedule as retention_schedule
from onedoor.core.access import public
from onedoor.core.models import VictimsCodeRight
from onedoor.core.ratelimits import address_limit_reached, contact_limit_reached
from onedoor.core.submissions import SubmissionKeyReused, already_sent_message, form_submission_run, form_token
from onedoor.directory import selectors
from onedoor.directory.models import FeedbackLink
from onedoor.directory.postcodes import postcode_find, postcodes_loaded
from onedoor.public import answers
from onedoor.public.forms import FeedbackForm, FindSupportForm, NearMeForm, RightsForm, SelfReferralForm
from onedoor.public.journey import find_support as find_support_results_for
from onedoor.public.services import (
    FeedbackLinkUsed,
    SelfReferralIn,
    feedback_create,
    self_referral_create,
)
from onedoor.referrals.services import ReferralRefused

DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
SESSION_SENT = "onedoor_self_referral"
NEAR_ME = "near_me"
NEAR_MILES = 25


def _limited(request: HttpRequest, *, form: str, contacts: list[str]) -> HttpResponse | None:
    """Count an accepted public submission against its limits (docs/directory.md, "Rate limits"): a high
    one per address, for shared connections, and for a self-referral a low one per phone number and per
    email address. Over either, the person gets a page of other ways to get help, and nothing is saved."""
    if form == "self_referral":
        over_address = address_limit_reached(
            request, group="self_referral", rate=settings.ONEDOOR_SELF_REFERRAL_ADDRESS_RATE
        )
        over_contact = contact_limit_reached(
            request, group="self_referral", rate=settings.ONEDOOR_SELF_REFERRAL_CONTACT_RATE, contacts=contacts
        )
    else:
        over_address = address_limit_reached(request, group=form, rate=settings.ONEDOOR_FEEDBACK_ADDRESS_RATE)
        over_contact = False
    if not (over_address or over_contact):
        return None
    reason = "contact" if over_contact else "address"
    return render(request, "public/refer_limited.html", {"reason": reason}, status=429)


@public
def front_door(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")


@public
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, for browsers and pages (the admin's) that ask for it there rather than reading the
    base template's icon links: the icon itself is a static file, served by WhiteNoise."""
    return HttpResponsePermanentRedirect(static("onedoor/favicon.ico"))


@public
def exit_page(request: HttpRequest) -> HttpResponse:
    """Quick exit: leave for a neutral site. Works as a plain link without JavaScript. The browser is told
    to forget this site's cookies and storage on the way out."""
    response = HttpResponseRedirect(getattr(settings, "ONEDOOR_EXIT_URL", DEFAULT_EXIT_URL))
    # The session (a self-referral's confirmation) ends on the server too, not only in this browser, and the
    # answers' cookies are deleted even where the browser ignores Clear-Site-Data.
    request.session.flush()
    answers.forget_all(request, response)
    response["Cache-Control"] = "no-store"
    # "cache" also drops this site's pages from the back-forward cache, so Back cannot bring one back.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


FIND_SUPPORT = "find"
RIGHTS = "rights"


def _see_other(name: str) -> HttpResponseRedirect:
    """Post/Redirect/Get: the page after a form is a plain GET, so no history entry holds a POST body."""
    response = HttpResponseRedirect(reverse(name))
    response.status_code = 303
    return response


def _find_support_data(form: FindSupportForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "happened": d["happened"],
        "age": d["age"],
        "district": d["district"],
        "postcode": d.get("postcode", ""),
        "told_police": d.get("told_police") or "",
        "needs": list(d["needs"]),
    }


def _recalled_find_support(request: HttpRequest) -> FindSupportForm | None:
    """The answers this browser gave, checked again as if just sent (a choice may have gone since)."""
    data = answers.recall(request, form=FIND_SUPPORT)
    form = FindSupportForm(data) if data is not None else None
    return form if form is not None and form.is_valid() else None


@public
@csrf_exempt  # changes and keeps nothing on the server; works after "Exit this page" cleared the cookies
def find_support(request: HttpRequest) -> HttpResponse:
    """The five questions. Answers come by POST and go to the results by a redirect, carried in a short-lived
    cookie (onedoor.public.answers): never in a URL, never saved on the server. A link with answers in its
    query string (an old bookmark) gets the questions, and its query is ignored."""
    if request.method == "POST":
        form = FindSupportForm(request.POST)
        if not form.is_valid():
            return render(request, "public/find_support.html", {"form": form})
        response = _see_other("directory:find_support_results")
        answers.remember(response, form=FIND_SUPPORT, data=_find_support_data(form))
        return response
    recalled = _recalled_find_support(request)  # "Change your answers"
    initial = recalled.cleaned_data if recalled is not None else {}
    return render(request, "public/find_support.html", {"form": FindSupportForm(initial=initial)})


@public
def find_support_results(request: HttpRequest) -> HttpResponse:
    form = _recalled_find_support(request)
    if form is None:  # nothing answered in this browser, or "Exit this page" was used: start again
        return redirect("directory:find_support")
    results = find_support_results_for(
        situation=form.situation,
        age=form.cleaned_data["age"],
        district=form.district_code,
        needs=frozenset(form.cleaned_data["needs"]),
    )
    origin = postcode_find(form.cleaned_data.get("postcode", ""))
    services = [r.service for r in (*results.first, *results.others)]
    nearest = selectors.nearest_place_by_service(services, origin=origin) if origin else {}
    return render(request, "public/results.html", {"form": form, "results": results, "nearest": nearest})


@public
def find_support_contact(request: HttpRequest) -> HttpResponse:
    """ "Ask this service to contact me": the self-referral form, with the find-support answers filled in
    from the cookie, not from a URL. It posts to the self-referral page like the form there."""
    form = _recalled_find_support(request)
    if form is None:
        return redirect("directory:refer")
    return render(
        request,
        "public/refer.html",
        {"form": SelfReferralForm(initial=form.cleaned_data), "submission_token": form_token(request)},
    )


@public
@csrf_exempt  # as find_support: changes and keeps nothing on the server
def services_directory(request: HttpRequest) -> HttpResponse:
    """Every service, with "near me": a postcode sent by POST is kept in the short-lived answers cookie and
    the page shown again by a redirect (ADR 0010: never in a URL), with the places nearest to it first."""
    near_form = NearMeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if near_form.is_valid():
            response = _see_other("directory:services")
            answers.remember(response, form=NEAR_ME, data={"postcode": near_form.cleaned_data["postcode"]})
            return response
    else:
        recalled = answers.recall(request, form=NEAR_ME) or {}
        near_form = NearMeForm(initial=recalled)
    query = request.GET.get("q", "").strip()[:100]
    services = list(selectors.services_with_details(selectors.services_search(search=query)))
    origin = None if near_form.is_bound else postcode_find(near_form.initial.get("postcode", ""))
    near = (
        selectors.places_near(
            [sal for s in services for sal in s.service_at_locations.all()], origin=origin, within_miles=NEAR_MILES
        )
        if origin
        else []
    )
    now = timezone.localtime()
    return render(
        request,
        "public/services.html",
        {
            "query": query,
            "services": [(s, s.open_at(now)) for s in services],
            "near_form": near_form,
            "near_origin": origin,
            "near": near,
            "near_miles": NEAR_MILES,
            "postcodes_loaded": postcodes_loaded(),
        },
    )


@public
@csrf_exempt  # as find_support: changes and keeps nothing on the server
def rights(request: HttpRequest) -> HttpResponse:
    # Answered by POST and shown after a redirect, like find-support: whether someone reported a crime, or
    # went to court, stays out of URLs and out of history.
    if request.method == "POST":
        form = RightsForm(request.POST)
        if form.is_valid():
            response = _see_other("directory:rights")
            answers.remember(response, form=RIGHTS, data=form.cleaned_data)
            return response
    else:
        recalled = answers.recall(request, form=RIGHTS)
        form = RightsForm(recalled) if recalled is not None else RightsForm()
    reported = court = ""
    if form.is_bound and form.is_valid():
        reported = form.cleaned_data.get("reported", "")
        court = form.cleaned_data.get("court", "")
    version = VictimsCodeRight.objects.order_by("-code_version").values_list("code_version", flat=True).first()
    apply: list[VictimsCodeRight] = []
    maybe: list[VictimsCodeRight] = []
    for right in VictimsCodeRight.objects.filter(code_version=version):
        applies = (
            right.applies_to == "all"
            or (right.applies_to == "reported" and reported == "yes")
            or (right.applies_to == "court" and court in ("yes", "convicted"))
            or (right.applies_to == "conviction" and court == "convicted")
        )
        (apply if applies else maybe).append(right)
    return render(
        request, "public/rights.html", {"form": form, "apply": apply, "maybe": maybe, "answered": form.is_bound}
    )


@public
def refer_yourself(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # A blank form. Answers from find-support arrive through /find-support/contact/, never in this URL.
        return render(
            request, "public/refer.html", {"form": SelfReferralForm(), "submission_token": form_token(request)}
        )
    form = SelfReferralForm(request.POST)
    if form.is_spam:
        # Looks like it worked, so that an automated form-filler learns nothing; nothing is saved.
        return render(request, "public/refer_not_sent.html", {"spam": True})
    if not form.is_valid():
        return render(request, "public/refer.html", {"form": form, "submission_token": form_token(request)})
    try:
        # One referral per form, however often it is sent: a repeat gets the first result, and is not
        # counted against the limits again (the limits are counted only when the work runs).
        done = form_submission_run(request, scope="self-referral", run=lambda: _self_refer(request, form))
    except _Limited as exc:
        return exc.response
    except ReferralRefused:
        form.add_error("consent", form.fields["consent"].error_messages["required"])
        return render(request, "public/refer.html", {"form": form, "submission_token": form_token(request)})
    except SubmissionKeyReused as exc:
        form.add_error(None, already_sent_message(exc.first.get("sent", {}).get("reference")))
        return render(request, "public/refer.html", {"form": form, "submission_token": form_token(request, fresh=True)})
    if "sent" not in done.result:
        now = timezone.localtime()
        signpost = [
            (s, s.open_at(now)) for s in selectors.services_with_details().filter(slug__in=done.result["signpost"])
        ]
        return render(request, "public/refer_not_sent.html", {"signpost": signpost, "gap": done.result["gap"]})
    request.session[SESSION_SENT] = done.result["sent"]
    return redirect("directory:refer_sent")


class _Limited(Exception):
    """Over a public limit: raised inside the submission's work, so the form's token is not used up."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("over a public submission limit")
        self.response = response


def _self_refer(request: HttpRequest, form: SelfReferralForm) -> dict[str, Any]:
    """Creates the referral; returns identifiers and codes only (it is kept to answer a repeat)."""
    d = form.cleaned_data
    limited = _limited(request, form="self_referral", contacts=[d["phone"], d["email"]])
    if limited is not None:
        raise _Limited(limited)
    outcome = self_referral_create(
        data=SelfReferralIn(
            first_name=d["first_name"],
            age=d["age"],
            district=form.district_code,
            situation=form.situation,
            what_happened=d["what_happened"],
            told_police=d.get("told_police") == "yes",
            phone=d["phone"],
            email=d["email"],
            safe_ways=frozenset(d["safe_ways"]),
            best_times=d["best_times"],
            language=d["language"],
            interpreter=d["interpreter"],
            needs=frozenset(d["needs"]),
            consent=d["consent"],
            postcode=d.get("postcode", ""),
        )
    )
    if outcome.referral is None:
        return {"signpost": list(outcome.decision.signpost), "gap": outcome.decision.gap}
    referral = outcome.referral
    service = referral.current_service
    return {
        "sent": {
            "reference": referral.reference,
            "service": service.slug if service else "",
            "due_on": referral.due_on.isoformat() if referral.due_on else "",
            "ways": sorted(d["safe_ways"]),
        }
    }


@public
def refer_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SESSION_SENT)
    if not sent:
        return redirect("directory:refer")
    service = selectors.services_with_details().filter(slug=sent["service"]).first()
    due = date.fromisoformat(sent["due_on"]) if sent.get("due_on") else None
    # The card says whether the service is open now, from its hours, as on the results pages.
    open_now = service.open_at(timezone.localtime()) if service else None
    return render(
        request,
        "public/refer_sent.html",
        {"reference": sent["reference"], "service": service, "due_on": due, "ways": sent["ways"], "open_now": open_now},
    )


@public
def feedback(request: HttpRequest, token: str | None = None) -> HttpResponse:
    if token is not None and not FeedbackLink.objects.filter(token=token, used_at__isnull=True).exists():
        return render(request, "public/feedback_used.html", status=410)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        limited = _limited(request, form="feedback", contacts=[])
        if limited is not None:
            return limited
        try:
            feedback_create(
                satisfaction=d["satisfaction"],
                could_be_better=d["could_be_better"],
                wants_contact=d["wants_contact"],
                contact_name=d["contact_name"],
                contact_detail=d["contact_detail"],
                language=get_language() or "",
                link_token=token,
            )
        except FeedbackLinkUsed:
            return render(request, "public/feedback_used.html", status=410)
        return render(request, "public/feedback_thanks.html")
    return render(request, "public/feedback.html", {"form": form, "token": token})


@public
def privacy(request: HttpRequest) -> HttpResponse:
    # The retention schedule is the area's own, read from its area file, so the page says what is done.
    return render(request, "public/privacy.html", {"retention": retention_schedule()})


@public
def staying_safe(request: HttpRequest) -> HttpResponse:
    return render(request, "public/staying_safe.html")
