"""The police data officer's pages: upload a transfer file, and the batch ledger with its errors. An
upload is stored and answered at once; workers import it in chunk tasks while its page shows progress."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from onedoor.accounts.models import Role
from onedoor.core.access import roles
from onedoor.police import selectors
from onedoor.police.chunks import police_batch_upload
from onedoor.police.forms import UploadForm
from onedoor.police.models import BatchStatus
from onedoor.police.services import errors_csv_lines


@roles(Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR)
def transfers(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = police_batch_upload(f=upload.file, file_name=upload.name, actor=user, channel="web")
        return redirect("police:batch", pk=batch.pk)
    page = Paginator(selectors.batches_visible_to(user=user), 25).get_page(request.GET.get("page"))
    return render(request, "police/transfers.html", {"form": form, "page": page})


@roles(Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.batch_get_visible(user=request.user, pk=pk)
    errors = found.row_errors.all()[:200]
    running = found.status == BatchStatus.RUNNING
    return render(request, "police/batch.html", {"batch": found, "errors": errors, "running": running})


@roles(Role.POLICE_DATA_OFFICER, Role.ADMINISTRATOR)
def batch_errors(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    found = selectors.batch_get_visible(user=request.user, pk=pk)
    response = StreamingHttpResponse(errors_csv_lines(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="police-batch-{found.pk}-errors.csv"'
    return response
