from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from onedoor.accounts.models import Role
from onedoor.api import api_auth
from onedoor.police.forms import upload_too_large
from onedoor.police.models import BatchStatus
from onedoor.police.services import police_batch_import

router = Router(tags=["police"])


@router.post(
    "",
    response={201: dict, 413: dict, 422: dict},
    auth=api_auth(Role.POLICE_DATA_OFFICER),
    url_name="police_transfer_create",
)
def create_transfer(request: HttpRequest, file: UploadedFile = File(...)) -> Status:  # noqa: B008
    """Upload an overnight transfer file (multipart, field `file`). Answers with the batch's summary, or 413
    when the file is larger than the deployment accepts (`ONEDOOR_POLICE_UPLOAD_MAX_MB`)."""
    too_large = upload_too_large(file.size)
    if too_large:
        return Status(413, {"detail": too_large, "max_mb": settings.ONEDOOR_POLICE_UPLOAD_MAX_MB})
    batch = police_batch_import(f=file.file, file_name=file.name or "upload.csv", actor=request.user, channel="api")  # type: ignore[arg-type]
    body: dict[str, Any] = {"batch": batch.pk, "status": batch.status, **batch.summary()}
    if batch.status == BatchStatus.REJECTED:
        return Status(422, {**body, "detail": batch.failure})
    body["errors_csv"] = reverse("police:batch_errors", args=[batch.pk])
    return Status(201, body)
