"""The police data officer's pages: upload a transfer file; the batch ledger with its explained outcomes
and its errors; the records needing review, and the officer's decision on each. An upload is stored and
answered at once; workers import it in chunk tasks while its page shows progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.police import selectors
from onedoor.police.chunks import police_batch_upload
from onedoor.police.forms import ReviewForm, UploadForm
from onedoor.police.ledger import REVIEW_EXPLAINED, WITHHELD_EXPLAINED, batch_outcomes
from onedoor.police.models import BatchStatus, PoliceVictimRecord
from onedoor.police.paging import keyset_page
from onedoor.police.reviews import ReviewError, police_record_review, reasons_said, review_offer_plan
from onedoor.police.services import errors_csv_lines

BATCHES_PER_PAGE = 25
REVIEWS_PER_PAGE = 50
OPEN_REVIEWS_CAP = 1000


@roles(Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR)
def transfers(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = police_batch_upload(f=upload.file, file_name=upload.name, actor=user, channel="web")
        return redirect("police:batch", pk=batch.pk)
    page = keyset_page(
        selectors.batches_visible_to(user=user), params=request.GET, size=BATCHES_PER_PAGE, newest_first=True
    )
    return render(
        request,
        "police/transfers.html",
        {"form": form, "page": page, "may_review": selectors.may_review(user=user)},
    )


@roles(Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.batch_get_visible(user=request.user, pk=pk)
    errors = found.row_errors.all()[:200]
    running = found.status == BatchStatus.RUNNING
    context = {
        "batch": found,
        "errors": errors,
        "running": running,
        "outcomes": batch_outcomes(found),
        "withheld_explained": WITHHELD_EXPLAINED,
        "review_explained": REVIEW_EXPLAINED,
        "may_review": selectors.may_review(user=request.user),
    }
    return render(request, "police/batch.html", context)


@roles(Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR)
def batch_errors(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    found = selectors.batch_get_visible(user=request.user, pk=pk)
    response = StreamingHttpResponse(errors_csv_lines(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="police-batch-{found.pk}-errors.csv"'
    return response


@roles(Role.POLICE_DATA_OFFICER)
def reviews(request: HttpRequest) -> HttpResponse:
    """The records waiting for the officer's decision, oldest first, with why each was flagged."""
    user: Any = request.user
    if not selectors.may_review(user=user):
        raise Http404
    waiting = selectors.records_needing_review(user=user)
    page = keyset_page(
        waiting.select_related("offence_group", "last_batch", "offer"),
        params=request.GET,
        size=REVIEWS_PER_PAGE,
        newest_first=False,
    )
    # A capped count: the list can grow, and a page never counts past what a person can use.
    open_count = len(waiting.values_list("pk", flat=True)[: OPEN_REVIEWS_CAP + 1])
    if page.object_list:
        audit_record(
            actor=user,
            action=AuditAction.POLICE_RECORD_VIEWED,
            detail={"list": "review", "records": [r.pk for r in page.object_list]},
        )
    return render(
        request,
        "police/reviews.html",
        {"page": page, "open_count": min(open_count, OPEN_REVIEWS_CAP), "capped": open_count > OPEN_REVIEWS_CAP},
    )


@roles(Role.POLICE_DATA_OFFICER)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One flagged record: why it was flagged, whether an offer could go now, and the decision form."""
    user: Any = request.user
    if not selectors.may_review(user=user):
        raise Http404
    record: PoliceVictimRecord = selectors.record_for_review(user=user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            police_record_review(
                actor=user, record_id=record.pk, decision=form.cleaned_data["decision"], note=form.cleaned_data["note"]
            )
        except ReviewError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        except PoliceVictimRecord.DoesNotExist as e:
            raise Http404 from e
        except PermissionDenied as e:
            raise Http404 from e
        else:
            messages.success(request, f"Record {record.crime_reference} / {record.victim_reference} reviewed.")
            return redirect("police:reviews")
    else:
        audit_record(actor=user, action=AuditAction.POLICE_RECORD_VIEWED, obj=record, detail={"page": "review"})
    plan = review_offer_plan(record, timezone.now())
    return render(
        request,
        "police/review.html",
        {
            "record": record,
            "form": form,
            "offer_possible": plan.channel is not None,
            "offer_blocked": reasons_said(plan),
        },
    )
