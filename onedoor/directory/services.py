"""State changes to the directory's own records that other apps make: casework issues a feedback link
when a case closes. The public pages' own changes (self-referral, feedback) are in onedoor.public."""

from __future__ import annotations

import secrets

from django.db import transaction

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.directory.models import FeedbackLink, Service


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
