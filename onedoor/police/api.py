from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params.functions import Path as PathParam

from onedoor.accounts.api_auth import api_auth
from onedoor.accounts.models import Role
from onedoor.core.api_schema import ErrorOut, responses
from onedoor.police import selectors
from onedoor.police.chunks import police_batch_upload
from onedoor.police.forms import upload_too_large
from onedoor.police.models import BatchPhase, BatchStatus, PoliceBatch

router = Router(tags=["police"])


class BatchOut(Schema):
    """A batch: its status, where it is, and its counts so far."""

    batch: int
    status: BatchStatus
    phase: BatchPhase
    rows_expected: int
    to_process: int
    processed: int
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: int
    referrals: int
    messages_queued: int
    encoding: str
    status_url: str | None = Field(None, description="Follow until `status` is `completed`.")
    errors_csv: str | None = Field(None, description="The rows refused, with their reasons (signed-in page).")


class RejectedOut(BatchOut):
    detail: str = Field(description="Why the file could not be read.")


class TooLargeOut(Schema):
    detail: str
    max_mb: int


@router.post(
    "",
    response=responses(202, BatchOut, 401, 403, extra={413: TooLargeOut, 422: RejectedOut | ErrorOut}),
    auth=api_auth(Role.POLICE_DATA_OFFICER),
    url_name="police_transfer_create",
)
def create_transfer(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Upload an overnight transfer file (multipart, field `file`). Stores it and answers at once (202)
    with the batch, which workers then import: follow `status_url` until `status` is `completed`. A file
    larger than the deployment accepts (`ONEDOOR_POLICE_UPLOAD_MAX_MB`) answers 413."""
    too_large = upload_too_large(file.size)
    if too_large:
        return Status(413, {"detail": too_large, "max_mb": settings.ONEDOOR_POLICE_UPLOAD_MAX_MB})
    batch = police_batch_upload(f=file.file, file_name=file.name or "upload.csv", actor=request.user, channel="api")  # type: ignore[arg-type]
    if batch.status == BatchStatus.REJECTED:
        return Status(422, {**_body(batch), "detail": batch.failure})
    return Status(202, _body(batch))


@router.get(
    "/{batch_id}",
    response=responses(200, BatchOut, 401, 403, 404, 422),
    auth=api_auth(Role.POLICE_DATA_OFFICER),
    url_name="police_transfer_detail",
)
def transfer_detail(
    request: HttpRequest,
    batch_id: Annotated[int, PathParam(ge=1, le=2**63 - 1, description="The batch number `create` answered.")],
) -> dict[str, Any]:
    """A batch's status, progress and counts so far."""
    return _body(selectors.batch_get_visible(user=request.user, pk=batch_id))


def _body(batch: PoliceBatch) -> dict[str, Any]:
    body: dict[str, Any] = {
        "batch": batch.pk,
        "status": batch.status,
        "phase": batch.phase,
        "rows_expected": batch.rows_expected,
        "to_process": batch.to_process,
        "processed": batch.processed,
        **batch.summary(),
    }
    if batch.status != BatchStatus.REJECTED:
        body["status_url"] = reverse("api:police_transfer_detail", args=[batch.pk])
        body["errors_csv"] = reverse("police:batch_errors", args=[batch.pk])
    return body
