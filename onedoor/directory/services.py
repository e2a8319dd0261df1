"""State changes to the directory's own records that other apps make: casework issues a feedback link
when a case closes. The public pages' own changes (self-referral, feedback) are in onedoor.public."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.directory.models import FeedbackLink, Postcode, Service
from onedoor.directory.postcodes import OnspdRow


def feedback_link_issue(*, service: Service | None) -> FeedbackLink:
    """A single-use link to the feedback form, for casework to send when a case closes. It records the
    service only, never the person or the case."""
    with transaction.atomic():
        link = FeedbackLink.objects.create(token=secrets.token_urlsafe(24), service=service)
        audit_record(
            actor=None,
            action=AuditAction.FEEDBACK_LINK_ISSUED,
            obj=link,
            detail={"service": getattr(service, "slug", None)},
        )
    return link


def postcodes_load(*, rows: Sequence[OnspdRow], source: str, actor: Any = None) -> int:
    """Replace the postcode table with `rows` (read from the file beforehand: no file is read inside the
    transaction), in one transaction, so a lookup never sees half a load. Audited with the file's name and
    the count, never a postcode."""
    with transaction.atomic():
        Postcode.objects.all().delete()
        Postcode.objects.bulk_create(
            [
                Postcode(
                    postcode=r.postcode,
                    outward=r.outward,
                    latitude=r.latitude,
                    longitude=r.longitude,
                    district_code=r.district_code,
                    lsoa_code=r.lsoa_code,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action=AuditAction.POSTCODES_LOADED,
            detail={"source": source, "postcodes": len(rows), "districts": sorted({r.outward for r in rows})},
        )
    return len(rows)
