"""The one way to write the audit log. Call it inside the transaction of the change it records."""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import ipaddress
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from onedoor.core import fastcopy
from onedoor.core.audit_actions import AuditAction
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


def _checked(action: AuditAction) -> AuditAction:
    # A StrEnum is a str, so a plain string would type-check at a call mypy cannot see; refuse it here,
    # so that an action built by an f-string fails the first test that reaches it.
    if not isinstance(action, AuditAction):
        raise TypeError(f"An audit action is an AuditAction member (onedoor.core.audit_actions), not {action!r}")
    return action


def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. `detail` must hold identifiers and codes, never personal information."""
    action = _checked(action)
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


def audit_record_many(*, action: AuditAction, entries: list[tuple[Any, models.Model, dict[str, Any]]]) -> None:
    """Append one audit row per (actor, object, detail) in one statement, for bulk work such as the police
    import. Same rules as `audit_record`: inside the change's transaction, identifiers and codes only."""
    audit_record_rows(
        action=action, entries=[(actor, obj._meta.label_lower, obj.pk, detail) for actor, obj, detail in entries]
    )


def audit_record_rows(*, action: AuditAction, entries: list[tuple[Any, str, object, dict[str, Any]]]) -> None:
    """`audit_record_many` for objects known only by (type label, primary key), such as rows a bulk path
    wrote without building model instances."""
    action = _checked(action)
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
                "action": str(action),
                "object_type": object_type,
                "object_id": str(object_id),
                "channel": where.channel,
                "origin": _from_where(where, real),
                "detail": detail,
            }
        )
    fastcopy.insert_values(AuditEvent, rows)


# -- configuration and privilege changes: who changed what, from what, to what ---------------------------

REDACTED = "(changed)"


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_snapshot(obj: models.Model, *, exclude: Iterable[str] = (), redact: Iterable[str] = ()) -> dict[str, Any]:
    """A row's columns and many-to-many links (as sorted primary keys), as plain JSON values. Fields in
    `redact` (personal details such as a user's name) are kept only as a fingerprint, so a change to them
    shows that it happened but never the value."""
    skip, hidden = set(exclude), set(redact)
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        value = field.value_from_object(obj)
        out[field.name] = _fingerprint(value) if field.name in hidden else _plain(value)
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            if m2m.name not in skip:
                out[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return out


_FINGERPRINT = "__fingerprint__"


def _fingerprint(value: Any) -> dict[str, str]:
    # Not a way to recover the value (it is keyed with the secret key): only to tell a change from none.
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256).hexdigest()
    return {_FINGERPRINT: digest[:16]}


def _is_fingerprint(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {_FINGERPRINT}


def audit_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """{field: [from, to]} for each field that differs; a fingerprinted field shows only that it changed."""
    before, after = before or {}, after or {}
    changed: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        changed[name] = [REDACTED, REDACTED] if _is_fingerprint(old) or _is_fingerprint(new) else [old, new]
    return changed


def audit_config_change(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """One audit row for a change to configuration or privilege, with each changed field's from and to.
    Nothing is written when nothing changed."""
    changed = audit_changes(before, after)
    if before is not None and after is not None and not changed and not extra:
        return None
    return audit_record(actor=actor, action=action, obj=obj, detail={"changed": changed, **(extra or {})})


# -- refused access ------------------------------------------------------------------------------------
# A refusal is audited even when the transaction around it rolls back: inside a transaction the row is
# written when the transaction commits, and otherwise when the request ends (RequestOriginMiddleware).

_SAFE_TRIED = re.compile(r"^(OD-[A-Z0-9]{4}-[A-Z0-9]{4}|\d{1,18})$")
_pending: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "onedoor_pending_refusals", default=None
)


def audit_refusal(*, actor: Any, model: type[models.Model], reference: str, what: str) -> None:
    """Record that `actor` was refused `what` on the object they named. The row names the object (if it
    exists) and the reference tried when it has the shape of one; anything else typed is not kept."""
    tried = str(reference)
    found = model._default_manager.filter(reference=tried).values_list("pk", flat=True).first() if tried else None
    entry = {
        "actor": actor,
        "object_type": model._meta.label_lower,
        "object_id": "" if found is None else str(found),
        "detail": {"what": what, "tried": tried if _SAFE_TRIED.match(tried) else "(not a reference)"},
    }
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _write_refusal(entry)
        return
    pending = _pending.get()
    if pending is not None:
        pending.append(entry)

    def on_commit() -> None:
        if pending is None or any(e is entry for e in pending):
            if pending is not None:
                pending[:] = [e for e in pending if e is not entry]
            _write_refusal(entry)

    transaction.on_commit(on_commit)


def _write_refusal(entry: dict[str, Any]) -> None:
    where = current_origin()
    actor = entry["actor"]
    real = actor is not None and getattr(actor, "is_authenticated", False)
    AuditEvent.objects.create(
        actor=actor if real else None,
        actor_label=_label(actor),
        action=AuditAction.ACCESS_REFUSED,
        object_type=entry["object_type"],
        object_id=entry["object_id"],
        channel=where.channel,
        origin=where.address,
        detail=entry["detail"],
    )


@contextmanager
def refusals_kept() -> Iterator[None]:
    """Around one request: refusals whose transaction rolled back are written when it ends."""
    token = _pending.set([])
    try:
        yield
    finally:
        left = _pending.get() or []
        _pending.reset(token)
        for entry in left:
            _write_refusal(entry)


def audit_history(*, objects: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """The audit rows about these objects (each `(app_label.model, id)`), oldest first: who, when, what.
    For a person's subject access pack (onedoor.privacy), which must say who viewed or changed their data."""
    wanted = models.Q()
    for object_type, object_id in objects:
        wanted |= models.Q(object_type=object_type, object_id=str(object_id))
    if not wanted:
        return []
    return [
        {"at": at, "actor": label, "action": action, "object_type": otype, "object_id": oid, "channel": channel}
        for at, label, action, otype, oid, channel in AuditEvent.objects.filter(wanted)
        .order_by("at", "id")
        .values_list("at", "actor_label", "action", "object_type", "object_id", "channel")
    ]
