"""The admin's "Workers and backlog" page: the live workers, and the backlog figures the health
endpoint reports (onedoor/core/health.py), with the thresholds that make /health/ready fail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from onedoor.core.health import backlog
from onedoor.core.models import WorkerHeartbeat

LABELS = {
    "oldest_due_message_age_seconds": "Oldest queued message: seconds waiting since it came due",
    "due_messages": "Queued messages due now",
    "failed_tasks_last_day": "Failed tasks in the last day",
    "stuck_tasks": "Stuck tasks (running, their worker silent)",
    "ready_tasks": "Tasks waiting for a worker",
    "oldest_ready_task_age_seconds": "Oldest waiting task: seconds since it was enqueued",
}
PROBLEMS = {
    "messages_waiting_too_long": "Messages have waited longer than {max_age} seconds. Is a worker running?",
    "too_many_failed_tasks": "{max_failed} or more tasks failed in the last day. Look at the failed tasks.",
}


@admin.register(WorkerHeartbeat)
class WorkersAndBacklogAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ["worker_id", "hostname", "pid", "started_at", "last_seen"]
    ordering = ["-last_seen"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        found = backlog()
        limits = {
            "max_age": settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS,
            "max_failed": settings.ONEDOOR_BACKLOG_MAX_FAILED_TASKS,
        }
        context = {
            **(extra_context or {}),
            "title": "Workers and backlog",
            "backlog_rows": [
                (LABELS.get(name, name), "none" if value is None else value) for name, value in found.figures.items()
            ],
            "backlog_problems": [PROBLEMS[p].format(**limits) for p in found.problems],
            "backlog_limits": limits,
        }
        return super().changelist_view(request, extra_context=context)
