"""Every change made in the admin is a change to configuration or privilege, and goes into OneDoor's own
append-only audit log with who made it and each field's from and to.

`AuditedModelAdmin` hooks the admin's own logging points, which Django calls inside the transaction
that saves the change (add, change, list edits and deletions, including bulk deletion), after inlines
and many-to-many fields are saved. Personal fields (`audit_redact`) record that they changed, never
their values; secrets (`audit_exclude`) are not recorded at all.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from onedoor.core.audit import audit_config_change, audit_snapshot
from onedoor.core.audit_actions import admin_action

_BEFORE = "_onedoor_audit_before"

_M = TypeVar("_M", bound=models.Model)


def _label(obj: models.Model) -> str:
    return obj._meta.label_lower


class AuditedModelAdmin(admin.ModelAdmin[_M]):
    audit_exclude: tuple[str, ...] = ()
    audit_redact: tuple[str, ...] = ()
    audit_additions = True  # False where the service that creates the row audits it already

    def audit_snapshot(self, obj: models.Model) -> dict[str, Any]:
        return audit_snapshot(obj, exclude=self.audit_exclude, redact=self.audit_redact)

    def _stash(self, request: HttpRequest) -> dict[tuple[str, Any], dict[str, Any]]:
        stash = getattr(request, _BEFORE, None)
        if stash is None:
            stash = {}
            setattr(request, _BEFORE, stash)
        return stash

    def save_model(self, request: HttpRequest, obj: _M, form: Any, change: bool) -> None:
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                self._stash(request)[(_label(obj), obj.pk)] = self.audit_snapshot(stored)
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: _M, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        if self.audit_additions:
            audit_config_change(
                actor=request.user,
                action=admin_action(label=_label(obj), verb="created"),
                obj=obj,
                before=None,
                after=self.audit_snapshot(obj),
                extra=_inlines(message),
            )
        return entry

    def log_change(self, request: HttpRequest, obj: _M, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        before = self._stash(request).pop((_label(obj), obj.pk), None)
        audit_config_change(
            actor=request.user,
            action=admin_action(label=_label(obj), verb="changed"),
            obj=obj,
            before=before or {},
            after=self.audit_snapshot(type(obj)._default_manager.get(pk=obj.pk)),
            extra=_inlines(message),
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[_M]) -> list[LogEntry]:
        for obj in queryset:
            audit_config_change(
                actor=request.user,
                action=admin_action(label=_label(obj), verb="deleted"),
                obj=obj,
                before=self.audit_snapshot(obj),
                after=None,
            )
        return super().log_deletions(request, queryset)


def _inlines(message: Any) -> dict[str, Any] | None:
    """What the admin's change message says about related rows (phones, schedules ...) edited inline."""
    if not isinstance(message, list):
        return None
    related = [part for part in message if any(isinstance(v, dict) and "name" in v for v in part.values())]
    return {"related": related} if related else None
