"""Housekeeping the worker does by itself, so that no table an operator is told about grows without bound
and no recovery waits for someone to run a command. Each job is registered as a periodic job in its app's
`ready()`; each deletes in small batches, so no statement holds locks for long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

BATCH = 5_000


def delete_in_batches(queryset_for: Callable[[], models.QuerySet[models.Model]], *, batch: int = BATCH) -> int:
    """Delete the rows `queryset_for()` selects, `batch` primary keys at a time. Returns how many."""
    deleted = 0
    while True:
        pks = list(queryset_for().order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return deleted
        done, _ = queryset_for().model._default_manager.filter(pk__in=pks).delete()
        deleted += done


def task_results_prune(*, now: datetime | None = None) -> int:
    """Delete finished task results older than ONEDOOR_TASK_RESULTS_KEEP_DAYS (failed ones are kept for
    ONEDOOR_FAILED_TASK_RESULTS_KEEP_DAYS, for whoever investigates). Ready and running tasks are never
    touched."""
    moment = now or timezone.now()
    ok_before = moment - timedelta(days=settings.ONEDOOR_TASK_RESULTS_KEEP_DAYS)
    failed_before = moment - timedelta(days=settings.ONEDOOR_FAILED_TASK_RESULTS_KEEP_DAYS)
    old = Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=ok_before) | Q(
        status=TaskResultStatus.FAILED, finished_at__lt=failed_before
    )
    return delete_in_batches(lambda: DBTaskResult.objects.finished().filter(old))
