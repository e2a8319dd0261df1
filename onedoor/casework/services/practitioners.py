"""Practitioners' clinical supervision and CPD sessions."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework.models import PractitionerSession, SessionKind
from onedoor.casework.services._common import CaseworkError
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction


@transaction.atomic
def practitioner_session_record(*, practitioner: User, actor: User, kind: str, on: date) -> PractitionerSession:
    """Clinical supervision or CPD: the date and type only."""
    if kind not in SessionKind.values:
        raise CaseworkError("Choose supervision or CPD.")
    same_org = practitioner.organisation_id is not None and practitioner.organisation_id == actor.organisation_id
    if not (practitioner.is_provider_staff and same_org and (actor == practitioner or actor.role == Role.TEAM_LEAD)):
        raise PermissionDenied("Record sessions for yourself, or as team lead for your team.")
    if on > timezone.localdate():
        raise CaseworkError("The session date cannot be in the future.")
    row = PractitionerSession.objects.create(practitioner=practitioner, kind=kind, on=on, recorded_by=actor)
    audit_record(actor=actor, action=AuditAction.CASEWORK_PRACTITIONER_SESSION, obj=row, detail={"kind": kind})
    return row
