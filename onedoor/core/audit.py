"""The one way to write the audit log. Call it inside the transaction of the change it records."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models

from onedoor.core import fastcopy
from onedoor.core.context import Origin, current_origin
from onedoor.core.models import AuditEvent


def _label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "public"
    return str(actor.get_username())


def _from_where(where: Origin, signed_in: bool) -> str:
    """The origin kept on a row: a process name always; a network address only when a signed-in user
    acted. Rows of the public's actions (self-referral, anonymous feedback) keep no address, so they
    cannot be matched to a connection by order or by time."""
    if signed_in:
        return where.address
    try:
        ipaddress.ip_address(where.address)
    except ValueError:
        return where.address
    return ""


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. `detail` must hold identifiers and codes, never personal information."""
    where = current_origin()
    real_actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=real_actor,
        actor_label=_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        channel=where.channel,
        origin=_from_where(where, real_actor is not None),
        detail=detail or {},
    )


def audit_record_many(*, action: str, entries: list[tuple[Any, models.Model, dict[str, Any]]]) -> None:
    """Append one audit row per (actor, object, detail) in one statement, for bulk work such as the police
    import. Same rules as `audit_record`: inside the change's transaction, identifiers and codes only."""
    audit_record_rows(
        action=action, entries=[(actor, obj._meta.label_lower, obj.pk, detail) for actor, obj, detail in entries]
    )


def audit_record_rows(*, action: str, entries: list[tuple[Any, str, object, dict[str, Any]]]) -> None:
    """`audit_record_many` for objects known only by (type label, primary key), such as rows a bulk path
    wrote without building model instances."""
    where = current_origin()
    labels: dict[int, str] = {}
    rows = []
    for actor, object_type, object_id, detail in entries:
        real = actor is not None and getattr(actor, "is_authenticated", False)
        if real and actor.pk not in labels:
            labels[actor.pk] = _label(actor)
        rows.append(
            {
                "actor_id": actor.pk if real else None,
                "actor_label": labels[actor.pk] if real else "public",
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "channel": where.channel,
                "origin": _from_where(where, real),
                "detail": detail,
            }
        )
    fastcopy.insert_values(AuditEvent, rows)
